"""Every JSON shape ccdeck sends, declared once as TypedDicts: the API's responses (`api`), the WebSocket messages
(`messages`), the CLI's `--json` reports (`cli`) and what they share (`common`).

The code builds its JSON with these types, so mypy checks every field name; FastAPI uses them as response models,
so `/openapi.json` is generated from them, and the dashboard's TypeScript types are generated from that document
(`make contract`). Adding a field is a change here plus `make contract`; a field is never renamed or dropped, since
other tools read these shapes. This package imports nothing else of ccdeck: every layer may use it.
"""
