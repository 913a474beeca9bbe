"""The card's install commands and usage example, read from the README's code blocks and prose.

`pick_install` finds install commands (`pip install NAME`, `npm i NAME`, ...)
in code blocks and sentences, preferring an install section and commands that
name the project, and skipping dev-setup ones (`pip install -e .`, `-r
requirements.txt`, test tools). `pick_usage` picks a short code block that uses
the project, preferring a usage section: never a citation (BibTeX), a block of
only install or setup commands (clone, build, environment variables), a block of
program output, data formats, or text that reads as an instruction to a model.
Used by `rag.card`; it does not parse documents.
"""

from __future__ import annotations

import re

from rag.card_facts import field_of as _field
from rag.card_facts import norm as _norm
from rag.card_types import CardField
from rag.doc_blocks import Block
from rag.injection import looks_like_instruction
from rag.sections import section_role, section_roles
from rag.types import Document

__all__ = ["pick_install", "pick_usage", "INSTALL_LINE"]

INSTALL_LINE = re.compile(
    r"^(?:sudo\s+)?(?:pip3?|python3? -m pip|uv(?: pip)?|pipx|poetry|conda|mamba|npm|npx|yarn|pnpm|bun|cargo|go|gem|"
    r"bundle|composer|brew|apt(?:-get)?|docker|helm|dotnet|mvn|gradle|deno)\s+"
    r"(?:install|add|get|i|require|pull|tool install)\b.*$",
    re.I,
)
_INLINE_INSTALL = re.compile(
    r"\b((?:pip3?|uv|pipx|poetry|conda|npm|yarn|pnpm|cargo|go|gem|composer|brew)\s+(?:install|add|get|i|require)"
    r"(?:\s+-{1,2}[\w-]+)*\s+[\w@./:\[\]=<>~+-]+)"
)

_DEV_INSTALL = re.compile(r"requirements|^\s(tox|nox|pytest|pre-commit|twine|build|wheel|setuptools|pip|virtualenv|"
                          r"hatch|flit|maturin|ruff|black|mypy|sphinx|poetry|uv|dev|test|tests|docs|lint)\b", re.I)  # fmt: skip
_DEV_USAGE = re.compile(r"^\s*[$>]?\s*(git clone|python3? -m venv|virtualenv|source |cd |make |tox|nox|pytest|"
                        r"pre-commit|docker build|\.venv)", re.I)  # fmt: skip

# a line that prepares a machine, not one that uses the project
_SETUP_LINE = re.compile(
    r"^\s*(?:[$>%#]\s*)?(?:sudo\s+)?(?:git (clone|checkout|submodule)|cd\b|make\b|cmake\b|\./configure|curl\b|"
    r"wget\b|yum\b|dnf\b|apt(-get)?\b|brew\b|mkdir\b|env\s+\w+=|export\s+\w+=|set\s+\w+=|\w+=\S*\s*\\?$|"
    r"conda (create|activate|env)|mamba (create|activate)|source\b|python3? -\w*m\s*(venv|pip|pytest)|virtualenv\b|"
    r"pytest\b|tox\b|nox\b|"
    r"pip3?\b|uv (venv|sync|pip)\b|-{1,2}[\w-]+|\$env:\w+\s*=|\\$)",
    re.I,
)
_CITATION = re.compile(r"^\s*@\w+\s*\{|\b(author|journal|booktitle|year|doi)\s*=\s*[{\"\d]", re.I | re.M)
_CODE_MARK = re.compile(
    r"^\s*(>>>|\$|%|In \[\d+\]:)\s|\bimport\b|\w\s*\(|\w\s*=|[{};]\s*$|^\s*(def|class|fn|func|const|let|var|use|"
    r"package|#include|require)\b",
    re.M,
)
_DATA_LANGS = (
    "text",
    "console-output",
    "output",
    "json",
    "yaml",
    "toml",
    "diff",
    "bibtex",
    "bib",
    "tex",
    "latex",
)


