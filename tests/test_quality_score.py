"""The quality score ranks posts a developer advocate would publish above the failures of issue 13."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chains.quality import QUALITY_CAP, QUALITY_WEIGHTS, combine_parts, quality_report, score_quality
from rag.types import Passage

ROOT = Path(__file__).resolve().parent.parent
README = """# tinyqueue

tinyqueue is a small job queue for Python backed by SQLite.

It runs jobs in worker threads, retries failed jobs with exponential backoff and keeps a history of every run.

## Features

- Jobs survive restarts: the queue lives in one SQLite file.
- Retries with exponential backoff, up to 5 attempts by default.
- A web dashboard on port 8080.

## Installation

    pip install tinyqueue

## Usage

    tinyqueue worker --threads 4 --db jobs.sqlite3

Options:
  -t, --threads N    number of worker threads
  -h, --help         show this help message and exit

## Contributing

If you'd like to request a feature or report a bug, please open an issue or send a pull request.
See [CONTRIBUTING.md](https://github.com/example/tinyqueue/blob/main/CONTRIBUTING.md).

## Support

Please note that we may only provide support for problems/questions regarding core features.
"""
PASSAGES = [Passage(text=README, kind="readme", path="README.md", score=1.0)]
GOOD = """tinyqueue is a small job queue for Python backed by SQLite.

It runs jobs in worker threads and keeps a history of every run.

• Jobs survive restarts: the queue lives in one SQLite file.
• Failed jobs are retried with exponential backoff, up to 5 attempts by default.
• A web dashboard shows what ran.

Install it with pip install tinyqueue and start a worker.

What would you queue first?

#python #sqlite #jobqueue #tinyqueue"""
TAGS = ("#python", "#sqlite", "#jobqueue", "#tinyqueue")


def report(text: str, tags: tuple[str, ...] = TAGS, name: str = "tinyqueue"):
    hook = next(line for line in text.splitlines() if line.strip())
    return quality_report(text, hook, tags, PASSAGES, project_name=name)


def with_tags(body: str, tags: tuple[str, ...] = TAGS) -> str:
    return f"{body}\n\n{' '.join(tags)}"


def test_a_good_post_scores_high_with_no_cap():
    r = report(GOOD)
    assert r.score >= 85, r.reasons
    assert r.caps == ()
    assert set(r.parts) == set(QUALITY_WEIGHTS) == set(r.reasons)
    assert all(0 <= v <= 100 for v in r.parts.values())
    assert all(r.reasons[k].strip() for k in r.reasons)


# One post per failure of issue 13: (label, text, tags, the part that must cap it, a word of its reason)
FAILURES = [
    (
        "contributing boilerplate",
        "tinyqueue is a small job queue for Python backed by SQLite.\n\nIf you'd like to request a feature or "
        "report a bug, please open an issue or send a pull request.\n\nWhat do you think?",
        TAGS,
        "on_topic",
        "contributing",
    ),
    (
        "support disclaimer",
        "tinyqueue is a small job queue for Python backed by SQLite.\n\nPlease note that we may only provide "
        "support for problems/questions regarding core features.\n\nWhat do you think?",
        TAGS,
        "on_topic",
        "support",
    ),
    (
        "list of Markdown links",
        "Here is the short story of tinyqueue.\n\n• [CONTRIBUTING.md](https://github.com/example/tinyqueue/blob/"
        "main/CONTRIBUTING.md)\n• [Docs](https://example.org/docs)\n• [Issues](https://github.com/example/"
        "tinyqueue/issues)\n\nWhich one do you like?",
        TAGS,
        "plain_text",
        "Markdown",
    ),
    (
        "man-page fragments",
        "Here is the short story of Highlights.\n\n-t, --threads N    number of worker threads\n"
        "-h, --help         show this help message and exit\n\ntinyqueue runs jobs in worker threads.",
        TAGS,
        "sentences",
        "option",
    ),
    (
        "CI bug from a commit message",
        "Here is the short story of tinyqueue.\n\nci: pin nightly rustc, the date in the toolchain file broke "
        "the build (#1412)\n\nFix CI: the flaky job on Windows.\n\nWhat do you think?",
        ("#rustc", "#date", "#commit"),
        "hashtag_terms",
        "#date",
    ),
    (
        "junk hashtags",
        GOOD.rsplit("\n\n", 1)[0],
        ("#https", "#com", "#github", "#org", "#chapter"),
        "hashtag_terms",
        "#https",
    ),
    (
        "Markdown and HTML",
        GOOD.rsplit("\n\n", 1)[0]
        .replace("tinyqueue is", "**tinyqueue** is", 1)
        .replace("pip install tinyqueue", "`pip install tinyqueue`")
        + "</p>",
        TAGS,
        "plain_text",
        "HTML",
    ),
    (
        "invented number",
        GOOD.rsplit("\n\n", 1)[0].replace(
            "What would you queue first?", "There is a 10% chance of being hacked every day without it."
        ),
        TAGS,
        "numbers",
        "10%",
    ),
    ("only tags and markup", "</P>", TAGS, "substance", "sources"),
    (
        "never names the project",
        GOOD.rsplit("\n\n", 1)[0].replace("tinyqueue", "this library"),
        ("#python", "#sqlite", "#jobqueue"),
        "names_project",
        "never names",
    ),
]


@pytest.mark.parametrize("label,body,tags,part,word", FAILURES, ids=[f[0] for f in FAILURES])
def test_each_failure_of_the_issue_is_capped_with_its_reason(label, body, tags, part, word):
    r = report(with_tags(body, tags), tags)
    assert r.score <= QUALITY_CAP, (label, r.score, r.reasons)
    assert part in r.caps, (label, r.caps, r.reasons)
    assert word.lower() in r.reasons[part].lower(), r.reasons[part]
    assert r.score < report(GOOD).score - 25


def test_old_behaviour_is_gone_boilerplate_no_longer_scores_in_the_nineties():
    boiler = with_tags(FAILURES[0][1] + "\n\n" + FAILURES[1][1])
    assert report(boiler).score <= QUALITY_CAP


def test_the_project_url_once_and_a_command_line_are_not_defects():
    body = GOOD.rsplit("\n\n", 1)[0] + "\n\nDocs: https://github.com/example/tinyqueue"
    r = report(with_tags(body))
    assert r.caps == (), r.reasons


def test_figures_from_the_sources_are_fine_and_others_are_not():
    assert report(GOOD).parts["numbers"] == 100.0
    r = report(with_tags(GOOD.rsplit("\n\n", 1)[0].replace("up to 5 attempts", "up to 50 attempts")))
    assert "50" in r.reasons["numbers"] and "numbers" in r.caps


def test_a_capped_post_scores_lower_the_worse_its_defect():
    one_link = report(with_tags(GOOD.rsplit("\n\n", 1)[0] + "\n\nSee [the docs](https://example.org/docs)."))
    tags_only = report(with_tags("</P>"))
    assert tags_only.score < one_link.score <= QUALITY_CAP


def test_combine_parts_matches_the_report_and_caps():
    r = report(GOOD)
    assert combine_parts(r.parts, r.caps) == r.score
    assert combine_parts(r.parts, ("plain_text",)) <= QUALITY_CAP


def test_score_quality_keeps_its_signature_and_uses_the_readme_heading_as_name():
    score, parts = score_quality(GOOD, GOOD.splitlines()[0], TAGS, PASSAGES)
    assert parts["names_project"] == 100.0 and score == report(GOOD).score


def test_importing_the_score_loads_no_model():
    code = "import sys, chains.quality; print(any(m in sys.modules for m in ('torch', 'sentence_transformers', 'llama_cpp')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _labelled_rows():
    path = ROOT / "bench" / "data" / "quality_posts.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_the_labelled_set_covers_every_failure_and_several_writers():
    rows = _labelled_rows()
    assert len(rows) >= 80
    assert {r["label"] for r in rows} == {0, 1}
    assert len({r["writer"] for r in rows}) >= 4
    assert len({r["dist"] for r in rows}) >= 10
    kinds = {r["kind"] for r in rows if r["label"] == 0}
    for kind in (
        "contributing",
        "support",
        "links",
        "manpage",
        "ci_commit",
        "junk_tags",
        "markdown",
        "invented",
        "tags_only",
        "no_name",
    ):
        assert kind in kinds, kind


def test_the_score_ranks_the_labelled_set():
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT / "scripts"))
    import quality as bench_quality  # bench/quality.py

    try:
        rows = bench_quality.load([])
    except FileNotFoundError as exc:
        pytest.skip(f"installed READMEs not found: {exc}")
    scores = [
        quality_report(r["text"], r["hook"], r["hashtags"], r["passages"], project_name=r["project"]).score
        for r in rows
    ]
    labels = [r["label"] for r in rows]
    assert bench_quality.auc(scores, labels) >= 0.9
    old = [bench_quality.old_score(r["text"], r["hook"], r["hashtags"], r["passages"]) for r in rows]
    assert bench_quality.auc(scores, labels) > bench_quality.auc(old, labels) + 0.2
