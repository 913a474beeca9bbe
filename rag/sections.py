"""Which parts of a README are about the project, and which are boilerplate never written from.

`boilerplate_reason(block)` names why a block is not about the project: it sits
under a contributing, code of conduct, support/help, sponsors/backers, licence,
table of contents, translations, acknowledgements or similar heading, or it is
itself a row of badges, a table of contents, a language switcher, or a
sentence that asks readers to file issues or send pull requests. It also names
the section kinds the card reads from (features, install, usage, why).
It does not parse documents (`rag.doc_blocks`) or build the card (`rag.card`).
"""

from __future__ import annotations

import re

from rag.doc_blocks import Block

__all__ = [
    "boilerplate_text",
    "boilerplate_reason",
    "section_role",
    "section_roles",
    "detail_section",
    "BOILERPLATE_HEADINGS",
    "SECTION_ROLES",
]

# heading pattern -> why its section is not about the project
BOILERPLATE_HEADINGS: tuple[tuple[str, str], ...] = (
    (
        r"contribut|development|developing|developer notes|for developers|maintainer notes|hacking on|"
        r"uploading to|publishing to|how to help|pull requests?|testing|running (the )?tests|^tests?$|"
        r"build(ing)? from source|benchmarks? setup|release process|releasing|new release|make a release|cutting a release",
        "contributing",
    ),
    (r"code of conduct|conduct", "code of conduct"),
    (
        r"\bsupport\b|getting help|\bhelp\b|questions?|\bfaq\b|community|contact|discussions?|chat\b|"
        r"discord|slack|gitter|mailing list|reporting (bugs|issues)|\bissues?\b|security|communication",
        "support and help",
    ),  # fmt: skip
    (
        r"sponsor|backer|funding|donat|patreon|open ?collective|supporters|tidelift|enterprise",
        "sponsors and backers",
    ),
    (r"licen[cs]e|copyright|legal", "licence text"),
    (r"table of contents|^contents$|^toc$|^index$|^navigation$", "table of contents"),
    (r"translation|languages?$|i18n|localization", "translations"),
    (
        r"acknowledg|thanks|credits?|authors?|maintainers?|contributors|team|people|who uses|used by|"
        r"users|in the wild|adopters|citation|cite|citing|star history|stargazers|projects? (that|using|built)|"
        r"used in|who'?s using|built with|powered by",
        "acknowledgements",
    ),
    (r"badges?|build status|^status$|project status", "badges"),
    (
        r"changelog|release history|history|news|roadmap|todo|to do|related projects|alternatives|"
        r"see also|similar projects|links|resources|further reading|blog posts?|press|talks|versioning|"
        r"compatibility policy|deprecation policy|migrat",
        "related links",
    ),
)
_BOILER = [(re.compile(p, re.I), why) for p, why in BOILERPLATE_HEADINGS]
# Roles the card reads from, by heading.
SECTION_ROLES: tuple[tuple[str, str], ...] = (
    (
        r"feature|highlight|what it does|what can|capabilit|why use|key (points|benefits)|benefits|"
        r"overview|at a glance|what'?s (in|inside)|includes|batteries",
        "features",
    ),
    (r"install|setup|set up|getting started|get started|quick ?start|requirements|download", "install"),
    (
        r"usage|example|quick ?start|tutorial|how to use|getting started|get started|basic use|"
        r"demo|in action|walkthrough|first steps",
        "usage",
    ),
    (
        r"why|motivation|rationale|background|problem|about|introduction|what is|philosophy|goals?|summary",
        "why",
    ),
)
_ROLES = [(re.compile(p, re.I), role) for p, role in SECTION_ROLES]
# Sections about the project that explain, document or qualify it: read for the post's passages, but their
# list items are not features ("How Faiss works: memory used per index vector", "Known problems", "Parameters").
_DETAIL = re.compile(
    r"^how$|\bhow\b.*\bworks?\b|under the hood|internals|architecture|algorithm|semantics|specifications?|"
    r"limitations?|caveats?|known (problems|issues|bugs)|trade-?offs|drawbacks|gotchas|discrepanc|considerations|"
    r"pitfalls|documentation|^docs$|\breference|parameters|arguments|^options$|^api\b|dependencies|requirements|"
    r"advanced (topics|usage)|^further|what'?s (changed|new)|^fixes$|^packaging$|python eols?|"
    r"^v?\d+\.\d+(\.\d+)?\S*(\s|$)",
    re.I,
)
_API_TITLE = re.compile(
    r"\\\w|\w\(\)|::"
)  # a heading named after an API construct ("Search anchor \\G", "get()")
_ASKS = re.compile(
    r"\b(pull requests?|open an issue|file an issue|report (a )?bugs?|issue tracker|contributions? (are|is) "
    r"welcome|feel free to (contribute|open|submit|fork)|code of conduct|star (this|the) repo|give (us|it) a star|"
    r"contribute to|we welcome|welcome (new )?contributors|contributors of all|community goals|tidelift|subscription|join (a|our|the) [\w\s-]{0,20}community|sponsor|donate|buy me a coffee|patreon|we may only provide support|stack ?overflow|mailing list|"
    r"join (us|our) (on )?(discord|slack|gitter)|licensed under|released under the|see (the )?licen[cs]e|"
    r"copyright \(c\)|all rights reserved|this (readme|document|file) (is|was)|"
    r"translations?:|documentation is available in)\b",
    re.I,
)
_LANG_SWITCH = re.compile(
    r"(english|简体中文|中文|日本語|한국어|español|français|deutsch|português|русский)", re.I
)


