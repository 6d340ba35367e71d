"""What ccdeck knows about Claude Code's files: where they are, what their lines mean, what they cost."""
