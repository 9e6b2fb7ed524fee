"""etl.py: keep a DuckDB warehouse in sync with a source (full, incremental, files, cdc) and compare them."""
