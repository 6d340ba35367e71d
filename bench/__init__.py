"""Benchmarks for ccdeck: a synthetic corpus generator and the measurement scripts (see bench/README.md)."""
