"""The project card: real READMEs of many shapes, manifests, releases, provenance, boilerplate, edits, cache."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rag.card import build_card, card_passages, edit_card
from rag.card_types import card_from_dict
from rag.doc_blocks import MAX_PARSE_CHARS, parse_blocks
from rag.sources import load_source
from rag.types import Document, LoadedSource

FIXTURES = Path(__file__).parent / "fixtures" / "readmes"

# fixture, name, words the tagline holds, language, first install command, min features, a feature holds
EXPECTED = [
    ("acorn.md", "Acorn", "tiny, fast JavaScript parser", "JavaScript", "npm install acorn", 0, None),
    ("cobra.md", "Cobra", "Commander for modern go CLI", "Go", "go get github.com/spf13/cobra", 0, None),
    ("httpx.md", "HTTPX", "HTTP client", "Python", "pip install httpx", 3, "requests-compatible API"),
    ("networkx.rst", "NetworkX", "complex networks", "Python", "pip install networkx", 0, None),
    ("orjson.md", "orjson", "fast, correct JSON library for Python", "Python", None, 0, None),
    ("pytest.rst", "pytest", "write small tests", "Python", None, 3, "failing assert statements"),
    (
        "python-dotenv.md",
        "python-dotenv",
        "key-value pairs from a .env file",
        "Python",
        "pip install python-dotenv",
        0,
        None,
    ),
    (
        "rich.md",
        "Rich",
        "beautiful formatting in the terminal",
        "Python",
        "python -m pip install rich",
        0,
        None,
    ),
    (
        "ripgrep.md",
        "ripgrep",
        "line-oriented search tool",
        "Rust",
        "brew install ripgrep",
        2,
        "configuration file",
    ),
    ("ruff.md", "Ruff", "Python linter and code formatter", None, None, 3, "10-100x faster"),
    (
        "scikit-learn.rst",
        "scikit-learn",
        "machine learning",
        "Python",
        "pip install -U scikit-learn",
        0,
        None,
    ),
    ("sinatra.md", "Sinatra", "creating web applications in Ruby", "Ruby", "gem install sinatra", 0, None),
    (
        "sqlite-utils.md",
        "sqlite-utils",
        "manipulating SQLite databases",
        "Python",
        "pip install sqlite-utils",
        3,
        "SQLite database",
    ),
    (
        "streamlit.md",
        "Streamlit",
        "build and share data apps",
        "Python",
        "pip install streamlit",
        3,
        "Live editing",
    ),
    (
        "transformers.md",
        "transformers",
        "model-definition framework",
        "Python",
        'uv pip install "transformers[torch]"',
        0,
        None,
    ),
    (
        "typer.md",
        "Typer",
        "library for building CLI applications",
        "Python",
        "uv add typer",
        3,
        "Minimize code duplication",
    ),
    ("tqdm.rst", "tqdm", "tqdm", "Python", "pip install tqdm", 0, None),
    (
        "python-data-science-handbook.md",
        "Python Data Science Handbook",
        "Jupyter notebooks",
        None,
        None,
        0,
        None,
    ),
    ("requests-toolbelt.rst", "The Requests Toolbelt", None, "Python", None, 0, None),
]
BOILER_WORDS = re.compile(r"pull request|contribut|code of conduct|sponsor|backer|donat|licen[cs]ed under|"
                          r"open an issue|stack ?overflow|table of contents|简体中文", re.I)  # fmt: skip


def _project(tmp_path: Path, fixture: str, folder: str = "") -> Path:
    src = FIXTURES / fixture
    root = tmp_path / (folder or Path(fixture).stem)
    if src.is_dir():
        shutil.copytree(src, root)
    else:
        root.mkdir(parents=True)
        shutil.copy(src, root / ("README" + src.suffix))
    return root


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)}


def _assert_sourced(field, root: Path) -> None:
    """A card value's words all occur in the lines it names (values are cut from sources, never written)."""
    lines = (root / field.path).read_text(encoding="utf-8").splitlines()
    window = "\n".join(lines[max(field.start_line - 1, 0) : field.end_line + 1])
    missing = _words(field.value) - _words(window)
    assert not missing, f"{field.value!r} has {missing} not in {field.location}"


@pytest.mark.parametrize("fixture,name,tagline,language,install,min_features,feature", EXPECTED)
def test_card_of_real_readmes(settings, tmp_path, fixture, name, tagline, language, install, min_features,
                              feature):  # fmt: skip
    root = _project(tmp_path, fixture)
    card = build_card(load_source(root, settings))
    assert card.name.value == name
    if tagline:
        assert card.tagline is not None and tagline.lower() in card.tagline.value.lower()
    assert (card.language.value if card.language else None) == language
    assert (card.install[0].value if card.install else None) == install
    assert len(card.features) >= min_features
    if feature:
        assert any(feature.lower() in f.value.lower() for f in card.features), [
            f.value for f in card.features
        ]
    for f in (card.tagline, card.problem, *card.features, *card.install):
        if f is not None and not f.path.startswith("commit:"):
            _assert_sourced(f, root)
            assert not BOILER_WORDS.search(f.value), f.value
    for f in card.features:
        assert (
            len(f.value.split()) <= 18 and "(" not in f.value and "`" not in f.value and "**" not in f.value
        )


