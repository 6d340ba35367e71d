"""Usage reports: sessions, daily / weekly / monthly periods, 5-hour billing blocks. JSON-ready dicts."""
