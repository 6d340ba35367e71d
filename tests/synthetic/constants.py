"""What a synthetic corpus is made of: names, models, versions, sizes and the odds of each kind of line."""

from typing import Any

# Bump when the output changes, so bench.run regenerates a corpus made by an older generator.
GENERATOR_VERSION = 2
MIB = 1 << 20
KIB = 1 << 10
MANIFEST_NAME = "bench-manifest.json"

JsonObj = dict[str, Any]

# Timestamps spread over 60 days from a fixed start, so the output does not depend on today's date.
EPOCH_MS = 1_759_276_800_000  # 2025-10-01T00:00:00Z
SPAN_MS = 60 * 86_400_000

MAIN_MODELS = (
    "claude-sonnet-4-5-20250929",
    "claude-opus-4-1-20250805",
    "claude-sonnet-4-20250514",
    "claude-haiku-4-5-20251001",
)
MAIN_MODEL_WEIGHTS = (50, 20, 15, 15)
SUBAGENT_MODELS = ("claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929")
SUBAGENT_MODEL_WEIGHTS = (60, 40)

# Sessions in the first part of the window use the 2.0.x layout (flat agent files, summary lines); later ones
# the 2.1.x layout (subagents/ folder, big attachment and api-request-shape lines, cost-state, custom-title).
OLD_VERSIONS = ("2.0.64", "2.0.76")
NEW_VERSIONS = ("2.1.6", "2.1.45", "2.1.90")
NEW_STYLE_FROM = 0.35
AGENT_TOOL_FROM = (2, 1, 63)  # Task was renamed Agent at 2.1.63

PROJECT_PARENTS = ("/home/dev/src", "/Users/alex/work", "/home/dev/src/acme", "/srv/repos")
PROJECT_NAMES = (
    "api-server",
    "web-frontend",
    "data_pipeline",
    "infra",
    "ml-experiments",
    "docs.site",
    "mobile app",
    "billing-service",
    "cli-tools",
    "scratch",
    "auth.v2",
    "search_index",
    "etl-jobs",
    "design-system",
    "notebooks",
    "kernel-patches",
    "game_engine",
    "chat-bot",
    "payments",
    "monorepo",
)
BRANCHES = ("main", "main", "main", "develop", "feature/search", "fix/login-timeout", "HEAD")
SOURCE_FILES = (
    "src/main.py",
    "src/app/routes.py",
    "src/app/models.py",
    "src/utils/helpers.ts",
    "src/components/Table.tsx",
    "README.md",
    "tests/test_api.py",
    "Makefile",
    "pyproject.toml",
    "internal/server/handler.go",
    "lib/parser.rs",
    "docs/guide.md",
    "package.json",
    "config/settings.yaml",
)
BASH_COMMANDS = (
    "git status",
    "git diff --stat",
    "pytest -q tests/",
    "npm test -- --watch=false",
    "ls -la",
    "make lint",
    "cargo build --release",
    "rg -n TODO src",
    "go test ./...",
    "docker compose ps",
)
TOOL_NAMES = ("Read", "Edit", "Bash", "Write", "Grep")
TOOL_WEIGHTS = (35, 22, 25, 8, 10)
AGENT_TYPES = ("Explore", "general-purpose", "Plan")

# Budget of each ordinary session: log-normal (median 46 KiB): about 3,000 files per GiB, most of them small.
SESSION_MEDIAN_BYTES = 46 * KIB
SESSION_SIGMA = 1.6
MIN_SESSION_BYTES = 4 * KIB
# Probabilities per turn or per model call; tuned so bytes split roughly like real 2.1.x transcripts.
P_SHAPE_LINE = 0.12
P_API_ERROR = 0.03
P_SYNTHETIC_AFTER_ERRORS = 0.15
P_INTERRUPT = 0.02
P_COMPACT = 0.01
P_RESUME = 0.1
P_SUBAGENTS = 0.35
P_MCP = 0.03
MAX_AGENT_BYTES = 4 * MIB  # a subagent transcript stays small, even under a long session
COMPACT_AT_TOKENS = 160_000
RESUME_PREFIX_LINES = 16

# The progress lines (see progress.py).
MCP_SERVERS = (("github", "search_issues"), ("linear", "list_issues"), ("postgres", "query"))
P_HOOKS = 0.3  # sessions with a PostToolUse hook configured
P_BASH_PROGRESS = 0.25  # Bash calls long enough to stream their output
MAX_AGENT_COPIES = 120  # agent_progress lines per subagent run at most (bounds the generator's memory)
