from web.server_fixture import live_server  # noqa: F401 - a fixture
