"""The video's thumbnail: its title card drawn as a PNG (1280x720, or 720x1280 for 9:16).

Drawn by the same code as the stills, so it matches the video's first scene.
This module does not extract frames from a rendered video.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core.video.stills import draw_scene
from core.video.storyboard import Scene, Storyboard
from utils.settings import Settings

__all__ = ["write_thumbnail", "thumbnail_size"]


def thumbnail_size(aspect: str) -> tuple[int, int]:
    """Thumbnail size for an aspect ratio."""
    return (720, 1280) if aspect == "9:16" else (1280, 720)


def write_thumbnail(
    board: Storyboard, path: Path, settings: Settings, *, size: tuple[int, int] | None = None
) -> Path:
    """Draw the title card (or the first scene) and save it as PNG at `path`, atomically."""
    scene = next((s for s in board.scenes if s.kind == "title"), None) or board.scenes[0]
    if not scene.text.strip():
        scene = Scene(board.title or "Herald", scene.duration, "title")
    still = draw_scene(scene, size or thumbnail_size(board.aspect), settings)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".png")
    os.close(fd)
    try:
        still.image.save(tmp, format="PNG")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