def _installs_something(cmd: str) -> bool:
    """False for dev-setup commands (`pip install -e .`, `-r requirements.txt`, `poetry install`, tools)."""
    words = cmd.split()
    verb = next(
        (i for i, w in enumerate(words) if w in ("install", "add", "get", "i", "require", "pull")), -1
    )
    targets = [w for w in words[verb + 1 :] if not w.startswith("-")] if verb >= 0 else []
    if not targets or re.search(r"\s-[re]\s", f" {cmd} "):
        return False
    return not all(_DEV_INSTALL.search(" " + t.strip("'\"")) or t.startswith((".", "git+")) for t in targets)


def pick_install(blocks: list[Block], doc: Document, name: str = "") -> tuple[CardField, ...]:
    """Up to two install commands for the project, install section first, each with its line."""
    found: list[tuple[int, CardField]] = []
    for b in blocks:
        rank = 0 if section_role(b.sections) == "install" else 1
        if b.kind == "code":
            for i, line in enumerate(b.text.splitlines()):
                cmd = re.sub(r"^\s*(?:\$|>|%|#)\s+", "", line).strip()
                cmd = re.sub(r"\s+#.*$", "", cmd)
                if INSTALL_LINE.match(cmd) and len(cmd) <= 120:
                    ln = (
                        b.start_line + 1 + i
                        if b.lang or b.end_line - b.start_line > len(b.text.splitlines())
                        else b.start_line + i
                    )
                    found.append((rank, CardField(cmd, doc.path, ln, ln, "shell")))
        elif b.kind in ("paragraph", "item"):
            for m in _INLINE_INSTALL.finditer(b.text):
                found.append((rank + 1, _field(doc, b, m.group(1).rstrip("."), "shell")))
    named = [
        (r + (0 if name and name[:8] in _norm(f.value) else 2), f)
        for r, f in found
        if _installs_something(f.value)
    ]
    found = [
        (r, f) for r, f in named if r == 2 or (name and name[:8] in _norm(f.value))
    ]  # an install section, or names it
    found.sort(key=lambda pair: pair[0])
    out: list[CardField] = []
    for _, f in found:
        if f.value not in {o.value for o in out}:
            out.append(f)
    return tuple(out[:2])


def _setup_only(lines: list[str]) -> bool:
    """True when every line installs, clones, builds or sets the environment (or continues such a line)."""
    continued = False
    for ln in lines:
        bare = re.sub(r"^(?:[$>%]\s+)?(?:[A-Z_][A-Z0-9_]*=(?:\"[^\"]*\"|'[^']*'|\S*)\s+)+", "", ln.strip())
        if not (continued or bare.startswith("#") or INSTALL_LINE.match(re.sub(r"^[$>%]\s+", "", bare))
                or _SETUP_LINE.match(bare)):  # fmt: skip
            return False
        continued = bare.endswith("\\")
    return True


def _not_usage(b: Block, lines: list[str], name: str) -> bool:
    """True for a block that is not an example of using the project (see the module docstring)."""
    text = b.text.strip()
    if not lines or len(lines) > 20 or len(b.text) > 1200 or b.lang in _DATA_LANGS or len(text) < 15:
        return True
    if _CITATION.search(text) or _setup_only(lines) or looks_like_instruction(b.text):
        return True
    if re.fullmatch(r"[\d\s+*/().-]+", text):
        return True
    if section_roles(b.sections) == {"install"} and (
        not (name and name[:6] in _norm(text)) or any(_setup_only([ln]) for ln in lines)
    ):
        return True  # a build, dependency or install step
    return not _CODE_MARK.search(text) and not (name and name[:6] in _norm(text))  # program output


def pick_usage(blocks: list[Block], doc: Document, name: str = "") -> CardField | None:
    """A short code block that uses the project (a usage section and blocks that name it first), or None."""
    codes = [b for b in blocks if b.kind == "code" and b.text.strip() and not _DEV_USAGE.match(b.text)]
    codes.sort(
        key=lambda b: (
            bool(name) and name[:6] not in _norm(b.text),
            "usage" not in section_roles(b.sections),
            "install" in section_roles(b.sections),
            b.start_line,
        )
    )
    for b in codes:
        lines = [ln for ln in b.text.splitlines() if ln.strip()]
        while len(lines) > 1 and _setup_only(lines[:1]) and not lines[0].lstrip().startswith("#"):
            lines = lines[1:]  # "pip install x" above the code that uses it
        if not _not_usage(b, lines, name):
            return _field(doc, b, "\n".join(lines[:12]), b.lang)
    return None
