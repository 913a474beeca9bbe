"""Benchmark: the project card of every README of the METADATA corpus, printed to read.

For each README over `--min-bytes`, write a temporary project folder (README
plus the metadata header as `PKG-INFO` unless `--readme-only`), build its card
with `rag.card.build_card` (no index, no writer) and print the name, tagline,
features, install commands and the usage example's first line, with where the
tagline came from. `--only NAME,...` limits the run to some packages, `--json`
writes one card per line instead. It judges nothing: a person reads the cards.

Run: .venv/bin/python bench/cards.py [--readme-only] [--only tqdm,plotly] [--json out.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import DEFAULT_CORPUS, readmes, write_project  # noqa: E402
from rag.card import build_card  # noqa: E402
from rag.sources import load_source  # noqa: E402
from utils.settings import load_settings  # noqa: E402


def show(name: str, card) -> str:
    """The card as a few lines to read."""
    tag = card.tagline
    lines = [f"== {name}: {card.name.value}",
             f"  tagline: {tag.value if tag else '-'}  [{tag.location if tag else ''}]"]  # fmt: skip
    lines += [f"  * {f.value}" for f in card.features]
    lines.append(f"  install: {' | '.join(f.value for f in card.install) or '-'}")
    usage = card.usage.value.splitlines()[0] if card.usage else "-"
    lines.append(f"  usage: {usage[:100]}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="glob of METADATA files")
    ap.add_argument("--min-bytes", type=int, default=3000)
    ap.add_argument("--readme-only", action="store_true", help="no PKG-INFO manifest next to the README")
    ap.add_argument("--only", default="", help="comma-separated package names")
    ap.add_argument("--json", default="", help="write one card per line here instead of printing")
    args = ap.parse_args()

    only = {n.strip().lower() for n in args.only.split(",") if n.strip()}
    corpus = [c for c in readmes(args.corpus, args.min_bytes) if not only or c[0].lower() in only]
    work = Path(tempfile.mkdtemp(prefix="bench-cards-"))
    settings = replace(load_settings(), data_dir=work / "data", log_dir=work / "logs")
    sink = open(args.json, "w", encoding="utf-8") if args.json else None  # noqa: SIM115
    for name, readme, body, head in corpus:
        folder = write_project(work, name, readme, body, head, manifest=not args.readme_only)
        card = build_card(load_source(folder, settings))
        if sink is not None:
            sink.write(json.dumps({"package": name, **card.to_dict()}, ensure_ascii=False) + "\n")
        else:
            print(show(name, card))
    if sink is not None:
        sink.close()
    print(f"{len(corpus)} cards from READMEs over {args.min_bytes} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
