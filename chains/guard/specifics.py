"""Specifics: numbers, versions, URLs, @handles, file and package names, proper nouns.

`extract_specifics` finds them in a claim; `ProjectText` holds the project's
text normalised once; `missing_specifics` says which do not appear in it. URLs,
handles, versions, file and package names and numbers that are missing make a
claim unsupported outright (the `HARD_KINDS`); a missing proper noun is soft: it
lowers the support score and is named in the reason. No models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chains.guard.textutil import tokens

__all__ = ["Specific", "ProjectText", "extract_specifics", "missing_specifics", "HARD_KINDS", "GENERIC_NAMES"]

HARD_KINDS = ("url", "handle", "version", "file", "package", "number")
GENERIC_NAMES = frozenset(
    """linkedin github gitlab python pypi npm ai llm llms api apis cli ui ux readme mit apache bsd gpl
    open source oss json yaml toml csv sql http https rest docker linux macos windows today new check
    i we you it this that our my your devs developers team monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november december
    tl dr tldr faq ps pro tip""".split()
)
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|io|dev|net|ai|app)(?:/[^\s<>\"')\]]*)?",
    re.I,
)
_HANDLE = re.compile(r"(?<![\w.])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)")
_VERSION = re.compile(
    r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)*(?:[-.]?(?:rc|a|b|alpha|beta|dev|post)\d*)?)(?![\w.]*\w)", re.I
)
_FILE = re.compile(
    r"(?<![\w/])((?:[\w.-]+/)*[\w-]+\.(?:py|md|rst|toml|json|ya?ml|txt|js|ts|tsx|cfg|ini|sh|rs|go|sql|csv|html|css|ipynb|lock|env))\b"
)
_PACKAGE = re.compile(
    r"\b(?:pip3?|uv pip|npm|pipx|cargo|brew|apt(?:-get)?)\s+(?:install|add)\s+(?:-[\w-]+\s+)*([\w.\[\]-]+)",
    re.I,
)
_CODE = re.compile(r"`([^`\n]{2,60})`")
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|x|k|ms|s|mb|gb|kb)?(?![\w.]*\d)", re.I
)
_NAME = re.compile(r"\b([A-Z][a-z]*[A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z]*|[A-Z][a-z]+)\b")


@dataclass(frozen=True)
class Specific:
    """One checkable specific in a claim, with its normalised form."""

    kind: str  # url | handle | version | file | package | number | name
    text: str
    norm: str


class ProjectText:
    """A project's text normalised once for fast lookups of specifics."""

    def __init__(self, text: str, paths: tuple[str, ...] = ()):
        self.lower = (text or "").lower()
        self.flat = re.sub(r"\s+", " ", self.lower)
        self.tokens = set(tokens(self.lower)) | {
            _norm_number(t) for t in re.findall(r"\d[\d,]*(?:\.\d+)?", self.lower)
        }
        self.paths = tuple(p.lower() for p in paths)
        self.basenames = {p.rsplit("/", 1)[-1] for p in self.paths}

    @property
    def empty(self) -> bool:
        """True when there is no text at all."""
        return not self.lower.strip()

    def contains(self, spec: Specific) -> bool:
        """Whether the project mentions this specific (normalised)."""
        n = spec.norm
        if spec.kind == "url":
            return n in _strip_scheme(self.flat)
        if spec.kind == "handle":
            return f"@{n}" in self.lower or f"github.com/{n}" in self.lower
        if spec.kind == "version":
            return (
                n in self.tokens
                or f"v{n}" in self.tokens
                or re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", self.lower) is not None
            )
        if spec.kind == "file":
            base = n.rsplit("/", 1)[-1]
            return n in self.lower or base in self.basenames or any(p.endswith(n) for p in self.paths)
        if spec.kind == "number":
            return n in self.tokens
        if spec.kind in ("package", "name"):
            return (
                n in self.tokens or re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", self.lower) is not None
            )
        return n in self.lower


def _strip_scheme(s: str) -> str:
    return re.sub(r"https?://(?:www\.)?|www\.", "", s)


def _norm_url(u: str) -> str:
    return _strip_scheme(u.lower()).rstrip("/.,;:!?")


def _norm_number(t: str) -> str:
    t = t.replace(",", "")
    if "." in t:
        t = t.rstrip("0").rstrip(".") or "0"
    return t


def extract_specifics(claim: str) -> list[Specific]:
    """Every specific in a claim; spans already taken by a URL or version are not re-read as numbers."""
    out: list[Specific] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _URL.finditer(claim):
        out.append(Specific("url", m.group(0), _norm_url(m.group(0))))
        taken.append(m.span())
    for m in _HANDLE.finditer(claim):
        if free(*m.span()):
            out.append(Specific("handle", m.group(0), m.group(1).lower()))
            taken.append(m.span())
    for m in _FILE.finditer(claim):
        if free(*m.span()) and not re.fullmatch(r"[\d.]+", m.group(1)):
            out.append(Specific("file", m.group(1), m.group(1).lower()))
            taken.append(m.span())
    for m in _PACKAGE.finditer(claim):
        if free(*m.span(1)):
            out.append(
                Specific(
                    "package", m.group(1).rstrip(".,;:"), m.group(1).lower().split("[")[0].rstrip(".,;:")
                )
            )
            taken.append(m.span(1))
    for m in _CODE.finditer(claim):
        if free(*m.span(1)) and " " not in m.group(1).strip():
            out.append(Specific("package", m.group(1), m.group(1).strip().lower()))
            taken.append(m.span())
    for m in _VERSION.finditer(claim):
        if free(*m.span()):
            is_version = m.group(0).lower().startswith("v") or m.group(1).count(".") >= 2
            if is_version:
                out.append(Specific("version", m.group(0), m.group(1).lower()))
                taken.append(m.span())
    for m in _NUMBER.finditer(claim):
        if free(*m.span(1)):
            out.append(Specific("number", m.group(0).strip(), _norm_number(m.group(1))))
            taken.append(m.span(1))
    for m in _NAME.finditer(claim):
        if not free(*m.span()):
            continue
        word = m.group(1)
        before = claim[: m.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?:\n-•*\"'(" or not re.search(r"\w", before)
        camel = bool(re.search(r"[a-z][A-Z]|^[A-Z]{2,}", word))
        if word.lower() in GENERIC_NAMES or (sentence_start and not camel):
            continue
        out.append(Specific("name", word, word.lower()))
    return out


def missing_specifics(specifics: list[Specific], project: ProjectText) -> list[Specific]:
    """The specifics the project text does not contain."""
    return [s for s in specifics if not project.contains(s)]
