"""The list of sources of a batch: read, capped, checked row by row (nothing is fetched here).

Input is a file or pasted text: either one source per line (a folder path or
a repository URL; `#` starts a comment) or a CSV whose header has a `source`
column and optional `style`, `tone`, `topic`. At most `MAX_ROWS` rows are
kept (the rest are dropped with a message). A row with a path that does not
exist, a duplicate source, an unknown style or tone gets its own error and is
not submitted; the other rows go ahead. URLs are checked when their job loads
them, so an unreachable URL fails its own row only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from chains.types import STYLES, TONES
from core.batch.errors import BatchInputError

__all__ = ["MAX_ROWS", "SourceSpec", "SourceList", "read_sources", "parse_sources"]

MAX_ROWS = 100
MAX_INPUT_BYTES = 2_000_000
URL_PREFIXES = ("http://", "https://", "git@", "ssh://", "git://")
DEMO_PREFIX = "demo:"  # demo:lumen, demo:herald: the bundled sample projects


@dataclass(frozen=True)
class SourceSpec:
    """One row: a source and how to write about it; `error` set when the row is refused."""

    line: int
    source: str
    style: str
    tone: str
    topic: str = ""
    error: str = ""

    @property
    def is_url(self) -> bool:
        """True for repository URLs (checked when the job loads them)."""
        return self.source.startswith(URL_PREFIXES)


@dataclass(frozen=True)
class SourceList:
    """Every row read (refused ones included, with their error) and messages about the whole input."""

    rows: tuple[SourceSpec, ...]
    messages: tuple[str, ...] = ()

    @property
    def valid(self) -> tuple[SourceSpec, ...]:
        """Rows that will be submitted."""
        return tuple(r for r in self.rows if not r.error)


def read_sources(
    path_or_text: str | Path,
    *,
    style: str = "announcement",
    tone: str = "professional",
    base: Path | None = None,
) -> SourceList:
    """Read a sources file (a path) and check every row; relative paths resolve against its folder."""
    path = Path(path_or_text)
    if not path.is_file():
        raise BatchInputError(f"No sources file at {path}: give a .txt (one source per line) or .csv file")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise BatchInputError(
            f"{path} is larger than {MAX_INPUT_BYTES:,} bytes: split it into smaller batches"
        )
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    return parse_sources(text, style=style, tone=tone, base=base or path.parent)


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    header = [h.strip().lower() for h in next(csv.reader([first]))] if first else []
    if "source" in header:
        reader = csv.DictReader(io.StringIO(text))
        reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
        return [
            (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]
    if first and "," in first and first.lower().startswith(("style", "tone", "topic")):
        raise BatchInputError(
            "The CSV has no 'source' column: the header must name source (and style, tone, topic)"
        )
    return [
        (n, {"source": ln.strip()})
        for n, ln in enumerate(lines, 1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]


def parse_sources(
    text: str, *, style: str = "announcement", tone: str = "professional", base: Path | None = None
) -> SourceList:
    """Check pasted or read text row by row; see the module docstring for the format."""
    rows = _rows(text)
    if not rows:
        raise BatchInputError(
            "No sources given: one folder path or repository URL per line, or a CSV with a source column"
        )
    messages = []
    if len(rows) > MAX_ROWS:
        messages.append(
            f"{len(rows):,} rows given; only the first {MAX_ROWS} are run. Split the file into batches of {MAX_ROWS}."
        )
        rows = rows[:MAX_ROWS]
    seen: dict[str, int] = {}
    out = []
    for line, row in rows:
        source = row.get("source", "")
        spec = SourceSpec(
            line=line,
            source=source,
            style=row.get("style") or style,
            tone=row.get("tone") or tone,
            topic=row.get("topic", "")[:300],
        )
        out.append(_checked(spec, seen, base))
    return SourceList(tuple(out), tuple(messages))


def _checked(spec: SourceSpec, seen: dict[str, int], base: Path | None) -> SourceSpec:
    from dataclasses import replace

    if not spec.source:
        return replace(spec, error="empty source: give a folder path or a repository URL")
    key = spec.source.rstrip("/").removesuffix(".git").lower() if spec.is_url else spec.source
    if spec.source.startswith(DEMO_PREFIX):
        from core.posts.pipeline import DEMO_SOURCES

        if spec.source[len(DEMO_PREFIX) :] not in DEMO_SOURCES:
            return replace(
                spec, error=f"unknown demo {spec.source!r}: use demo:{', demo:'.join(DEMO_SOURCES)}"
            )
    elif not spec.is_url:
        path = Path(spec.source).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.exists():
            return replace(
                spec, error=f"no such folder: {spec.source} (check the path, relative to the sources file)"
            )
        if not path.is_dir():
            return replace(spec, error=f"{spec.source} is a file: give the project's folder")
        key = str(path.resolve())
        spec = replace(spec, source=str(path.resolve()))
    if key in seen:
        return replace(spec, error=f"duplicate of row {seen[key]}: each source runs once per batch")
    seen[key] = spec.line
    if spec.style not in STYLES:
        return replace(spec, error=f"unknown style {spec.style!r}: use one of {', '.join(STYLES)}")
    if spec.tone not in TONES:
        return replace(spec, error=f"unknown tone {spec.tone!r}: use one of {', '.join(TONES)}")
    return spec
