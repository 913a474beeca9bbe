"""Helpers for the video tests: read back what ffmpeg wrote."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_video(path: Path) -> tuple[dict, list[np.ndarray]]:
    """The metadata and every frame (H x W x 3 uint8) of a video file."""
    import imageio_ffmpeg

    gen = imageio_ffmpeg.read_frames(str(path))
    meta = next(gen)
    w, h = meta["size"]
    frames = [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3) for f in gen]
    return meta, frames


def probe(path: Path) -> str:
    """ffmpeg's description of the file's streams (stderr of `ffmpeg -i`)."""
    import subprocess

    import imageio_ffmpeg

    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True
    )
    return proc.stderr.decode("utf-8", "replace")
