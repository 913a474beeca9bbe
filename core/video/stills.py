"""Scene stills: each scene drawn once as a Pillow image, the only drawing Herald does.

Text is wrapped by pixel width inside safe margins, shrunk until it fits, and
drawn light on a dark background (contrast well above WCAG AA). Characters the
main font lacks are drawn with the first fallback font that has them (DejaVu,
then Noto fonts when installed); characters no font has (emoji, CJK without
fonts-noto-cjk) are reported in the notes. Right-to-left scripts are drawn
without shaping. This module does not encode video.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.video.storyboard import Scene, Storyboard
from utils.settings import Settings

__all__ = [
    "DrawnStill",
    "StillSet",
    "draw_scene",
    "draw_stills",
    "iter_stills",
    "font_chain",
    "contrast_ratio",
    "BACKGROUND",
    "FOREGROUND",
    "size_for_aspect",
]

LOG = logging.getLogger(__name__)
BACKGROUND = ((15, 23, 42), (30, 41, 59))  # top and bottom of the gradient
FOREGROUND = (248, 250, 252)
ACCENT = (56, 189, 248)
CAPTION_BAND = (0, 0, 0)
SAFE_X = 0.08  # share of the width kept clear on each side
SAFE_Y = 0.10
DEJAVU = "/usr/share/fonts/truetype/dejavu"
NOTO = "/usr/share/fonts/truetype/noto"
FALLBACK_FONTS = (
    f"{DEJAVU}/DejaVuSans-Bold.ttf",
    f"{DEJAVU}/DejaVuSans.ttf",
    f"{NOTO}/NotoSans-Bold.ttf",
    *(
        f"{NOTO}/NotoSans{script}-Bold.ttf"
        for script in (
            "Arabic",
            "Hebrew",
            "Devanagari",
            "Bengali",
            "Tamil",
            "Telugu",
            "Kannada",
            "Malayalam",
            "Gujarati",
            "Gurmukhi",
            "Thai",
            "Lao",
            "Khmer",
            "Sinhala",
            "Myanmar",
            "Armenian",
            "Georgian",
            "Ethiopic",
        )
    ),
    f"{NOTO}/NotoSansSymbols-Bold.ttf",
    f"{NOTO}/NotoSansSymbols2-Regular.ttf",
    f"{NOTO}/NotoSansMath-Regular.ttf",
)


@dataclass(frozen=True)
class DrawnStill:
    """One drawn scene and the characters no installed font could draw."""

    image: object  # PIL.Image.Image
    missing: frozenset[str]
    fallback_fonts: frozenset[str]
    shortened: bool


@dataclass(frozen=True)
class StillSet:
    """The PNG of every scene, in order, and notes for the creator."""

    paths: tuple[Path, ...]
    size: tuple[int, int]
    notes: tuple[str, ...]


def size_for_aspect(aspect: str) -> tuple[int, int]:
    """Full-HD frame size for an aspect ratio: 1920x1080 or 1080x1920."""
    return (1080, 1920) if aspect == "9:16" else (1920, 1080)


def contrast_ratio(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21)."""

    def lum(c: tuple[int, int, int]) -> float:
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def font_chain(settings: Settings) -> tuple[str, ...]:
    """The configured font first, then every installed fallback, without duplicates."""
    out: list[str] = []
    for path in (settings.video_font, *FALLBACK_FONTS):
        if path and path not in out and Path(path).is_file():
            out.append(path)
    if not out:
        raise FileNotFoundError(
            f"No font found: HERALD_VIDEO_FONT={settings.video_font!r} is missing and DejaVu is not "
            "installed; install fonts-dejavu-core or set HERALD_VIDEO_FONT to a .ttf file"
        )
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _cmap(path: str) -> frozenset[int]:
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception as exc:  # a broken font file must not stop a render
        LOG.warning("cannot read the character map of %s: %s", path, exc)
        return frozenset()


