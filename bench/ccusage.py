"""ccusage, the reference the scan and report figures are compared with: its pinned version, npm's settings under
the isolated HOME, the untimed first call that installs it, and its native binary."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import orjson

from bench.measure import run_child

CCUSAGE_VERSION = "20.0.24"
CCUSAGE_SPEC = f"ccusage@{CCUSAGE_VERSION}"


def npm_settings() -> dict[str, str]:
    """npm's cache and user config from the real environment, passed on explicitly under the isolated HOME."""
    settings: dict[str, str] = {}
    for key in ("cache", "userconfig"):
        try:
            done = subprocess.run(["npm", "config", "get", key], capture_output=True, text=True, check=False)
        except OSError:
            return settings  # no npm: the npx warm-up reports the failure
        if done.returncode == 0 and done.stdout.strip():
            settings[f"npm_config_{key}"] = done.stdout.strip()
    return settings


def ccusage_env(env: dict[str, str], corpus: Path) -> dict[str, str]:
    """``env`` with npm's settings and the corpus as Claude Code's config dir."""
    return {**env, **npm_settings(), "CLAUDE_CONFIG_DIR": str(corpus)}


def warm_up_npx(env: dict[str, str]) -> str | None:
    """Untimed first call: npx downloads and installs the package into its cache. Returns why it failed, or None."""
    try:
        warm = run_child(["npx", "--yes", CCUSAGE_SPEC, "--help"], env, timeout=600)
    except FileNotFoundError as error:
        return str(error)
    return None if warm.ok else f"npx warm-up failed: {warm.failure()}"


def find_native_ccusage(npm_cache: str | None) -> Path | None:
    """The native binary npx installed: the npm package is only a node wrapper that spawns it."""
    if not npm_cache:
        return None
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    system = platform.system().lower()
    for package_json in sorted(Path(npm_cache).glob("_npx/*/node_modules/ccusage/package.json")):
        if orjson.loads(package_json.read_bytes()).get("version") != CCUSAGE_VERSION:
            continue
        binary = package_json.parent.parent / "@ccusage" / f"ccusage-{system}-{arch}" / "bin" / "ccusage"
        if binary.is_file():
            return binary
    return None
