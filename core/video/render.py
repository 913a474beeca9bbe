"""The fast render path: stills to H.264 MP4 with ffmpeg, no per-frame compositing.

Each scene's still is decoded once by ffmpeg, looped, and encoded into three
short segments in one process: a fade-in, a body chunk (encoded once and
repeated by the concat list, since its frames are identical) and a fade-out.
Segments are joined with the concat demuxer and `-c copy`; an optional voice
track is encoded to AAC in that last step. Frame counts come from cumulative
scene boundaries, so the video and the SRT never drift apart. The output is
written to a temporary file beside the target and moved into place only when
ffmpeg succeeded. This module does not draw stills or choose scene timings.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from core.errors import HeraldError, InvalidInputError

__all__ = [
    "RenderOutcome",
    "RenderCancelledError",
    "RenderFailedError",
    "OutputNotWritableError",
    "render_stills",
    "frame_boundaries",
    "ffmpeg_exe",
    "check_writable",
]

LOG = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
ShouldCancel = Callable[[], bool]
FADE_S = 0.3
CHUNK_S = (0.5, 1.0)  # body chunk length range: a keyframe every 0.5 to 1 s of still video
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt", "yuv420p"]
CRF_STEADY, CRF_FADE = (
    "20",
    "30",
)  # dim fade frames need fewer bits; CRF is not in SPS/PPS, so concat -c copy works


class RenderCancelledError(HeraldError):
    """The render was cancelled; nothing was written."""


class RenderFailedError(HeraldError):
    """ffmpeg failed; the message carries its last lines of output."""


class OutputNotWritableError(InvalidInputError):
    """The output folder cannot be created or written to."""


@dataclass(frozen=True)
class RenderOutcome:
    """A finished MP4 and how it was made."""

    path: Path
    duration_s: float
    width: int
    height: int
    fps: int
    frames: int
    render_s: float


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped by imageio-ffmpeg."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def check_writable(folder: Path) -> Path:
    """Create `folder` if needed and prove it is writable, or raise OutputNotWritableError."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".herald-write-test-"):
            pass
    except OSError as exc:
        raise OutputNotWritableError(
            f"Output folder {folder} is not writable ({exc.strerror or exc}); "
            "choose another folder with --out or fix its permissions"
        ) from exc
    return folder


def frame_boundaries(durations: Sequence[float], fps: int) -> list[int]:
    """Frame index where each scene starts, plus the total: cumulative rounding, no drift.

    Example: frame_boundaries([1.0, 1.0], 24) == [0, 24, 48]
    """
    out, t = [0], 0.0
    for d in durations:
        t += d
        out.append(max(out[-1] + 1, round(t * fps)))
    return out


@dataclass(frozen=True)
class _Plan:
    index: int
    still: Path
    fade: int
    chunk: int
    repeats: int
    rest: int