def test_boilerplate_sections_are_recognised_and_never_written_from(settings, tmp_path):
    text = (
        "# widget\n\nEnglish | [简体中文](README.zh.md) | [日本語](README.ja.md)\n\n"
        "widget draws charts in the terminal.\n\n## Table of Contents\n\n- [Install](#install)\n"
        "- [Usage](#usage)\n\n## Features\n\n- Draws bar charts with colours\n- Streams live data from stdin\n\n"
        "## Contributing\n\n- Fork the repository and open a pull request\n\n## Sponsors\n\n- Acme Corp sponsors"
        " this work\n\n## Code of Conduct\n\n- Be kind to everyone in the community\n\n## Support\n\n"
        "- Ask questions on the forum\n\n## Acknowledgements\n\n- Thanks to the plotting community\n\n"
        "## License\n\nMIT License. Permission is hereby granted, free of charge.\n"
    )
    root = tmp_path / "widget"
    root.mkdir()
    (root / "README.md").write_text(text)
    card = build_card(load_source(root, settings))
    assert [f.value for f in card.features] == [
        "Draws bar charts with colours",
        "Streams live data from stdin",
    ]
    reasons = " ".join(card.skipped)
    for why in ("table of contents", "contributing", "sponsors", "code of conduct", "support", "acknowledgements",
                "licence", "translations"):  # fmt: skip
        assert why in reasons, (why, card.skipped)
    assert card.licence is not None and card.licence.value == "MIT"


def test_manifests_give_language_ecosystem_licence_links(settings, tmp_path):
    cases = {
        "pyproject.toml": ('[project]\nname = "tidy"\ndescription = "Tidy cleans CSV files."\nversion = "1.2.0"\n'
                           'license = "MIT"\nkeywords = ["csv", "cleaning"]\n[project.urls]\n'
                           'Homepage = "https://tidy.dev"\nDocumentation = "https://docs.tidy.dev"\n',
                           "Python", "PyPI", "MIT", "https://tidy.dev"),
        "package.json": ('{"name": "tidy", "description": "Tidy cleans CSV files.", "license": "ISC",'
                         ' "repository": "github:acme/tidy", "devDependencies": {"typescript": "5"}}',
                         "TypeScript", "npm", "ISC", "https://github.com/acme/tidy"),
        "Cargo.toml": ('[package]\nname = "tidy"\ndescription = "Tidy cleans CSV files."\nlicense = "MIT OR Apache-2.0"\n'
                       'repository = "https://github.com/acme/tidy"\n', "Rust", "crates.io", "MIT OR Apache-2.0",
                       "https://github.com/acme/tidy"),
        "go.mod": ("module github.com/acme/tidy\n\ngo 1.22\n", "Go", "Go modules", None, "https://github.com/acme/tidy"),
        "tidy.gemspec": ('Gem::Specification.new do |spec|\n  spec.name = "tidy"\n  spec.summary = "Tidy cleans CSV files."\n'
                         '  spec.license = "MIT"\n  spec.homepage = "https://tidy.dev"\nend\n', "Ruby", "RubyGems", "MIT",
                         "https://tidy.dev"),
        "composer.json": ('{"name": "acme/tidy", "description": "Tidy cleans CSV files.", "license": "MIT",'
                          ' "homepage": "https://tidy.dev"}', "PHP", "Packagist", "MIT", "https://tidy.dev"),
        "pom.xml": ('<project xmlns="http://maven.apache.org/POM/4.0.0"><artifactId>tidy</artifactId>'
                    "<description>Tidy cleans CSV files.</description><url>https://tidy.dev</url><licenses><license>"
                    "<name>Apache-2.0</name></license></licenses></project>", "Java", "Maven", "Apache-2.0",
                    "https://tidy.dev"),
    }  # fmt: skip
    for manifest, (text, language, ecosystem, licence, url) in cases.items():
        root = tmp_path / manifest.replace(".", "_")
        root.mkdir()
        (root / manifest).write_text(text)
        (root / "README.md").write_text("# tidy\n\nBadges only here.\n")
        source = load_source(root, settings)
        card = build_card(source)
        assert card.language is not None and card.language.value == language, manifest
        assert card.ecosystem is not None and card.ecosystem.value == ecosystem, manifest
        assert card.licence.value == licence if licence else card.licence is None, manifest
        assert url in [link.value for link in card.links], (manifest, card.links)
        assert card.language.path == manifest
        if manifest != "go.mod":
            assert card.tagline is not None and card.tagline.value == "Tidy cleans CSV files."
            assert card.tagline.path == manifest and card.tagline.start_line >= 1


