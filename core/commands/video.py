"""`python -m core video`: render a script file or a stored item to MP4, SRT and PNG.

`--script FILE` (or `-` for stdin) or `--item ID`; `--out DIR` receives the
files. With `--json` it prints one JSON object (mp4, srt, thumbnail,
duration_s, width, height, render_s, notes, ...); otherwise a short summary.
Bad input (empty script, unreadable file, folder not writable) exits 2. With
`HERALD_QUEUE=celery` the render runs on a worker; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.commands.acting import acting_user
from core.errors import InvalidInputError
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run"]


def _size(raw: str) -> tuple[int, int]:
    w, sep, h = raw.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit():
        raise argparse.ArgumentTypeError("size is WIDTHxHEIGHT, e.g. 320x180")
    return (int(w), int(h))


def register(subparsers: Any) -> None:
    """Add the `video` sub-command."""
    p = subparsers.add_parser("video", help="render a script or an item as a short video")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--script", help="a text file, one scene per line ('-' reads stdin)")
    src.add_argument("--item", type=int, help="a stored item id (a post or a video)")
    p.add_argument("--aspect", choices=("16:9", "9:16"), default="16:9")
    p.add_argument("--voice", action="store_true", help="add an offline voice-over (espeak-ng)")
    p.add_argument("--burn-captions", action="store_true", help="draw the captions into the picture")
    p.add_argument("--title", default="", help="title card text (default: the first line)")
    p.add_argument("--size", type=_size, default=None, help="frame size override, e.g. 320x180 (previews)")
    p.add_argument("--fps", type=int, default=None, help="frames per second (default HERALD_VIDEO_FPS)")
    p.add_argument("--out", required=True, help="folder for the MP4, SRT and PNG")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def _read_script(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InvalidInputError(f"Script file {path} does not exist; give a text file with --script") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"Script file {path} is not UTF-8 text; save it as UTF-8") from exc
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot read script file {path} ({exc.strerror}); check its permissions"
        ) from exc


def run(args: argparse.Namespace) -> int:
    """Render and print the result; returns 0."""
    from core.video import VideoOptions, check_writable
    from core.video.service import render_item_video

    out = check_writable(Path(args.out))
    source: int | str = args.item if args.item is not None else _read_script(args.script)
    if isinstance(source, str) and not source.strip():
        raise InvalidInputError("The script is empty: write at least one line of text")
    if args.fps is not None and not 1 <= args.fps <= 120:
        raise InvalidInputError("--fps must be 1 to 120")
    options = VideoOptions(
        aspect=args.aspect, burn_captions=args.burn_captions, voice=args.voice, size=args.size, fps=args.fps
    )
    services = _services()
    by = acting_user(args, services)
    if services.settings.queue_backend == "celery":  # a worker renders; this command submits and watches
        from core.commands.jobs import watch
        from core.video.service import VideoResult, job_queue, submit_render

        job_id = submit_render(services, source, options, out_dir=out, title=args.title, by=by)
        result = VideoResult.from_dict(watch(job_queue(services), job_id, quiet=args.json))
    else:
        result = render_item_video(services, source, options, out_dir=out, title=args.title, by=by)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(f"{result.mp4}\n{result.srt}\n{result.thumbnail}")
        print(
            f"{result.width}x{result.height}, {result.duration_s:.1f} s, rendered in {result.render_s:.1f} s"
        )
        for note in result.notes:
            print(f"note: {note}")
    return 0
