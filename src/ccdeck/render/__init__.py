"""Terminal rendering shared by every table of the command line: how a table fits the terminal (`fit`) and how one
value is written in a cell (`cells`: costs, tokens, times, model names, project paths, empty states)."""