def test_release_from_changelog_then_tags(settings, tmp_path):
    root = tmp_path / "tidy"
    root.mkdir()
    (root / "README.md").write_text("# tidy\n\ntidy is a CSV cleaner for the command line.\n")
    (root / "CHANGELOG.md").write_text(
        "# Changelog\n\n## Unreleased\n\n- Work in progress\n\n## 2.0.0 - 2025-03-01\n\n"
        "- Added a --dry-run flag that prints the changes\n- Dropped Python 3.8\n\n## 1.0.0 - 2024-01-01\n\n- First\n"
    )
    card = build_card(load_source(root, settings))
    assert card.release.version.value == "2.0.0" and card.release.date.value == "2025-03-01"
    assert card.release.changes[0].value == "Added a --dry-run flag that prints the changes"
    assert card.release.version.location == "CHANGELOG.md:7-7"
    (root / "CHANGELOG.md").unlink()
    git = ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "Add the CSV schema check"], check=True)
    subprocess.run([*git, "tag", "v3.1.0"], check=True)
    card = build_card(load_source(root, settings))
    assert card.release.version.value == "3.1.0" and card.release.version.path == "git:tags"
    assert card.release.changes[0].value == "Add the CSV schema check"


def test_edit_card_returns_a_new_card_and_records_the_edit(settings, tmp_path):
    card = build_card(load_source(_project(tmp_path, "sqlite-utils.md"), settings))
    first = card.features[0].value
    edited = edit_card(card, drop_features=(0,), tagline="SQLite tools for the command line.")
    assert edited is not card and card.features[0].value == first
    assert first not in [f.value for f in edited.features]
    assert (
        edited.tagline.value == "SQLite tools for the command line." and edited.tagline.path == "edit:creator"
    )
    assert edited.edits == (f"dropped feature: {first}", "tagline: SQLite tools for the command line.")
    assert card_from_dict(json.loads(json.dumps(edited.to_dict()))) == edited


def test_card_is_cached_per_content_hash(settings, tmp_path):
    root = _project(tmp_path, "typer.md")
    source = load_source(root, settings)
    cache = tmp_path / "index"
    card = build_card(source, cache_dir=cache)
    files = list(cache.glob("card-*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text())
    data["tagline"]["value"] = "read from the cache"
    files[0].write_text(json.dumps(data))
    assert build_card(source, cache_dir=cache).tagline.value == "read from the cache"
    (root / "README.md").write_text((root / "README.md").read_text() + "\nMore text.\n")
    assert build_card(load_source(root, settings), cache_dir=cache).tagline.value == card.tagline.value


def test_card_passages_keep_locations(settings, tmp_path):
    card = build_card(load_source(_project(tmp_path, "streamlit.md"), settings))
    passages = card_passages(card)
    assert passages[0].text == "Streamlit" and all(p.path for p in passages)
    assert any(p.location.startswith("README.md:") for p in passages)


def test_huge_readme_is_parsed_within_bounds(settings, tmp_path):
    root = tmp_path / "bigdoc"
    root.mkdir()
    head = "# bigdoc\n\nbigdoc is a documentation generator for large monorepos.\n\n## Features\n\n"
    body = "".join(f"- Feature number {i} renders pages in parallel\n" for i in range(5))
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n\n" * 90_000  # about 5 MB
    (root / "README.md").write_text(head + body + "\n## Reference\n\n" + filler)
    card = build_card(load_source(root, settings))
    assert card.tagline.value == "bigdoc is a documentation generator for large monorepos."
    assert len(card.features) >= 3
    assert len(parse_blocks("x\n\n" * MAX_PARSE_CHARS)) <= MAX_PARSE_CHARS


def test_card_from_documents_only(settings):
    source = LoadedSource("upload", "notes.md", (Document("readme", "notes.md", "# qwik\n\nqwik is a resumable web framework.\n"),),
                          name="qwik")  # fmt: skip
    card = build_card(source)
    assert card.name.value == "qwik" and card.tagline.value == "qwik is a resumable web framework."
    assert card.tagline.location == "notes.md:3-3"


def test_a_slogan_title_gives_way_to_the_folder_name_the_readme_installs(tmp_path, settings):
    from rag.sources import load_source

    folder = tmp_path / "charset-normalizer"
    folder.mkdir()
    (folder / "README.md").write_text(
        "# Charset Detection, for Everyone\n\nA library that reads text from an unknown charset encoding.\n\n"
        "## Installation\n\n```\npip install charset-normalizer -U\n```\n"
    )
    assert build_card(load_source(folder, settings)).name.value == "charset-normalizer"
