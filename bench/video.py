"""Benchmark: Herald's fast render path against a naive MoviePy composite, same 60-second storyboard.

Renders a 60 s storyboard at 1920x1080, 24 fps twice in one run:
  1. Herald: Pillow stills drawn once + ffmpeg (loop, fade, concat -c copy), plus SRT and thumbnail;
  2. naive MoviePy: a TextClip per scene over a ColorClip in a CompositeVideoClip, with fades,
     concatenated and written with MoviePy's defaults (libx264).
Prints both wall times, the ratio, and Herald's speed as a multiple of real time.
Run: .venv/bin/python bench/video.py   (about 1-3 minutes; the naive path is the slow one)
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.video import Scene, Storyboard, VideoOptions, produce_video  # noqa: E402
from core.video.stills import BACKGROUND, FOREGROUND  # noqa: E402
from utils.settings import load_settings  # noqa: E402

SIZE = (1920, 1080)
FPS = 24
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
LINES = [
    "Herald turns a software project into a LinkedIn post",
    "Every factual claim is checked against the project's own files",
    "Retrieval weighs the README above old issues and commits",
    "A hallucination guard flags claims with no evidence",
    "Moderation sends risky drafts to a reviewer first",
    "Ratings teach an agent which hooks and lengths work",
    "The video studio turns any post into a short clip",
    "Each scene is drawn once as a still with Pillow",
    "ffmpeg encodes every still once and never composites frames",
    "Captions come as an SRT file, or burnt into the picture",
    "Everything runs offline, no key and no server needed",
]


def storyboard() -> Storyboard:
    """A 60-second storyboard: 3 s title, 11 scenes of 5 s, 2 s end card."""
    scenes = (Scene("Herald: grounded posts and videos", 3.0, "title"),)
    scenes += tuple(Scene(line, 5.0, "scene") for line in LINES)
    scenes += (Scene("Made with Herald", 2.0, "end"),)
    board = Storyboard(scenes=scenes, aspect="16:9", title="Herald")
    assert abs(board.duration - 60.0) < 1e-9
    return board


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg), user + system."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    cpu = cpu_seconds()
    wall = fn(*args)
    return wall, cpu_seconds() - cpu


def herald(board: Storyboard, out: Path) -> float:
    settings = load_settings()
    start = time.perf_counter()
    made = produce_video(board, out, "herald", settings, VideoOptions(aspect="16:9", fps=FPS))
    elapsed = time.perf_counter() - start
    assert abs(made.duration_s - 60.0) < 0.05 and (made.width, made.height) == SIZE
    return elapsed


def naive(board: Storyboard, out: Path, seconds: float = 60.0) -> float:
    from moviepy import ColorClip, CompositeVideoClip, TextClip, concatenate_videoclips, vfx

    start = time.perf_counter()
    clips = []
    for scene in board.scenes:
        bg = ColorClip(SIZE, color=BACKGROUND[0], duration=scene.duration)
        text = (
            TextClip(
                font=FONT,
                text=scene.text,
                font_size=80 if scene.kind == "scene" else 110,
                color="#{:02x}{:02x}{:02x}".format(*FOREGROUND),
                method="caption",
                size=(int(SIZE[0] * 0.84), None),
            )
            .with_duration(scene.duration)
            .with_position("center")
        )
        clip = CompositeVideoClip([bg, text], size=SIZE).with_duration(scene.duration)
        clips.append(clip.with_effects([vfx.FadeIn(0.4), vfx.FadeOut(0.4)]))
    video = concatenate_videoclips(clips)
    if (
        seconds < board.duration
    ):  # --naive-seconds: render a prefix, scale the time (cost is linear in frames)
        video = video.subclipped(0, seconds)
    video.write_videofile(str(out / "naive.mp4"), fps=FPS, codec="libx264", audio=False, logger=None)
    elapsed = time.perf_counter() - start
    video.close()
    return elapsed * board.duration / min(seconds, board.duration)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--naive-seconds",
        type=float,
        default=60.0,
        help="render only this many seconds on the naive path and scale its time (default: all 60)",
    )
    args = parser.parse_args()
    board = storyboard()
    print(f"storyboard: {len(board.scenes)} scenes, {board.duration:.0f} s, {SIZE[0]}x{SIZE[1]} @ {FPS} fps")
    print(f"cpus: {os.cpu_count()}, load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="herald-bench-") as tmp:
        out = Path(tmp)
        herald(board, out / "warm")  # warm font caches and the page cache for ffmpeg
        h, h_cpu = min(timed(herald, board, out / f"h{i}") for i in range(2))
        print(
            f"herald fast path : {h:7.2f} s wall, {h_cpu:7.2f} s CPU  ({board.duration / h:5.1f}x real time)"
        )
        n, n_cpu = timed(naive, board, out, args.naive_seconds)
        n_cpu *= board.duration / min(args.naive_seconds, board.duration)
        if args.naive_seconds < board.duration:
            print(f"(naive path rendered its first {args.naive_seconds:g} s; times scaled to 60 s)")
        print(
            f"naive moviepy    : {n:7.2f} s wall, {n_cpu:7.2f} s CPU  ({board.duration / n:5.1f}x real time)"
        )
        print(f"speed-up         : {n / h:7.1f}x wall, {n_cpu / h_cpu:5.1f}x CPU  (target >= 10x)")
        print(f"herald real time : {board.duration / h:7.1f}x wall  (target >= 20x on 2 cores)")
        print(
            f"herald CPU budget: {board.duration / h_cpu * 2:7.1f}x real time if it had both cores to itself"
        )
        sizes = {p.name: p.stat().st_size for p in out.rglob("*.mp4")}
        print(
            f"file sizes       : herald {sizes['herald.mp4'] / 1e6:.1f} MB, naive {sizes['naive.mp4'] / 1e6:.1f} MB"
        )
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
