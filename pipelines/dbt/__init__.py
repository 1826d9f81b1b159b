"""dbt as the pipeline drives it: the project and its manifest (``project``, ``manifest``), which
models a run rebuilds (``selection``) and the Dagster resource that runs dbt (``resource``)."""