@functools.lru_cache(maxsize=256)
def _font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=8)
def _background(size: tuple[int, int]):
    from PIL import Image

    w, h = size
    top, bottom = BACKGROUND
    column = Image.new("RGB", (1, h))
    column.putdata(
        [tuple(round(top[c] + (bottom[c] - top[c]) * y / max(h - 1, 1)) for c in range(3)) for y in range(h)]
    )
    return column.resize((w, h))


def _is_drawable_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc")


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


class _Shaper:
    """Splits text into runs by the first font of the chain that has each character."""

    def __init__(self, chain: tuple[str, ...]):
        self.chain = chain
        self.missing: set[str] = set()
        self.used: set[str] = set()

    def font_for(self, ch: str) -> str:
        if _is_drawable_space(ch):
            return self.chain[0]
        for path in self.chain:
            if ord(ch) in _cmap(path):
                if path != self.chain[0]:
                    self.used.add(path)
                return path
        self.missing.add(ch)
        return self.chain[0]

    def runs(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for ch in text:
            if out and _is_mark(ch):  # a combining mark stays with the letter it modifies
                out[-1] = (out[-1][0] + ch, out[-1][1])
                continue
            path = self.font_for(ch)
            if out and out[-1][1] == path:
                out[-1] = (out[-1][0] + ch, path)
            else:
                out.append((ch, path))
        return out

    def width(self, text: str, size: int) -> float:
        return sum(_font(path, size).getlength(run) for run, path in self.runs(text))


def _wrap(shaper: _Shaper, text: str, size: int, max_w: float) -> tuple[list[str], bool]:
    """Lines wrapped at spaces by pixel width; the flag says a single word is wider than max_w."""
    lines: list[str] = []
    current = ""
    too_wide = False
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if shaper.width(candidate, size) <= max_w:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if shaper.width(word, size) > max_w:
            too_wide = True
    if current:
        lines.append(current)
    return lines, too_wide


def _shorten(shaper: _Shaper, line: str, size: int, max_w: float) -> str:
    """Cut a line that cannot fit to its widest prefix plus an ellipsis (display only)."""
    lo, hi = 0, len(line)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if shaper.width(line[:mid] + "…", size) <= max_w:
            lo = mid
        else:
            hi = mid - 1
    return line[:lo] + "…"


def _layout(shaper: _Shaper, text: str, box: tuple[int, int], base: int, minimum: int):
    """Largest font size (base down to minimum) whose wrapped lines fit the box."""
    max_w, max_h = box
    size = base
    while True:
        lines, too_wide = _wrap(shaper, text, size, max_w)
        line_h = int(size * 1.25)
        if not too_wide and len(lines) * line_h <= max_h:
            return lines, size, line_h, False
        if size <= minimum:
            break
        size = max(minimum, int(size * 0.9))
    keep = max(1, max_h // line_h)
    shortened = too_wide or len(lines) > keep
    lines = lines[:keep]
    if len(lines) < len(_wrap(shaper, text, size, max_w)[0]):
        lines[-1] = lines[-1] + " …"
    lines = [ln if shaper.width(ln, size) <= max_w else _shorten(shaper, ln, size, max_w) for ln in lines]
    return lines, size, line_h, shortened


def _draw_lines(draw, shaper: _Shaper, lines, size, line_h, box_xy, box_wh, fill, valign="center"):
    bx, by = box_xy
    bw, bh = box_wh
    total = len(lines) * line_h
    y = by + (bh - total) / 2 if valign == "center" else by
    for line in lines:
        x = bx + (bw - shaper.width(line, size)) / 2
        for run, path in shaper.runs(line):
            font = _font(path, size)
            draw.text((x, y + (line_h - size) / 2), run, font=font, fill=fill)
            x += font.getlength(run)
        y += line_h


def draw_scene(
    scene: Scene, size: tuple[int, int], settings: Settings, *, caption: bool = False
) -> DrawnStill:
    """Draw one scene as an RGB image of `size`; with `caption`, add a caption band at the bottom."""
    from PIL import ImageDraw

    w, h = size
    image = _background(size).copy()
    draw = ImageDraw.Draw(image)
    shaper = _Shaper(font_chain(settings))
    unit = min(w, h)
    margin_x, margin_y = int(w * SAFE_X), int(h * SAFE_Y)
    box_w, box_h = w - 2 * margin_x, h - 2 * margin_y
    band_h = 0
    if caption and scene.kind == "scene":
        cap_size = max(8, int(unit * 0.045))
        cap_lines, cap_size, cap_lh, _ = _layout(
            shaper, scene.text, (box_w, int(cap_size * 1.25 * 2)), cap_size, max(6, cap_size // 2)
        )
        band_h = len(cap_lines) * cap_lh + int(cap_size * 0.8)
        band_top = h - margin_y - band_h
        draw.rectangle((0, band_top, w, band_top + band_h), fill=CAPTION_BAND)
        _draw_lines(
            draw, shaper, cap_lines, cap_size, cap_lh, (margin_x, band_top), (box_w, band_h), FOREGROUND
        )
        box_h -= band_h + int(unit * 0.03)
    base = int(unit * (0.11 if scene.kind == "title" else 0.075 if scene.kind == "scene" else 0.06))
    lines, font_size, line_h, shortened = _layout(
        shaper, scene.text, (box_w, max(box_h, 1)), max(base, 6), max(6, int(unit * 0.03))
    )
    if scene.kind == "title":
        bar_w, bar_h = int(w * 0.12), max(2, int(unit * 0.012))
        total = len(lines) * line_h
        bar_y = margin_y + (box_h - total) / 2 - bar_h * 3
        draw.rectangle(((w - bar_w) / 2, bar_y, (w + bar_w) / 2, bar_y + bar_h), fill=ACCENT)
    _draw_lines(draw, shaper, lines, font_size, line_h, (margin_x, margin_y), (box_w, box_h), FOREGROUND)
    return DrawnStill(
        image=image,
        missing=frozenset(shaper.missing),
        fallback_fonts=frozenset(Path(p).name for p in shaper.used),
        shortened=shortened,
    )


def _describe_missing(chars: set[str]) -> str:
    emoji = sorted(c for c in chars if ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF)
    other = sorted(chars - set(emoji))
    parts = []
    if emoji:
        parts.append(f"emoji {' '.join(emoji[:12])}")
    if other:
        scripts = sorted({unicodedata.name(c, "UNKNOWN").split(" ")[0] for c in other})
        parts.append(f"{', '.join(scripts[:6])} characters {''.join(other[:12])}")
    return "; ".join(parts)


def iter_stills(
    board: Storyboard,
    size: tuple[int, int],
    settings: Settings,
    out_dir: Path,
    *,
    captions: bool = False,
    notes: list[str] | None = None,
) -> Iterator[Path]:
    """Draw scenes one by one, yielding each PNG as soon as it is saved; notes are appended at the end."""
    out_dir.mkdir(parents=True, exist_ok=True)
    missing: set[str] = set()
    fallbacks: set[str] = set()
    shortened = 0
    for i, scene in enumerate(board.scenes):
        still = draw_scene(scene, size, settings, caption=captions)
        path = out_dir / f"scene-{i:04d}.png"
        still.image.save(path, compress_level=1)
        missing |= still.missing
        fallbacks |= still.fallback_fonts
        shortened += still.shortened
        yield path
    if notes is None:
        return
    if fallbacks:
        notes.append(
            f"Fallback fonts used for characters the main font lacks: {', '.join(sorted(fallbacks))}"
        )
    if missing:
        notes.append(
            f"No installed font has glyphs for {_describe_missing(missing)}; they show as boxes "
            "(install fonts-noto-core or fonts-noto-cjk, or remove them from the script)"
        )
    if shortened:
        notes.append(f"{shortened} scene(s) had text too long for the frame and were shortened on screen")


def draw_stills(
    board: Storyboard, size: tuple[int, int], settings: Settings, out_dir: Path, *, captions: bool = False
) -> StillSet:
    """Draw every scene once and save it as PNG under `out_dir`; notes name missing glyphs."""
    notes: list[str] = []
    paths = tuple(iter_stills(board, size, settings, out_dir, captions=captions, notes=notes))
    return StillSet(paths=paths, size=size, notes=tuple(notes))
