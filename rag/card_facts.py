"""The project card's facts that do not come from README prose: language, licence, latest release, links.

`language_of` reads manifests, then notebooks, install commands and code fences;
`licence_of` manifests, then the LICENSE file's text, then the README's licence
section (only to name the licence, never to write from); `release_of` the
changelog's newest versioned heading, then git tags with commit subjects, then
the manifest's version; `links_of` the manifests' URLs, the repository URL a
source was cloned from and the README's own docs/repository links. Used by
`rag.card`; no I/O beyond the documents given.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.card_types import CardField, Release
from rag.doc_blocks import Block, parse_blocks
from rag.injection import looks_like_instruction
from rag.manifests import ManifestInfo
from rag.phrases import condense, is_prose
from rag.types import Document, LoadedSource

__all__ = ["language_of", "licence_of", "release_of", "links_of", "field_of", "norm"]

_ECOSYSTEM_OF = {"pip": ("Python", "PyPI"), "uv": ("Python", "PyPI"), "pipx": ("Python", "PyPI"),
                 "poetry": ("Python", "PyPI"), "conda": ("Python", "conda"), "npm": ("JavaScript", "npm"),
                 "yarn": ("JavaScript", "npm"), "pnpm": ("JavaScript", "npm"), "cargo": ("Rust", "crates.io"),
                 "go": ("Go", "Go modules"), "gem": ("Ruby", "RubyGems"), "composer": ("PHP", "Packagist")}  # fmt: skip
_FENCE_LANG = {"python": "Python", "py": "Python", "pycon": "Python", "javascript": "JavaScript", "js": "JavaScript",
               "typescript": "TypeScript", "ts": "TypeScript", "rust": "Rust", "go": "Go", "ruby": "Ruby",
               "php": "PHP", "java": "Java", "kotlin": "Kotlin", "r": "R", "julia": "Julia"}  # fmt: skip
_VERSION = re.compile(r"\bv?(\d+\.\d+(?:\.\d+)?(?:[-.]?(?:a|b|rc|alpha|beta|dev|post)\.?\d*)?)\b")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\.? \d{1,2},? \d{4}|\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* \d{4})\b")  # fmt: skip
_LICENCES = (
    (r"\bMIT License\b|\bPermission is hereby granted, free of charge", "MIT"),
    (r"Apache License,?\s+Version 2\.0|\bApache[- ]2\.0\b", "Apache-2.0"),
    (r"BSD 3-Clause|Redistributions of source code must retain.*\n?.*Neither the name", "BSD-3-Clause"),
    (r"BSD 2-Clause", "BSD-2-Clause"),
    (r"GNU AFFERO GENERAL PUBLIC LICENSE", "AGPL-3.0"),
    (r"GNU LESSER GENERAL PUBLIC LICENSE", "LGPL"),
    (r"GNU GENERAL PUBLIC LICENSE\s+Version 3", "GPL-3.0"),
    (r"GNU GENERAL PUBLIC LICENSE\s+Version 2", "GPL-2.0"),
    (r"Mozilla Public License,?\s+(v\. |Version )?2\.0", "MPL-2.0"),
    (r"\bISC License\b", "ISC"),
    (r"This is free and unencumbered software released into the public domain", "Unlicense"),
)
_SKIP_COMMIT = re.compile(r"^(merge|bump|release|version|prepare|ci|chore|wip|typo|fix typo|update (readme|changelog)|"
                          r"revert|\[skip|docs?:|style:|test:|build:|deps?)\b", re.I)  # fmt: skip


def field_of(doc: Document, block: Block, value: str, label: str = "") -> CardField:
    return CardField(value, doc.path, block.start_line, block.end_line, label)


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def language_of(manifests: list[ManifestInfo], source: LoadedSource, install: tuple[CardField, ...],
              blocks: list[Block], doc: Document | None) -> tuple[CardField | None, CardField | None]:  # fmt: skip
    for m in manifests:
        if m.language:
            return m.language, m.ecosystem
    nb = next((d for d in source.documents if d.path.lower().endswith(".ipynb")), None)
    if nb is not None:
        return CardField("Python", nb.path), CardField("Jupyter", nb.path)
    for f in install:
        tool = "pip" if re.search(r"\bpip3?\b", f.value) else f.value.split()[0].lower().rstrip("3")
        if tool in _ECOSYSTEM_OF:
            lang, eco = _ECOSYSTEM_OF[tool]
            return replace(f, value=lang, label=""), replace(f, value=eco, label="")
    counts: dict[str, list[Block]] = {}
    for b in blocks:
        if b.kind == "code" and b.lang in _FENCE_LANG:
            counts.setdefault(_FENCE_LANG[b.lang], []).append(b)
    if counts and doc is not None:
        lang, where = max(counts.items(), key=lambda kv: len(kv[1]))
        return field_of(doc, where[0], lang), None
    return None, None


def licence_of(
    manifests: list[ManifestInfo], source: LoadedSource, blocks: list[Block], doc: Document | None
) -> CardField | None:
    for m in manifests:
        if m.licence:
            return m.licence
    for d in source.documents:
        if re.match(r"(?i)(licen[cs]e|copying)", d.path.rsplit("/", 1)[-1]):
            for pattern, name in _LICENCES:
                m = re.search(pattern, d.text, re.I)
                if m:
                    line = d.text[: m.start()].count("\n") + 1
                    return CardField(name, d.path, line, line)
    for b in blocks:  # a README's licence section names it (never written from, only recorded)
        if doc is not None and re.search(r"licen[cs]e", b.section, re.I):
            m = re.search(
                r"\b(MIT|Apache[- ]2\.0|BSD[- ][23]-Clause|GPL-?[23](\.0)?|LGPL|AGPL|MPL[- ]2\.0|ISC)\b",
                b.text,
            )
            if m:
                return field_of(doc, b, m.group(1))
    return None


def release_of(source: LoadedSource, manifests: list[ManifestInfo]) -> Release | None:
    for d in source.documents:
        if d.kind != "changelog":
            continue
        blocks = parse_blocks(d.text, d.path)
        for i, b in enumerate(blocks):
            if b.kind != "heading" or re.search(r"unreleased|upcoming|next", b.text, re.I):
                continue
            v = _VERSION.search(b.text)
            if not v:
                continue
            date = _DATE.search(b.text)
            changes = []
            for c in blocks[i + 1 :]:
                if c.kind == "heading" and c.level <= b.level:
                    break
                if c.kind == "item" and c.level == 1 and not looks_like_instruction(c.text):
                    short = condense(c.text)
                    if len(short.split()) >= 2:
                        changes.append(CardField(short, d.path, c.start_line, c.end_line))
                if len(changes) >= 3:
                    break
            field = CardField(v.group(1), d.path, b.start_line, b.end_line)
            return Release(field, replace(field, value=date.group(1)) if date else None, tuple(changes))
    tags = next((d for d in source.manifests if d.path == "git:tags"), None)
    if tags is not None:
        first = tags.text.splitlines()[0].split()
        v = _VERSION.search(first[0]) if first else None
        if v:
            commits = [d for d in source.documents if d.kind == "commit"]
            changes = []
            for c in commits:
                subject = c.text.strip().splitlines()[0] if c.text.strip() else ""
                if subject and not _SKIP_COMMIT.match(subject) and is_prose(subject, 3):
                    changes.append(CardField(condense(subject) or subject[:80], c.path, 1, 1))
                if len(changes) >= 3:
                    break
            date = CardField(first[1], "git:tags", 1, 1) if len(first) > 1 else None
            return Release(CardField(v.group(1), "git:tags", 1, 1), date, tuple(changes))
    version = next((m.version for m in manifests if m.version and _VERSION.search(m.version.value)), None)
    return Release(version) if version else None


def links_of(manifests: list[ManifestInfo], source: LoadedSource, blocks: list[Block], doc: Document | None,
           name: str) -> tuple[CardField, ...]:  # fmt: skip
    found: dict[str, CardField] = {}
    for m in manifests:
        for link in m.links:
            found.setdefault(link.label, link)
    if source.kind == "url" and source.location.startswith("http"):
        found.setdefault("repository", CardField(source.location, source.location))
    for b in blocks if doc is not None else ():
        for url in (u.rstrip(".,;") for u in b.links):
            if norm(name)[:6] not in norm(url) or not url.startswith(("http://", "https://")) or re.search(r"shields\.io|badge|travis|circleci|codecov|"
                                                                       r"coveralls|pepy|/actions", url):  # fmt: skip
                continue
            if re.search(r"readthedocs\.io|\.github\.io|docs\.rs|pkg\.go\.dev|^https?://docs?\.", url):
                found.setdefault("docs", field_of(doc, b, url, "docs"))  # type: ignore[arg-type]
            m = re.match(r"https?://(?:github|gitlab)\.com/[\w.-]+/([\w.-]+?)(?:\.git)?/?$", url)
            if m and norm(m.group(1)) == norm(name):
                found.setdefault("repository", field_of(doc, b, url.rstrip("/"), "repository"))  # type: ignore[arg-type]
    return tuple(
        replace(f, label=label) for label, f in found.items() if label in ("homepage", "docs", "repository")
    )
