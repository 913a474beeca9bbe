"""SRT captions from a storyboard's timings.

One cue per body scene (title and end cards carry no caption), timed by the
same cumulative frame boundaries the renderer uses, so cues match the video to
the frame. Burnt-in captions are drawn onto the stills by `stills.py`; this
module only writes and reads SRT text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.video.render import frame_boundaries
from core.video.storyboard import Storyboard, wrap_words

__all__ = ["Cue", "srt_from_storyboard", "parse_srt", "format_timestamp", "CAPTION_LINE_CHARS"]

CAPTION_LINE_CHARS = 42
_TS = re.compile(r"(\d+):(\d\d):(\d\d),(\d\d\d)")


@dataclass(frozen=True)
class Cue:
    """One caption: when it shows and its text."""

    index: int
    start: float
    end: float
    text: str


def format_timestamp(seconds: float) -> str:
    """SRT timestamp. Example: format_timestamp(61.5) == "00:01:01,500" """
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def _parse_ts(text: str) -> float:
    m = _TS.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not an SRT timestamp: {text!r}")
    h, mi, s, ms = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


def cues(board: Storyboard, fps: int) -> list[Cue]:
    """Caption cues for the body scenes, at frame-exact times for `fps`."""
    bounds = frame_boundaries([s.duration for s in board.scenes], fps)
    out: list[Cue] = []
    for i, scene in enumerate(board.scenes):
        if scene.kind != "scene":
            continue
        text = "\n".join(wrap_words(scene.text, CAPTION_LINE_CHARS))
        out.append(Cue(len(out) + 1, bounds[i] / fps, bounds[i + 1] / fps, text))
    return out


def srt_from_storyboard(board: Storyboard, fps: int = 24) -> str:
    """The SRT file text for a storyboard rendered at `fps`."""
    blocks = [
        f"{c.index}\n{format_timestamp(c.start)} --> {format_timestamp(c.end)}\n{c.text}\n"
        for c in cues(board, fps)
    ]
    return "\n".join(blocks)


def parse_srt(text: str) -> list[Cue]:
    """Read SRT text back into cues (for tests and imports)."""
    out: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        if len(lines) < 2:
            continue
        start, _, end = lines[1].partition("-->")
        out.append(Cue(int(lines[0]), _parse_ts(start), _parse_ts(end), "\n".join(lines[2:])))
    return out
