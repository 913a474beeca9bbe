"""Export formats for finished posts: pure functions from `ExportRecord`s to text.

LinkedIn text (3000-character limit), Markdown with YAML front matter,
Notion-importable Markdown with a properties block, Buffer's bulk-upload CSV
(`Text,Image URL,Tags,Posting Time`) and a plain CSV of many items. CSV cells
that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) get a
leading apostrophe. This module reads no files, touches no store and knows
nothing about Streamlit; `core.posts.pipeline.export_item` feeds it and records the
event.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from utils.plain_text import plain_post_text

__all__ = [
    "plain_post_text",
    "ExportRecord",
    "EXPORT_FORMATS",
    "BUFFER_COLUMNS",
    "CSV_COLUMNS",
    "LINKEDIN_MAX_CHARS",
    "to_linkedin",
    "to_markdown",
    "to_notion",
    "to_buffer_csv",
    "to_csv",
    "render_export",
    "neutralise_cell",
    "normalise_hashtag",
    "format_posting_time",
]

LINKEDIN_MAX_CHARS = 3000
BUFFER_COLUMNS = ("Text", "Image URL", "Tags", "Posting Time")
CSV_COLUMNS = (
    "item_id",
    "version_id",
    "title",
    "status",
    "quality",
    "provider",
    "style",
    "tone",
    "audience",
    "hook",
    "hashtags",
    "caption",
    "text",
    "source",
    "created_at",
)
# format -> (file extension, MIME type)
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "linkedin": ("txt", "text/plain; charset=utf-8"),
    "markdown": ("md", "text/markdown; charset=utf-8"),
    "notion": ("md", "text/markdown; charset=utf-8"),
    "buffer": ("csv", "text/csv; charset=utf-8"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HASHTAG_BODY = re.compile(r"[^\w]+", re.UNICODE)


@dataclass(frozen=True)
class ExportRecord:
    """One version of one item, flattened for export."""

    item_id: int
    version_id: int
    text: str
    title: str = ""
    hook: str = ""
    hashtags: tuple[str, ...] = ()
    caption: str = ""
    status: str = ""
    quality: float | None = None
    provider: str = ""
    style: str = ""
    tone: str = ""
    audience: str = ""
    source: str = ""
    created_at: str = ""
    sources: tuple[str, ...] = ()  # passage locations the post was written from
    image_url: str = ""
    tags: tuple[str, ...] = ()  # Buffer's own labels, not hashtags
    posting_time: str = ""  # "YYYY-MM-DD HH:mm"; empty lets Buffer queue it


def normalise_hashtag(tag: str) -> str:
    """`#CamelCase` form of a tag with every non-word character removed.

    Example: normalise_hashtag("static sites") == "#StaticSites"
    """
    raw = tag.strip().lstrip("#")
    parts = [p for p in _HASHTAG_BODY.split(raw) if p]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "".join(p[:1].upper() + p[1:] for p in parts)
    return "#" + body


def _hashtag_line(text: str, hashtags: Iterable[str]) -> str:
    present = {m.lower() for m in re.findall(r"#\w+", text)}
    tags: list[str] = []
    for tag in hashtags:
        norm = normalise_hashtag(tag)
        if norm and norm.lower() not in present and norm not in tags:
            tags.append(norm)
    return " ".join(tags)


def _truncate_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def to_linkedin(
    text: str, hashtags: Sequence[str] = (), max_chars: int = LINKEDIN_MAX_CHARS, *, plain: bool = True
) -> str:
    """Post text ready to paste into LinkedIn: plain text, hashtags appended once, at most `max_chars`.

    Example: to_linkedin("Hello", ["rust"]) == "Hello\\n\\n#rust"
    """
    body = (plain_post_text(text) if plain else text).strip()
    line = _hashtag_line(body, hashtags)
    if not line:
        return _truncate_words(body, max_chars)
    suffix = "\n\n" + line
    if len(suffix) >= max_chars:
        return _truncate_words(body, max_chars)
    return _truncate_words(body, max_chars - len(suffix)) + suffix


def _yaml_value(value: object) -> str:
    # JSON scalars and lists are valid YAML flow values and need no escaping rules of their own.
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _front_matter_fields(record: ExportRecord) -> list[tuple[str, object]]:
    return [
        ("title", record.title or f"Herald post {record.item_id}"),
        ("item_id", record.item_id),
        ("version_id", record.version_id),
        ("status", record.status),
        ("quality", None if record.quality is None else round(float(record.quality), 1)),
        ("provider", record.provider),
        ("style", record.style),
        ("tone", record.tone),
        ("audience", record.audience),
        ("hook", record.hook),
        ("caption", record.caption),
        ("hashtags", [normalise_hashtag(t) for t in record.hashtags if normalise_hashtag(t)]),
        ("source", record.source),
        ("sources", list(record.sources)),
        ("created_at", record.created_at),
    ]


def to_markdown(record: ExportRecord) -> str:
    """Markdown with YAML front matter (title, ids, status, quality, hashtags, sources) and the post."""
    lines = ["---"]
    lines += [f"{key}: {_yaml_value(value)}" for key, value in _front_matter_fields(record)]
    lines += ["---", "", to_linkedin(record.text, record.hashtags, plain=False), ""]
    if record.sources:
        lines += ["## Written from", ""] + [f"- `{loc}`" for loc in record.sources] + [""]
    return "\n".join(lines)


def _notion_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    return " ".join(str(value).split())


def to_notion(record: ExportRecord) -> str:
    """Markdown in the shape Notion itself exports pages: `# Title`, `Property: value` lines, body."""
    title = record.title or f"Herald post {record.item_id}"
    props = [(k, v) for k, v in _front_matter_fields(record) if k not in ("title", "sources")]
    names = {
        "item_id": "Item",
        "version_id": "Version",
        "created_at": "Created",
    }
    lines = [f"# {' '.join(title.split())}", ""]
    for key, value in props:
        rendered = _notion_value(value)
        if rendered:
            lines.append(f"{names.get(key, key.replace('_', ' ').title())}: {rendered}")
    lines += ["", "---", "", to_linkedin(record.text, record.hashtags, plain=False), ""]
    if record.sources:
        lines += ["## Written from", ""] + [f"- `{loc}`" for loc in record.sources] + [""]
    return "\n".join(lines)


def neutralise_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (leading `'` when needed).

    Example: neutralise_cell("=1+1") == "'=1+1"
    """
    text = "" if value is None else str(value)
    # Spreadsheets skip leading whitespace before reading a formula: " =1+1" runs too.
    if text.startswith(_FORMULA_STARTS) or text.lstrip(" \t\r\n\u00a0\u3000").startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in row])
    return out.getvalue()


