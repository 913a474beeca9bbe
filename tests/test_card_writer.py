"""The template writer from the project card, hashtags from the card, plain text, and bad input end to end."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from chains.card_writer import NoCardContentError, compose_card_post, effective_hook, opening_line
from chains.generate import generate_draft
from chains.hashtags import JUNK_WORDS, camel_tag, card_hashtags
from chains.post_checks import post_problems
from chains.providers import FallbackChain
from chains.template_provider import TemplateProvider
from chains.types import HOOK_TYPES, STYLES, Brief, Strategy
from core.posts.pipeline import GenerationFailedError, generate_post
from core.services import build_services
from rag.card_types import CardField, ProjectCard, Release
from rag.types import Passage
from tests.fakes import FakeEmbedder
from utils.export import to_linkedin, to_markdown
from utils.plain_text import plain_post_text

FIXTURES = Path(__file__).parent / "fixtures" / "readmes"


def _f(value: str, line: int = 1) -> CardField:
    return CardField(value, "README.md", line, line)


FULL = ProjectCard(
    name=_f("tidy"),
    tagline=_f("tidy is a small command-line tool that cleans messy CSV files."),
    problem=_f("Cleaning CSV exports by hand is tedious and error-prone."),
    features=(
        _f("Fixes broken quoting and stray delimiters"),
        _f("Detects encodings automatically"),
        _f("Cleans a 1 GB file in 12 seconds"),
        _f("Writes a report of every change"),
    ),  # fmt: skip
    install=(CardField("pip install tidy-csv", "README.md", 20, 20, "shell"),),
    usage=CardField("tidy clean data.csv --out clean.csv", "README.md", 24, 24, "shell"),
    language=CardField("Python", "pyproject.toml", 1, 1),
    ecosystem=CardField("PyPI", "pyproject.toml", 1, 1),
    release=Release(
        CardField("2.0.0", "CHANGELOG.md", 3, 3),
        CardField("2025-03-01", "CHANGELOG.md", 3, 3),
        (CardField("Added a --dry-run flag", "CHANGELOG.md", 5, 5),),
    ),  # fmt: skip
    keywords=(CardField("csv", "pyproject.toml", 5, 5), CardField("data cleaning", "pyproject.toml", 5, 5)),
)
NAME_ONLY_TAGLINE = ProjectCard(name=_f("Lanternfish"), tagline=_f("A fast log viewer for the terminal."))
FEATURES_ONLY = ProjectCard(name=_f("orbit"), features=(_f("Core data store with change tracking"),
                                                        _f("Two-way sync with a server")))  # fmt: skip
SENTENCE_TAGLINE = ProjectCard(name=_f("ripgrep"), tagline=_f("ripgrep recursively searches directories for a regex."),
                               install=(_f("cargo install ripgrep"),))  # fmt: skip
CARDS = {"full": FULL, "tagline only": NAME_ONLY_TAGLINE, "features only": FEATURES_ONLY,
         "sentence tagline": SENTENCE_TAGLINE}  # fmt: skip


def _grammatical(line: str, name: str) -> bool:
    return bool(line) and (line[0].isupper() or line[0].isdigit() or line.startswith(name)) and line.rstrip()[-1] in ".?!:" and (
        "  " not in line and "None" not in line and "{" not in line and " ." not in line)  # fmt: skip


@pytest.mark.parametrize("card_name", list(CARDS))
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("hook", HOOK_TYPES)
def test_every_style_and_hook_opens_with_a_grammatical_sentence(card_name, style, hook):
    card = CARDS[card_name]
    post = compose_card_post(card, Brief(style=style), Strategy(hook=hook))
    paragraphs = post.split("\n\n")
    first = paragraphs[0].splitlines()[0]
    assert _grammatical(first, card.name.value), first
    assert card.name.value in " ".join(paragraphs[:3])  # a story opens with the problem, then the project
    assert paragraphs[-1].endswith("?") or paragraphs[-1].endswith(".")
    assert "?" in paragraphs[-1]
    for line in post.splitlines():
        assert not line.startswith(("-", "*", "#")) and "**" not in line and "`" not in line
    problems = post_problems(post + "\n\n#Tidy #Python #CSV", card)
    assert not [p for p in problems if not p.startswith("length")], problems


def test_statistic_hook_needs_a_number_and_says_so():
    assert effective_hook(FULL, "statistic") == ("statistic", "")
    post = compose_card_post(FULL, Brief(), Strategy(hook="statistic"))
    assert post.startswith("Cleans a 1 GB file in 12 seconds. That is tidy.")
    hook, why = effective_hook(NAME_ONLY_TAGLINE, "statistic")
    assert hook == "bold_claim" and "no number" in why
    assert effective_hook(NAME_ONLY_TAGLINE, "story")[0] == "question"
    versions_only = replace(FULL, features=(_f("Works on Python 3.12 and 3.13"),), problem=None, release=None,
                            tagline=_f("tidy cleans CSV files."))  # fmt: skip
    assert effective_hook(versions_only, "statistic")[0] == "bold_claim"


def test_story_and_release_notes_shapes():
    story = compose_card_post(FULL, Brief(style="story"), Strategy(hook="story"))
    assert story.splitlines()[0] == "Every tool starts with a problem. Here is the one tidy takes on."
    assert "Cleaning CSV exports by hand is tedious and error-prone." in story
    assert story.endswith("How did you solve it?")
    notes = compose_card_post(FULL, Brief(style="release_notes"), Strategy(hook="bold_claim"))
    assert "tidy 2.0.0 (2025-03-01) is the latest release." in notes and "• Added a --dry-run flag" in notes
    tutorial = compose_card_post(FULL, Brief(style="tutorial"), Strategy(hook="question"))
    assert (
        "1. Install it: pip install tidy-csv" in tutorial
        and "tidy clean data.csv --out clean.csv" in tutorial
    )
    listicle = compose_card_post(FULL, Brief(style="listicle"), Strategy(hook="question", length="short"))
    assert (
        "3 things to know about tidy:" in listicle and "3. Install it with: pip install tidy-csv" in listicle
    )


def test_opening_names_the_project_in_its_own_words():
    assert opening_line(NAME_ONLY_TAGLINE) == "Lanternfish is a fast log viewer for the terminal."
    assert opening_line(SENTENCE_TAGLINE) == "ripgrep recursively searches directories for a regex."
    this = replace(FULL, tagline=_f("This library provides typed settings for Python apps."))
    assert opening_line(this) == "tidy provides typed settings for Python apps."


def test_a_card_with_nothing_to_say_gives_a_clear_message():
    with pytest.raises(NoCardContentError, match="add a one-line description"):
        compose_card_post(ProjectCard(name=_f("shieldwall")), Brief(), Strategy())


def test_hashtags_come_from_the_card():
    tags = card_hashtags(FULL, "tidy cleans CSV files")
    assert 3 <= len(tags) <= 5
    assert "#Python" in tags and "#Tidy" in tags and "#Csv" in tags
    assert all(re.fullmatch(r"#[A-Za-z][A-Za-z0-9]+", t) for t in tags)
    junk = replace(FULL, tagline=_f("See https://github.com/acme/tidy/blob/main/README.md chapter commit date install"),
                   features=(), keywords=())  # fmt: skip
    for tag in card_hashtags(junk, "https github com org readme md"):
        assert tag.lstrip("#").lower() not in JUNK_WORDS, tag
    assert card_hashtags(FULL, policy="boost_tag")[0] == "#Tidy"
    assert card_hashtags(FULL, policy="add_suggested_tag")[-1] == "#Python"
    assert camel_tag("scikit-learn") == "#ScikitLearn" and camel_tag("sqlite-utils") == "#SqliteUtils"


def test_plain_text_for_linkedin():
    md = (
        "## Meet **tidy**\n\nRead [the docs](https://tidy.dev/docs) or visit <https://tidy.dev>.\n"
        "Run `tidy clean` &amp; relax <br> now.\n\n- first\n- second\n\n1. one\n2. two\n\n"
        '<p align="center"><b>HTML</b> block</p>\n\nAgain https://tidy.dev here.'
    )
    out = plain_post_text(md, main_url="https://tidy.dev")
    assert out.startswith("Meet tidy\n\nRead the docs or visit https://tidy.dev.")
    assert "Run tidy clean & relax" in out and "• first\n• second" in out and "1. one\n2. two" in out
    assert (
        "HTML block" in out and "<" not in out and "**" not in out and "`" not in out and "&amp;" not in out
    )
    assert out.count("https://tidy.dev") == 1 and "/docs" not in out
    assert plain_post_text("- **Fast builds**: run `lumen build`\n* __Search__ works offline") == (
        "• Fast builds: run lumen build\n• Search works offline"
    )
    assert to_linkedin("Use `x` and **y**.", ["#a"]) == "Use x and y.\n\n#a"
    rst = "Docs <https://tidy.dev/docs>_ are at `Read the Docs <https://tidy.dev/>`__."
    assert plain_post_text(rst) == "Docs are at Read the Docs."
    from utils.export import ExportRecord

    assert "**y**" in to_markdown(ExportRecord(1, 1, "Use `x` and **y**."))  # Markdown exports keep Markdown


def test_generate_draft_from_the_card(settings):
    passages = [
        Passage(
            "tidy is a small command-line tool that cleans messy CSV files.", "readme", "README.md", 1.0, 1, 1
        )
    ]
    draft = generate_draft(Brief(), Strategy(hook="statistic"), passages, FallbackChain([TemplateProvider()]),
                           settings, card=FULL)  # fmt: skip
    assert draft.provider == "template" and draft.text.startswith("Cleans a 1 GB file")
    assert draft.hashtags == card_hashtags(FULL, draft.text.rsplit("\n\n", 1)[0], context=passages[0].text)
    assert not post_problems(draft.text, FULL)
    draft = generate_draft(Brief(), Strategy(hook="statistic"), passages, FallbackChain([TemplateProvider()]),
                           settings, card=NAME_ONLY_TAGLINE)  # fmt: skip
    assert any("no number" in w for w in draft.warnings)


BAD_INPUTS = ["bad/badges_only.md", "bad/german.md", "bad/one_line.md", "bad/monorepo.md", "bad/README.html",
              "bad/injection.md", "bad/notebook_only", "python-data-science-handbook.md"]  # fmt: skip


@pytest.mark.parametrize("fixture", BAD_INPUTS)
def test_bad_input_gives_a_post_or_a_clear_message(settings, tmp_path, fixture):
    src = FIXTURES / fixture
    root = tmp_path / src.stem.replace("README", "lanternfish")
    if src.is_dir():
        shutil.copytree(src, root)
    else:
        root.mkdir()
        shutil.copy(src, root / ("README" + src.suffix))
    services = build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([TemplateProvider()]))
    try:
        result = generate_post(str(root), Brief(), services)
    except GenerationFailedError as exc:
        assert fixture == "bad/badges_only.md", exc
        assert "add a one-line description" in str(exc)
        return
    text = result.draft.text
    assert result.card is not None and result.card.name.value.lower() in text.lower()
    assert not post_problems(text, result.card), (post_problems(text, result.card), text)
    assert (
        "ignore" not in text.lower() and "pirate" not in text.lower() and "cryptocurrency" not in text.lower()
    )


def test_huge_readme_gives_a_post_in_bounded_time(settings, tmp_path):
    import time

    root = tmp_path / "bigdoc"
    root.mkdir()
    head = "# bigdoc\n\nbigdoc is a documentation generator for large monorepos.\n\n## Features\n\n"
    head += "".join(f"- Renders {n} pages in parallel on every core\n" for n in ("docs", "blog", "API"))
    (root / "README.md").write_text(
        head + "\n## Reference\n\n" + "Lorem ipsum dolor sit amet, elit.\n\n" * 150_000
    )
    services = build_services(replace(settings, max_file_bytes=6_000_000, max_total_bytes=7_000_000),
                              embedder=FakeEmbedder(), chain=FallbackChain([TemplateProvider()]))  # fmt: skip
    started = time.perf_counter()
    result = generate_post(str(root), Brief(), services)
    assert "bigdoc" in result.draft.text and not post_problems(result.draft.text, result.card)
    assert time.perf_counter() - started < 300


def test_cli_json_has_the_card_with_sources(settings, tmp_path, capsys, monkeypatch):
    import json

    from core import cli
    from core.commands import generate as generate_cmd

    root = tmp_path / "sqlite-utils"
    root.mkdir()
    shutil.copy(FIXTURES / "sqlite-utils.md", root / "README.md")
    services = build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([TemplateProvider()]))
    monkeypatch.setattr(generate_cmd, "_services", lambda: services)
    code = cli.main(["generate", "--source", str(root), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in (
        "item_id",
        "version_id",
        "status",
        "text",
        "hook",
        "hashtags",
        "passages",
        "timings_ms",
        "card",
    ):
        assert key in data
    card = data["card"]
    assert card["name"]["value"] == "sqlite-utils"
    assert card["tagline"]["path"] == "README.md" and card["tagline"]["start_line"] >= 1
    assert all({"value", "path", "start_line", "end_line"} <= set(f) for f in card["features"])
    stored = services.store.get_version(data["version_id"]).data
    assert stored["card"]["name"]["value"] == "sqlite-utils"
