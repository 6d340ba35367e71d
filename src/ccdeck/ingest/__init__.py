"""Incremental ingest: tail Claude Code's files from saved byte offsets, parse, write batches."""
