"""Storyboards: a script split into timed scenes, with a title card and an end card.

`storyboard_from_text` turns a script (one scene per line) into a `Storyboard`:
whitespace-only lines are dropped, long lines are wrapped at word boundaries and
split into several scenes (a word is never broken), and each scene lasts its
reading time, clamped to the settings' minimum and maximum. Storyboards convert
to and from JSON so they can be stored with an item's version. This module does
not draw or render anything.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from core.errors import InvalidInputError
from utils.settings import Settings

__all__ = [
    "Scene",
    "Storyboard",
    "SCENE_KINDS",
    "ASPECTS",
    "MAX_SCENE_CHARS",
    "MAX_SCENES",
    "storyboard_from_text",
    "storyboard_from_rows",
    "wrap_words",
    "reading_seconds",
]

SCENE_KINDS = ("title", "scene", "end")
ASPECTS = ("16:9", "9:16")
MAX_SCENE_CHARS = 140  # about two short caption lines; longer lines become several scenes
MAX_SCENES = 1_000
MAX_TITLE_CHARS = 80
END_TEXT = "Made with Herald"
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Scene:
    """One card of the video: its text, how long it shows, and its kind."""

    text: str
    duration: float
    kind: str = "scene"  # title | scene | end


@dataclass(frozen=True)
class Storyboard:
    """The ordered scenes of a video, its aspect ratio and its title."""

    scenes: tuple[Scene, ...]
    aspect: str = "16:9"
    title: str = ""

    @property
    def duration(self) -> float:
        """Total length in seconds."""
        return round(sum(s.duration for s in self.scenes), 3)

    def starts(self) -> list[float]:
        """Start time of every scene in seconds."""
        out, t = [], 0.0
        for s in self.scenes:
            out.append(round(t, 3))
            t += s.duration
        return out

    def lines(self) -> list[str]:
        """The text of the body scenes (no title or end card), one per scene."""
        return [s.text for s in self.scenes if s.kind == "scene"]

    def with_aspect(self, aspect: str) -> Storyboard:
        """A copy with another aspect ratio."""
        _check_aspect(aspect)
        return replace(self, aspect=aspect)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "title": self.title,
            "aspect": self.aspect,
            "scenes": [{"text": s.text, "duration": s.duration, "kind": s.kind} for s in self.scenes],
        }

    def to_json(self) -> str:
        """JSON text, for storing with an item's version."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Storyboard:
        """Rebuild from `to_dict` output; raises InvalidInputError on malformed data."""
        try:
            scenes = tuple(
                Scene(str(s["text"]), float(s["duration"]), str(s.get("kind", "scene")))
                for s in data["scenes"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"Malformed storyboard ({exc}); rebuild it from the script") from exc
        board = cls(scenes=scenes, aspect=str(data.get("aspect", "16:9")), title=str(data.get("title", "")))
        validate(board)
        return board

    @classmethod
    def from_json(cls, text: str) -> Storyboard:
        """Rebuild from `to_json` output."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"Storyboard is not valid JSON ({exc})") from exc


def _check_aspect(aspect: str) -> None:
    if aspect not in ASPECTS:
        raise InvalidInputError(f"Aspect must be one of {', '.join(ASPECTS)}, not {aspect!r}")


def validate(board: Storyboard) -> Storyboard:
    """Raise InvalidInputError naming the fix when a storyboard cannot be rendered."""
    _check_aspect(board.aspect)
    if not any(s.kind == "scene" for s in board.scenes):
        raise InvalidInputError("The storyboard has no scenes: write at least one non-empty line")
    if len(board.scenes) > MAX_SCENES + 2:
        raise InvalidInputError(
            f"Too many scenes ({len(board.scenes)}); keep the script under {MAX_SCENES} scenes"
        )
    for i, s in enumerate(board.scenes, 1):
        if s.kind not in SCENE_KINDS:
            raise InvalidInputError(f"Scene {i} has kind {s.kind!r}; use one of {', '.join(SCENE_KINDS)}")
        if not math.isfinite(s.duration) or not 0.2 <= s.duration <= 120:
            raise InvalidInputError(f"Scene {i} lasts {s.duration} s; give 0.2 to 120 seconds")
    return board


def reading_seconds(text: str, wpm: float) -> float:
    """Seconds a viewer needs to read `text` at `wpm` words per minute (plus a short settle)."""
    words = len(text.split())
    return 0.6 + words * 60.0 / max(wpm, 1.0)


def _duration(text: str, settings: Settings) -> float:
    raw = reading_seconds(text, settings.reading_wpm)
    return round(min(max(raw, settings.scene_min_s), settings.scene_max_s), 2)


def wrap_words(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap into pieces of at most `max_chars`; a longer word stays whole.

    Example: wrap_words("a bb ccc", 4) == ["a bb", "ccc"]
    """
    pieces: list[str] = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= max_chars:
            current += " " + word
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def _clean_line(line: str) -> str:
    line = _BULLET.sub("", line)
    return _SPACE.sub(" ", line).strip()


def storyboard_from_text(
    text: str, settings: Settings, *, title: str = "", aspect: str = "16:9", end_text: str = END_TEXT
) -> Storyboard:
    """Split a script into a title card, one or more scenes per non-empty line, and an end card."""
    _check_aspect(aspect)
    lines = [_clean_line(ln) for ln in (text or "").splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise InvalidInputError("The script is empty: write at least one line of text")
    body: list[Scene] = []
    for line in lines:
        for piece in wrap_words(line, MAX_SCENE_CHARS):
            body.append(Scene(piece, _duration(piece, settings), "scene"))
    if len(body) > MAX_SCENES:
        raise InvalidInputError(
            f"The script makes {len(body)} scenes; keep it under {MAX_SCENES} (split it into several videos)"
        )
    title = _SPACE.sub(" ", title or "").strip() or wrap_words(lines[0], MAX_TITLE_CHARS)[0]
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    card = max(settings.scene_min_s, 2.0)
    scenes = (Scene(title, round(card, 2), "title"), *body, Scene(end_text, round(card, 2), "end"))
    return Storyboard(scenes=scenes, aspect=aspect, title=title)


def storyboard_from_rows(rows: Iterable[dict[str, Any]], *, aspect: str, title: str = "") -> Storyboard:
    """Build a storyboard from edited table rows (text, duration, kind); blank rows are dropped."""
    scenes: list[Scene] = []
    for i, row in enumerate(rows, 1):
        text = _SPACE.sub(" ", str(row.get("text") or "")).strip()
        if not text:
            continue
        try:
            duration = float(row.get("duration") or 0)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"Row {i}: duration must be a number of seconds") from exc
        kind = str(row.get("kind") or "scene")
        scenes.append(Scene(text, round(duration, 2), kind))
    return validate(Storyboard(scenes=tuple(scenes), aspect=aspect, title=title))
