"""One storyboard to one set of files: MP4, SRT and thumbnail PNG.

`produce_video` draws the stills, adds the optional voice-over, renders the MP4
on the fast path, and writes the captions and the thumbnail beside it. On
failure or cancellation every file it started is removed, so a folder never
holds half a video. It knows nothing about the store or jobs (see
`core/video/service.py`).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import InvalidInputError
from core.video.captions import srt_from_storyboard
from core.video.render import Progress, ShouldCancel, check_writable, render_stills
from core.video.stills import iter_stills, size_for_aspect
from core.video.storyboard import Storyboard, validate
from core.video.thumbnail import thumbnail_size, write_thumbnail
from utils.settings import Settings

__all__ = ["VideoOptions", "ProducedVideo", "produce_video", "frame_size"]


@dataclass(frozen=True)
class VideoOptions:
    """How to render: aspect, captions, voice, and (for tests and previews) size and fps."""

    aspect: str = "16:9"
    burn_captions: bool = False
    voice: bool = False
    size: tuple[int, int] | None = None
    fps: int | None = None
    fades: bool = True

    def to_dict(self) -> dict:
        """Plain values for JSON (job payloads)."""
        return {
            "aspect": self.aspect,
            "burn_captions": self.burn_captions,
            "voice": self.voice,
            "size": list(self.size) if self.size else None,
            "fps": self.fps,
            "fades": self.fades,
        }

    @classmethod
    def from_dict(cls, data: dict) -> VideoOptions:
        """Rebuild from `to_dict` output."""
        size = data.get("size")
        return cls(
            aspect=str(data.get("aspect", "16:9")),
            burn_captions=bool(data.get("burn_captions", False)),
            voice=bool(data.get("voice", False)),
            size=(int(size[0]), int(size[1])) if size else None,
            fps=int(data["fps"]) if data.get("fps") else None,
            fades=bool(data.get("fades", True)),
        )


@dataclass(frozen=True)
class ProducedVideo:
    """The written files and what the creator should know about them."""

    mp4: Path
    srt: Path
    thumbnail: Path
    duration_s: float
    width: int
    height: int
    fps: int
    render_s: float
    board: Storyboard
    notes: tuple[str, ...] = field(default_factory=tuple)


def frame_size(options: VideoOptions) -> tuple[int, int]:
    """The output frame size: the override, else full HD for the aspect (even numbers for yuv420p)."""
    w, h = options.size or size_for_aspect(options.aspect)
    if w < 16 or h < 16 or w > 4096 or h > 4096:
        raise InvalidInputError(f"Video size {w}x{h} is out of range; use 16 to 4096 pixels per side")
    return (w - w % 2, h - h % 2)


def _write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def produce_video(
    board: Storyboard,
    out_dir: Path,
    stem: str,
    settings: Settings,
    options: VideoOptions = VideoOptions(),
    *,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> ProducedVideo:
    """Render `board` into `out_dir/stem.mp4`, `.srt` and `.png`; all or nothing."""
    started = time.perf_counter()
    report = progress or (lambda f, m: None)
    board = validate(board.with_aspect(options.aspect) if board.aspect != options.aspect else board)
    out_dir = check_writable(Path(out_dir))
    size = frame_size(options)
    fps = options.fps or settings.video_fps
    notes: list[str] = []
    mp4, srt, png = (out_dir / f"{stem}{ext}" for ext in (".mp4", ".srt", ".png"))
    written: list[Path] = []
    try:
        with tempfile.TemporaryDirectory(prefix="herald-video-") as tmp:
            work = Path(tmp)
            audio = None
            if options.voice:
                from core.video.tts import voice_over

                report(0.01, "speaking the scenes")
                track = voice_over(board, work / "voice", fps=fps, engine=settings.video_voice_engine)
                board, audio = track.board, track.wav
                notes.append(
                    f"Voice-over by {track.engine}; {track.stretched} scene(s) lengthened to fit the speech"
                )
            report(0.02, "drawing stills")
            still_notes: list[str] = []
            thumb = thumbnail_size(options.aspect) if options.size is None else size

            def stills_then_extras() -> Iterator[Path]:
                # Captions and thumbnail are made after the last still, while ffmpeg is still encoding.
                yield from iter_stills(
                    board, size, settings, work / "stills", captions=options.burn_captions, notes=still_notes
                )
                written.append(srt)
                _write_text(srt, srt_from_storyboard(board, fps))
                written.append(png)
                write_thumbnail(board, png, settings, size=thumb)

            def scaled(f: float, m: str) -> None:
                report(0.1 + 0.85 * f, m)

            outcome = render_stills(
                stills_then_extras(),
                [s.duration for s in board.scenes],
                mp4,
                fps=fps,
                size=size,
                audio=audio,
                fades=options.fades,
                workers=max(1, os.cpu_count() or 1),
                progress=scaled,
                should_cancel=should_cancel,
            )
            notes.extend(still_notes)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    report(1.0, "done")
    return ProducedVideo(
        mp4=mp4,
        srt=srt,
        thumbnail=png,
        duration_s=outcome.duration_s,
        width=size[0],
        height=size[1],
        fps=fps,
        render_s=round(time.perf_counter() - started, 3),
        board=board,
        notes=tuple(notes),
    )
