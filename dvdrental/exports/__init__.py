"""Daily exports: one folder of CSV files per simulated day, and replaying them into a database.

`daily` writes the folders (in the process that writes the database, without numpy or the
simulation); `replay` loads them back, in date order, into an empty schema.
"""
