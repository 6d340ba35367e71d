"""Everything the command line draws in a terminal, and only the command line uses it (`tests/test_layers.py`):
the read commands' tables (`report_tables`), the runs' tables (`run_tables`), `watch`'s screen (`watch_screen`), the
console they print to (`console`); and what they share: how a table fits the terminal (`fit`, drawn line by line
when long: `lines`) and how one value is written in a cell (`cells`: costs, tokens, times, model names, project
paths, empty states). Each draws the JSON forms the commands print with `--json`."""
