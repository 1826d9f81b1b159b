"""The content layer every publisher shares (dashboard, reports, releases): French labels
(``labels``), French display of figures with the disclosure rules applied (``formatting``) and
the DSFR-styled Plotly figures (``figures``), pure functions all. The dashboard draws the figures
in the browser; the reports render them to static images."""