def format_posting_time(when: datetime) -> str:
    """Buffer's posting-time format, `YYYY-MM-DD HH:mm` (24-hour)."""
    return when.strftime("%Y-%m-%d %H:%M")


def to_buffer_csv(rows: Sequence[ExportRecord]) -> str:
    """Buffer bulk-upload CSV: header `Text,Image URL,Tags,Posting Time`, one post per row."""
    return _write_csv(
        BUFFER_COLUMNS,
        ((to_linkedin(r.text, r.hashtags), r.image_url, ",".join(r.tags), r.posting_time) for r in rows),
    )


def to_csv(rows: Sequence[ExportRecord]) -> str:
    """A CSV of many items, one row per item version, columns `CSV_COLUMNS`."""
    return _write_csv(
        CSV_COLUMNS,
        (
            (
                r.item_id,
                r.version_id,
                r.title,
                r.status,
                "" if r.quality is None else round(float(r.quality), 1),
                r.provider,
                r.style,
                r.tone,
                r.audience,
                r.hook,
                " ".join(normalise_hashtag(t) for t in r.hashtags if normalise_hashtag(t)),
                r.caption,
                r.text,
                r.source,
                r.created_at,
            )
            for r in rows
        ),
    )


def render_export(fmt: str, records: Sequence[ExportRecord]) -> tuple[str, str, str]:
    """(extension, mime, text) of `records` in format `fmt`; single-post formats take one record."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if not records:
        raise ValueError("nothing to export")
    ext, mime = EXPORT_FORMATS[fmt]
    if fmt == "buffer":
        return ext, mime, to_buffer_csv(records)
    if fmt == "csv":
        return ext, mime, to_csv(records)
    if len(records) != 1:
        raise ValueError(f"{fmt} exports one item at a time; use csv or buffer for several")
    record = records[0]
    if fmt == "linkedin":
        return ext, mime, to_linkedin(record.text, record.hashtags) + "\n"
    if fmt == "markdown":
        return ext, mime, to_markdown(record)
    return ext, mime, to_notion(record)