def _plan(index: int, still: Path, frames: int, fps: int, fades: bool) -> _Plan:
    fade = min(round(FADE_S * fps), frames // 3) if fades else 0
    body = frames - 2 * fade
    lo, hi = max(1, round(CHUNK_S[0] * fps)), max(1, round(CHUNK_S[1] * fps))
    if body <= 2 * hi:
        return _Plan(index, still, fade, body, 1, 0)
    # Encoded frames are chunk + rest; pick the chunk length that encodes the fewest (ties: longer chunk).
    chunk = min(range(lo, hi + 1), key=lambda c: (c + body % c, -c))
    return _Plan(index, still, fade, chunk, body // chunk, body % chunk)


class _Runner:
    """Runs ffmpeg processes, killing them all when the render is cancelled."""

    def __init__(self, should_cancel: ShouldCancel | None):
        self.should_cancel = should_cancel or (lambda: False)
        self.lock = threading.Lock()
        self.cancelled = False

    def run(self, args: list[str]) -> None:
        if self.cancelled or self.should_cancel():
            self.cancelled = True
            raise RenderCancelledError("Render cancelled")
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-v", "error", *args],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            while True:
                try:
                    code = proc.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    if self.cancelled or self.should_cancel():
                        self.cancelled = True
                        proc.kill()
                        proc.wait()
                        raise RenderCancelledError("Render cancelled") from None
            if code != 0:
                err.seek(0)
                tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
                raise RenderFailedError(f"ffmpeg failed (exit {code}): {' | '.join(tail)}")


def _encode_scene(runner: _Runner, plan: _Plan, seg_dir: Path, fps: int) -> list[Path]:
    """Encode one scene's segments in one ffmpeg process; return them in play order."""
    parts: list[tuple[str, int, str]] = []  # (name, frames, extra filter)
    if plan.fade:
        parts.append(("in", plan.fade, f",fade=t=in:s=0:n={plan.fade}"))
    if plan.chunk:
        parts.append(("body", plan.chunk, ""))
    if plan.rest:
        parts.append(("rest", plan.rest, ""))
    if plan.fade:
        parts.append(("out", plan.fade, f",fade=t=out:s=0:n={plan.fade}"))
    labels = "".join(f"[s{i}]" for i in range(len(parts)))
    graph = [f"[0:v]format=yuv420p,split={len(parts)}{labels}"]
    outputs: list[str] = []
    paths: dict[str, Path] = {}
    for i, (name, frames, extra) in enumerate(parts):
        graph.append(f"[s{i}]loop=loop={frames - 1}:size=1:start=0,setpts=N/{fps}/TB{extra}[o{i}]")
        paths[name] = seg_dir / f"scene-{plan.index:04d}-{name}.mp4"
        crf = CRF_FADE if name in ("in", "out") else CRF_STEADY
        outputs += [
            "-map",
            f"[o{i}]",
            "-frames:v",
            str(frames),
            "-r",
            str(fps),
            *X264,
            "-crf",
            crf,
            str(paths[name]),
        ]
    runner.run(
        [
            "-threads",
            "1",
            "-filter_threads",
            "1",
            "-framerate",
            str(fps),
            "-i",
            str(plan.still),
            "-filter_complex",
            ";".join(graph),
            *outputs,
        ]
    )
    order = ([paths["in"]] if plan.fade else []) + [paths["body"]] * plan.repeats
    order += ([paths["rest"]] if plan.rest else []) + ([paths["out"]] if plan.fade else [])
    return order


def render_stills(
    stills: Iterable[Path],
    durations: Sequence[float],
    out_path: Path,
    *,
    fps: int,
    size: tuple[int, int],
    audio: Path | None = None,
    fades: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> RenderOutcome:
    """Encode stills shown for `durations` seconds into an MP4 at `out_path` (atomic move).

    `stills` may be a generator: each scene starts encoding as soon as its still is yielded.
    """
    scenes = len(durations)
    if not scenes:
        raise InvalidInputError("Give one still per scene and at least one scene")
    if fps < 1 or fps > 120:
        raise InvalidInputError(f"fps must be 1 to 120, not {fps}")
    started = time.perf_counter()
    report = progress or (lambda f, m: None)
    out_path = Path(out_path)
    check_writable(out_path.parent)
    runner = _Runner(should_cancel)
    bounds = frame_boundaries(durations, fps)
    workers = max(1, min(workers or os.cpu_count() or 1, scenes))
    with tempfile.TemporaryDirectory(prefix="herald-render-") as tmp:
        seg_dir = Path(tmp)
        done = 0
        lock = threading.Lock()

        def encode(plan: _Plan) -> list[Path]:
            nonlocal done
            order = _encode_scene(runner, plan, seg_dir, fps)
            with lock:
                done += 1
                report(0.05 + 0.85 * done / scenes, f"encoded scene {done}/{scenes}")
            return order

        report(0.05, "encoding scenes")
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="herald-ffmpeg") as pool:
            futures = []
            try:
                for i, still in enumerate(stills):
                    if i >= scenes or runner.cancelled:
                        break
                    plan = _plan(i, Path(still), bounds[i + 1] - bounds[i], fps, fades)
                    futures.append(pool.submit(encode, plan))
                if len(futures) != scenes and not runner.cancelled:
                    raise InvalidInputError("Give exactly one still per scene")
                orders = [f.result() for f in futures]
            except BaseException:
                runner.cancelled = True  # stop the scenes still encoding; the first error is raised
                for f in futures:
                    f.cancel()
                raise
        listing = seg_dir / "concat.txt"
        listing.write_text("".join(f"file '{p.as_posix()}'\n" for order in orders for p in order))
        report(0.92, "joining scenes")
        fd, partial = tempfile.mkstemp(
            dir=out_path.parent, prefix=f".{out_path.stem}-", suffix=".partial.mp4"
        )
        os.close(fd)
        try:
            args = ["-f", "concat", "-safe", "0", "-i", str(listing)]
            if audio is not None:
                args += ["-i", str(audio), "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-b:a", "128k"]
            args += ["-c:v", "copy", "-movflags", "+faststart", "-f", "mp4", partial]
            runner.run(args)
            os.chmod(partial, 0o644)
            os.replace(partial, out_path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    report(1.0, "done")
    frames = bounds[-1]
    return RenderOutcome(
        path=out_path,
        duration_s=round(frames / fps, 3),
        width=size[0],
        height=size[1],
        fps=fps,
        frames=frames,
        render_s=round(time.perf_counter() - started, 3),
    )
