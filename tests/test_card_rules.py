"""What may be a card's tagline, feature or usage example, on real READMEs and on the rules themselves.

Each failure class seen on the METADATA corpus has a real README fixture (see
tests/fixtures/readmes/README.md): a name's etymology as the tagline (tqdm), a
sales line (plotly), trade-off fragments, doc pointers and a BibTeX citation
(faiss), an "All X are supported" detail and how-it-works steps (charset-normalizer).
Each is checked with the README alone and with a PKG-INFO manifest next to it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from rag.card import build_card
from rag.doc_blocks import Block
from rag.phrases import not_a_feature
from rag.sources import load_source
from rag.tagline import weak_tagline
from rag.types import Document
from rag.usage import pick_usage

FIXTURES = Path(__file__).parent / "fixtures" / "readmes"


def _card(tmp_path: Path, settings, fixture: str, summary: str = ""):
    """The card of a fixture README in a folder named after it, with a PKG-INFO holding `summary` if given."""
    src = FIXTURES / fixture
    root = tmp_path / src.stem
    root.mkdir()
    shutil.copy(src, root / ("README" + src.suffix))
    if summary:
        (root / "PKG-INFO").write_text(
            f"Metadata-Version: 2.4\nName: {src.stem}\nVersion: 1.0\nSummary: {summary}\n"
        )
    return build_card(load_source(root, settings))


def _values(card) -> list[str]:
    fields = [card.tagline, card.problem, *card.features, card.usage]
    return [f.value for f in fields if f is not None]


@pytest.mark.parametrize("summary", ["", "Fast, Extensible Progress Meter"])
def test_a_names_origin_is_never_the_tagline(tmp_path, settings, summary):
    card = _card(tmp_path, settings, "tqdm.rst", summary)
    assert card.tagline is not None
    assert not re.search(r"arabic|derives|spanish|love you", card.tagline.value, re.I), card.tagline.value
    if summary:  # the README's opening has no line that says what tqdm is: the manifest's stands in
        assert card.tagline.value == summary and card.tagline.path == "PKG-INFO"
    else:
        assert "progress meter" in card.tagline.value


@pytest.mark.parametrize("summary", ["", "An open-source interactive data visualization library for Python"])
def test_a_contact_or_sales_line_is_never_the_tagline_or_a_feature(tmp_path, settings, summary):
    card = _card(tmp_path, settings, "plotly.md", summary)
    assert card.tagline is not None and "library for Python" in card.tagline.value
    assert not any(re.search(r"contact us|consulting", v, re.I) for v in _values(card)), _values(card)


@pytest.mark.parametrize(
    "summary", ["", "A library for efficient similarity search and clustering of dense vectors."]
)
def test_trade_offs_doc_pointers_and_citations_are_not_features_or_usage(tmp_path, settings, summary):
    card = _card(tmp_path, settings, "faiss.md", summary)
    assert (
        card.tagline is not None and "similarity search and clustering of dense vectors" in card.tagline.value
    )
    features = " | ".join(f.value for f in card.features)
    assert not re.search(r"memory used per index|external data|doxygen|documentation", features, re.I), (
        features
    )
    assert card.usage is None or not re.search(r"@article|author\s*=", card.usage.value), card.usage.value


@pytest.mark.parametrize("summary", ["", "The Real First Universal Charset Detector. Open, modern and actively "
                                         "maintained alternative to Chardet."])  # fmt: skip
def test_detail_lines_and_how_it_works_steps_are_not_tagline_or_features(tmp_path, settings, summary):
    card = _card(tmp_path, settings, "charset-normalizer.md", summary)
    assert card.tagline is not None and "are supported" not in card.tagline.value
    # the README's own one-liner, with or without a manifest: one rule, applied the same way
    assert card.tagline.value.startswith("This project offers you an alternative to Universal Charset")
    features = " | ".join(f.value for f in card.features)
    assert not re.search(r"discard all charset|measure noise|lowest mess|unreliable|depends on sufficient",
                         features, re.I), features  # fmt: skip


@pytest.mark.parametrize(
    "sentence,why",
    [
        ('tqdm derives from the Arabic word taqaddum which can mean "progress".', "origin of the name"),
        ('SciPy (pronounced "Sigh Pie") is an open-source software for mathematics.', ""),
        ("Contact us for consulting, dashboard development, and feature additions.", "contact or sales"),
        ("We have a community chat at Gitter.", "contact or sales"),
        (
            "All IANA character set names for which the Python core library provides codecs are supported.",
            "detail",
        ),
        ("The minimum tested requests version is 2.1.0.", "detail"),
        (
            "The project was started in 2007 by David Cournapeau as a Google Summer of Code project.",
            "history",
        ),
        ("The main use cases of the library are:", "lead-in"),
        ("This is the Dulwich project.", "nothing beyond the name"),
        ("LangSmith is a unified developer platform for building LLM applications.", "another project"),
        ("Looking for the JS/TS version?", "question"),
        ("Rich is a Python library for rich text and beautiful formatting in the terminal.", ""),
    ],
)
def test_weak_taglines_are_named(sentence, why):
    name = re.match(r"\w+", sentence).group(0)
    name = {"SciPy": "scipy", "LangSmith": "langchain-core", "All": "charset-normalizer"}.get(name, name)
    if "Dulwich" in sentence:
        name = "Dulwich"
    reason = weak_tagline(sentence, name)
    assert (why in reason) if why else reason == "", (sentence, reason)


@pytest.mark.parametrize(
    "phrase,is_feature",
    [
        ("the doxygen documentation gives per-class information extracted from code comments", False),
        ("AMQP 0.9.1 Quick Reference", False),
        ("And much, much more", False),
        ("Perfecting Terminal Character Width Using Correction Tables", False),
        ("iterable : iterable, optional Iterable to decorate with a progress bar", False),
        ("Includes the no-execv patch contributed by R. Oudkerk", True),
        ("~~ for symmetric difference", False),
        ("Save time, reduce risk, and improve code health, while paying the maintainers", False),
        ("All notable changes to widget will be documented in this file", False),
        ("Looking for the JS/TS version?", False),
        ("For a detailed list of", False),
        ("Supports draining events from multiple channels", True),
        ("Full API support: cuDF, Modin, pandas, Polars, PyArrow", True),
        ("HTTP proxy & SOCKS proxy support", True),
        ("Kaleido requires Chrome or Chromium to generate images", False),
        ("you may need to install it by running the command", False),
        ("Runs without requiring a server", True),
        ("Minimum supported Python version increases are released as minor versions, not patches", False),
    ],
)
def test_not_a_feature_names_non_capabilities(phrase, is_feature):
    assert (not_a_feature(phrase) == "") is is_feature, not_a_feature(phrase)


def _code(text: str, lang: str = "", sections: tuple[str, ...] = ("widget", "Usage")) -> Block:
    return Block("code", text, 3, 3 + text.count("\n"), 0, sections, lang)


@pytest.mark.parametrize(
    "block,expected",
    [
        (_code("@article{douze2024faiss,\n  title={The Faiss library},\n  author={Douze, Matthijs},\n  year={2024}\n}"),
         None),
        (_code("75.2MB [00:00, 217MB/s]\n9999999"), None),  # program output only
        (_code("git clone https://github.com/acme/widget\ncd widget\nmake\nexport WIDGET_HOME=/opt/widget"), None),
        (_code('CMAKE_ARGS="-DGGML_BLAS=ON" \\\n  pip install widget'), None),
        (_code("pip install widget\n\nimport widget\nwidget.draw([1, 2, 3])"), "import widget\nwidget.draw([1, 2, 3])"),
        (_code("@app.route('/')\ndef index():\n    return widget.page()"), "@app.route('/')"),
    ],
)  # fmt: skip
def test_usage_is_code_that_uses_the_project(block, expected):
    usage = pick_usage([block], Document("readme", "README.md", ""), "widget")
    if expected is None:
        assert usage is None, usage
    else:
        assert usage is not None and usage.value.startswith(expected), usage


def test_a_later_section_about_something_else_is_not_the_opening(tmp_path, settings):
    root = tmp_path / "widget"
    root.mkdir()
    (root / "README.rst").write_text(
        "Sponsors\n========\n\nAcme sponsors this work.\n\nWhat's a Task Queue?\n====================\n\n"
        "A task queue's input is a unit of work, called a task, that workers pick up.\n"
    )
    (root / "PKG-INFO").write_text(
        "Metadata-Version: 2.4\nName: widget\nVersion: 1.0\nSummary: Distributed Task Queue.\n"
    )
    card = build_card(load_source(root, settings))
    assert card.tagline is not None and card.tagline.value == "Distributed Task Queue."


def test_inputs_and_api_walkthroughs_are_not_features(tmp_path, settings):
    root = tmp_path / "widget"
    root.mkdir()
    (root / "README.md").write_text(
        "# widget\n\nwidget is a settings loader for Python services.\n\n"
        "It reads them namely from these data sources (from high to low precedence):\n\n"
        "- The config file /etc/widget.conf if present\n- The environment variables of the process, if set\n"
        "- The defaults built into the library itself\n\n## Features\n\n- Merges settings from files and the environment\n"
        "- Validates every value against a typed schema\n\n### Search anchor \\G\n\n"
        "- The search continues at position 4 and fails to match any letters\n"
    )
    card = build_card(load_source(root, settings))
    assert [f.value for f in card.features] == [
        "Merges settings from files and the environment",
        "Validates every value against a typed schema",
    ]


def test_the_readmes_own_definition_comes_before_the_manifests_line(tmp_path, settings):
    root = tmp_path / "widget"
    root.mkdir()
    (root / "PKG-INFO").write_text(
        "Metadata-Version: 2.4\nName: widget\nVersion: 1.0\nSummary: Charts for terminals\n"
    )
    (root / "README.md").write_text(
        "# widget\n\n## About\n\nwidget is a library that draws charts in the terminal.\n"
    )
    card = build_card(load_source(root, settings))
    assert (
        card.tagline.value == "widget is a library that draws charts in the terminal."
    )  # the guard can check it
    (root / "README.md").write_text(
        "# widget\n\nThis is the widget project.\n\n## Install\n\npip install widget\n"
    )
    card = build_card(load_source(root, settings))
    assert card.tagline.value == "Charts for terminals" and card.tagline.path == "PKG-INFO"
