"""The small parts every line is made of: ids, timestamps, folder names, text, and the file writer."""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path

import orjson

from synthetic.constants import MIB, JsonObj


def encode_cwd(cwd: str) -> str:
    """Claude Code's folder name for a cwd (every character outside [A-Za-z0-9] becomes '-')."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


def iso(ms: int) -> str:
    seconds, milli = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{milli:03d}Z"


def new_uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def new_token(rng: random.Random, prefix: str, bits: int = 96) -> str:
    return f"{prefix}{rng.getrandbits(bits):0{bits // 4}x}"


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


class TextPool:
    """A few MiB of random words, sliced at random offsets: cheap large strings of plausible text.

    Slicing one prepared string is what keeps the generator fast; composing text word by word would not be.
    A few non-ASCII words make byte counts differ from character counts, as in real transcripts.
    """

    def __init__(self, rng: random.Random, chars: int = 4 * MIB) -> None:
        letters = "abcdefghijklmnopqrstuvwxyz"
        vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(3000)]
        vocab += ["def", "return", "self", "import", "{", "}", "=>", "->", "==", "const", "fn", "let", "if"]
        vocab += ["café", "naïve", "→", "✓", "日本語", "über"]
        words = rng.choices(vocab, k=chars // 6)
        rows = (" ".join(words[i : i + 12]) for i in range(0, len(words), 12))
        self._text = "\n".join(rows)
        self._rng = rng

    def text(self, chars: int) -> str:
        chars = max(1, min(chars, len(self._text) // 2))
        start = self._rng.randrange(len(self._text) - chars)
        return self._text[start : start + chars]


class TranscriptFile:
    """One .jsonl file, written through a large buffer; counts its bytes and lines."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)  # Claude Code writes transcripts with mode 0600
        self.path = path
        self._fh = path.open("wb", buffering=MIB)
        self.bytes = 0
        self.lines = 0

    def write(self, obj: JsonObj) -> int:
        data = orjson.dumps(obj)
        self._fh.write(data)
        self._fh.write(b"\n")
        self.bytes += len(data) + 1
        self.lines += 1
        return len(data) + 1

    def write_raw(self, line: bytes) -> None:
        self._fh.write(line)
        self.bytes += len(line)
        self.lines += 1

    def close(self, mtime_ms: int) -> None:
        self._fh.close()
        # The mtime of a real transcript is its last write.
        os.utime(self.path, (mtime_ms / 1000, mtime_ms / 1000))
