"""Results are never half-written: write to a temporary name beside the target, then rename.

`atomic_output(path)` yields a temporary path in the same folder; when the
block ends without an error the file is moved onto `path` in one rename (so a
reader sees the old file or the whole new one, never a part), otherwise it is
removed. A worker killed mid-write leaves only a hidden `.tmp` file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_output", "write_text_atomic"]


@contextmanager
def atomic_output(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path; rename it onto `path` when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path | str, text: str) -> Path:
    """Write a whole text file atomically and return its path."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
