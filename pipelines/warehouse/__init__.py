"""The warehouse: the build DuckDB file's connection and ingestion-owned schema (``connection``),
what it says about its loads (``status``), the atomic publication of its marts (``publish``) and
the one way batch readers read the published snapshot (``snapshot``)."""
