"""Live view: which sessions are working, waiting, idle or ended, and the hub that pushes changes."""
