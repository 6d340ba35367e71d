"""The web server: JSON API, WebSocket endpoint, and the built dashboard (static/)."""