def _heading_reason(title: str) -> str:
    t = " ".join(re.sub(r"[^\w\s'?]", " ", title).split())
    for pattern, why in _BOILER:
        if pattern.search(t):
            return why
    return ""


def section_role(sections: tuple[str, ...]) -> str:
    """The card role of the nearest heading that has one ("features", "install", "usage", "why"), or ""."""
    for title in reversed(sections):
        for pattern, role in _ROLES:
            if pattern.search(title):
                return role
    return ""


def section_roles(sections: tuple[str, ...]) -> frozenset[str]:
    """Every card role of the nearest heading that has one ("Getting started" is both install and usage)."""
    for title in reversed(sections):
        roles = frozenset(role for pattern, role in _ROLES if pattern.search(title))
        if roles:
            return roles
    return frozenset()


def detail_section(sections: tuple[str, ...]) -> str:
    """The heading among `sections` (below the title) under which list items are details, not features."""
    for title in sections[1:] if len(sections) > 1 else sections:
        if _API_TITLE.search(title) or _DETAIL.search(" ".join(re.sub(r"[^\w\s'.-]", " ", title).split())):
            return title
    return ""


def boilerplate_reason(block: Block) -> str:
    """Why `block` is not about the project ("" when it is)."""
    for title in block.sections:
        why = _heading_reason(title)
        if why:
            return f"{why} section"
    if block.kind == "heading":
        return f"{_heading_reason(block.text)} heading" if _heading_reason(block.text) else ""
    if block.kind in ("paragraph", "item", "row"):
        if len(_LANG_SWITCH.findall(block.text)) >= 3:
            return "translations"
        if block.only_links:
            if block.links and all(u.startswith("#") for u in block.links):
                return "table of contents"
            if len(_LANG_SWITCH.findall(block.text)) >= 2:
                return "translations"
            return "badges and links"
        if block.images and len(block.text) < 40 and not re.search(r"[.!?]$", block.text):
            return "badges and links"
        if _ASKS.search(block.text):
            return "asks readers for contributions, support or licence terms"
    return ""


def boilerplate_text(text: str) -> bool:
    """True when a sentence asks for contributions, support, sponsorship, or states licence terms."""
    return bool(_ASKS.search(text))
