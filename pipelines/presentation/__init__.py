"""What every publisher shares: French display of figures with the disclosure rules applied
(``formatting``) and the DSFR-styled Plotly figures (``figures``), pure functions both. The
dashboard draws the figures in the browser; the reports render them to static images."""
