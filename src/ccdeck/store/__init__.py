"""The SQLite store: one writer thread, read connections, numbered migrations, named queries."""
