"""The project card's typed values: `CardField` (a value with its source lines), `Release`, `ProjectCard`.

Plain frozen dataclasses with `to_dict` / `card_from_dict` for the JSON cache,
the CLI and the stored version data. Building a card is `rag.card`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.types import location_of

__all__ = ["CardField", "Release", "ProjectCard", "card_from_dict", "CARD_FORMAT"]

CARD_FORMAT = 2


@dataclass(frozen=True)
class CardField:
    """One value of the card and where it came from (1-based, inclusive lines; 0 when lines do not apply)."""

    value: str
    path: str
    start_line: int = 0
    end_line: int = 0
    label: str = ""  # a link's kind (homepage, docs, repository), a code block's language, ...

    @property
    def location(self) -> str:
        """`path:start-end`, or just the path."""
        return location_of(self.path, self.start_line, self.end_line)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {"value": self.value, "path": self.path,
                               "start_line": self.start_line, "end_line": self.end_line}  # fmt: skip
        if self.label:
            out["label"] = self.label
        return out


@dataclass(frozen=True)
class Release:
    """The latest release: version, date and its top changes, each with its source."""

    version: CardField
    date: CardField | None = None
    changes: tuple[CardField, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"version": self.version.to_dict(), "date": _d(self.date),
                "changes": [c.to_dict() for c in self.changes]}  # fmt: skip


def _d(f: CardField | None) -> dict[str, Any] | None:
    return f.to_dict() if f is not None else None


@dataclass(frozen=True)
class ProjectCard:
    """What a post about a project may say, each field with the lines it came from."""

    name: CardField
    tagline: CardField | None = None
    problem: CardField | None = None
    features: tuple[CardField, ...] = ()
    install: tuple[CardField, ...] = ()
    usage: CardField | None = None  # label: the code's language
    language: CardField | None = None
    ecosystem: CardField | None = None
    licence: CardField | None = None
    release: Release | None = None
    links: tuple[CardField, ...] = ()  # label: homepage | docs | repository
    keywords: tuple[CardField, ...] = ()
    skipped: tuple[str, ...] = ()  # boilerplate sections recognised, "README.md:40-52: contributing section"
    notes: tuple[str, ...] = ()  # e.g. "the README is not in English"
    edits: tuple[str, ...] = ()  # the creator's edits, in order
    content_hash: str = ""
    format: int = field(default=CARD_FORMAT)

    @property
    def main_url(self) -> str:
        """The homepage, else the repository, else the docs URL ("" when none)."""
        for label in ("homepage", "repository", "docs"):
            for link in self.links:
                if link.label == label:
                    return link.value
        return ""

    @property
    def is_empty(self) -> bool:
        """True when the card has nothing to say beyond the name."""
        return not (self.tagline or self.features or self.problem or self.usage or self.install)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: every field with its `path`, `start_line`, `end_line`."""
        return {
            "name": self.name.to_dict(),
            "tagline": _d(self.tagline),
            "problem": _d(self.problem),
            "features": [f.to_dict() for f in self.features],
            "install": [f.to_dict() for f in self.install],
            "usage": _d(self.usage),
            "language": _d(self.language),
            "ecosystem": _d(self.ecosystem),
            "licence": _d(self.licence),
            "release": self.release.to_dict() if self.release else None,
            "links": [f.to_dict() for f in self.links],
            "keywords": [f.to_dict() for f in self.keywords],
            "skipped": list(self.skipped),
            "notes": list(self.notes),
            "edits": list(self.edits),
            "content_hash": self.content_hash,
            "format": self.format,
        }


def _field(data: Any) -> CardField | None:
    if not isinstance(data, dict) or "value" not in data:
        return None
    return CardField(str(data["value"]), str(data.get("path", "")), int(data.get("start_line", 0)),
                     int(data.get("end_line", 0)), str(data.get("label", "")))  # fmt: skip


def _fields(data: Any) -> tuple[CardField, ...]:
    return tuple(f for f in (_field(d) for d in data or ()) if f is not None)


def card_from_dict(data: dict[str, Any]) -> ProjectCard:
    """The card `ProjectCard.to_dict` wrote (raises `ValueError` when it is not one)."""
    name = _field(data.get("name"))
    if name is None:
        raise ValueError("not a project card: no name")
    rel = data.get("release")
    release = None
    if isinstance(rel, dict) and _field(rel.get("version")):
        release = Release(_field(rel["version"]), _field(rel.get("date")), _fields(rel.get("changes")))  # type: ignore[arg-type]
    return ProjectCard(
        name=name,
        tagline=_field(data.get("tagline")),
        problem=_field(data.get("problem")),
        features=_fields(data.get("features")),
        install=_fields(data.get("install")),
        usage=_field(data.get("usage")),
        language=_field(data.get("language")),
        ecosystem=_field(data.get("ecosystem")),
        licence=_field(data.get("licence")),
        release=release,
        links=_fields(data.get("links")),
        keywords=_fields(data.get("keywords")),
        skipped=tuple(str(s) for s in data.get("skipped") or ()),
        notes=tuple(str(s) for s in data.get("notes") or ()),
        edits=tuple(str(s) for s in data.get("edits") or ()),
        content_hash=str(data.get("content_hash", "")),
        format=int(data.get("format", CARD_FORMAT)),
    )
