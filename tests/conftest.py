"""Shared pytest setup for all suites."""

# Fixtures for running the real Claude Code CLI against a fake Messages API: claude_bin, fake_api,
# claude_sandbox, claude. (tests/ is not a package: pytest puts this directory on sys.path.)
pytest_plugins = ["fakeapi.fixtures"]
