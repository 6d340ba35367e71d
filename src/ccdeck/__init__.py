"""ccdeck: see and launch many Claude Code sessions at once."""

__version__ = "0.1.0"
