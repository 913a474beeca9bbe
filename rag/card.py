"""Build a project's card from its README, manifests, changelog and tags, and apply a creator's edits.

`build_card(source)` reads the README (Markdown, reStructuredText, HTML, or the
first notebook when there is no README) into blocks, drops the boilerplate
ones (`rag.sections`) and fills a `ProjectCard`: name, tagline in the
project's own words (`rag.tagline`), the problem, short feature lines
(`rag.features`), install commands and a usage example (`rag.usage`),
language and ecosystem, licence, latest release and links (`rag.card_facts`),
each with the path and lines it came from. With `cache_dir` the card is
written as JSON per content hash and read back next time. `edit_card` returns
a new card with features dropped or the tagline corrected. It does not write
posts (`chains`) or load sources (`rag.sources`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import replace
from pathlib import Path

from rag.card_facts import field_of as _field
from rag.card_facts import language_of, licence_of, links_of, release_of
from rag.card_facts import norm as _norm
from rag.card_types import CARD_FORMAT, CardField, ProjectCard, Release, card_from_dict
from rag.doc_blocks import Block, parse_blocks
from rag.features import MAX_FEATURES, pick_features
from rag.injection import looks_like_instruction
from rag.manifests import ManifestInfo, parse_manifest
from rag.phrases import english_share, is_prose, split_sentences
from rag.sections import boilerplate_reason, boilerplate_text, detail_section, section_role
from rag.tagline import pick_tagline
from rag.types import Document, LoadedSource, Passage
from rag.usage import pick_install, pick_usage

__all__ = [
    "build_card",
    "edit_card",
    "card_key",
    "card_passages",
    "ProjectCard",
    "CardField",
    "Release",
    "MAX_FEATURES",
]

LOG = logging.getLogger(__name__)
_PROBLEM = re.compile(
    r"\b(problem|pain|tedious|hard to|difficult|without having to|instead of|tired of|no need to|boilerplate|"
    r"error-prone|frustrat|struggl|cumbersome|too slow|time-consuming|lets you stop|so you don't)\b",
    re.I,
)


def card_key(source: LoadedSource) -> str:
    """The cache key of a source's card: its content hash, its manifests and the card format."""
    h = hashlib.sha256(f"{source.content_hash}|card-v{CARD_FORMAT}".encode())
    for doc in source.manifests:
        h.update(
            doc.path.encode("utf-8", "replace") + b"\x00" + doc.text.encode("utf-8", "replace") + b"\x01"
        )
    return h.hexdigest()[:24]


def build_card(source: LoadedSource, *, cache_dir: Path | str | None = None) -> ProjectCard:
    """The `ProjectCard` of a loaded project (read from `cache_dir/card-<key>.json` when cached there)."""
    key = card_key(source)
    path = Path(cache_dir) / f"card-{key}.json" if cache_dir else None
    if path is not None and path.is_file():
        try:
            return card_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            LOG.warning("card cache %s unreadable (%s); rebuilding", path, exc)
    card = _build(source, key)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(card.to_dict(), ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            LOG.warning("could not cache the card at %s (%s)", path, exc)
    return card


def edit_card(card: ProjectCard, *, drop_features: tuple[int | str, ...] = (), tagline: str | None = None,
              name: str | None = None) -> ProjectCard:  # fmt: skip
    """A new card with the creator's edits: features dropped (by index or value), tagline or name corrected."""
    edits = list(card.edits)
    features = card.features
    if drop_features:
        gone = {f for f in drop_features if isinstance(f, str)}
        idx = {i for i in drop_features if isinstance(i, int)}
        kept = tuple(f for i, f in enumerate(features) if i not in idx and f.value not in gone)
        edits += [f"dropped feature: {f.value}" for f in features if f not in kept]
        features = kept
    new_tagline = card.tagline
    if tagline is not None and tagline.strip() != (card.tagline.value if card.tagline else ""):
        text = " ".join(tagline.split())
        new_tagline = CardField(text, "edit:creator") if text else None
        edits.append(f"tagline: {text or '(removed)'}")
    new_name = card.name
    if name is not None and name.strip() and name.strip() != card.name.value:
        new_name = CardField(" ".join(name.split()), "edit:creator")
        edits.append(f"name: {new_name.value}")
    return replace(card, features=features, tagline=new_tagline, name=new_name, edits=tuple(edits))


def card_passages(card: ProjectCard) -> tuple[Passage, ...]:
    """Every card value as a `Passage` (kind "readme", or "manifest" for manifest fields) with its lines."""
    fields = [card.name, card.tagline, card.problem, *card.features, *card.install, card.usage, card.language,
              card.ecosystem, card.licence, *card.links, *card.keywords]  # fmt: skip
    if card.release is not None:
        fields += [card.release.version, card.release.date, *card.release.changes]
    out = []
    for f in fields:
        if f is not None and f.value:
            kind = "readme" if f.path.lower().startswith(("readme", "edit:")) or "/" in f.path else "docs"
            out.append(Passage(f.value, kind, f.path, 1.0, f.start_line, f.end_line))
    return tuple(out)


# --- building ----------------------------------------------------------------
def _main_doc(source: LoadedSource) -> Document | None:
    docs = source.documents
    return (
        next((d for d in docs if d.kind == "readme"), None)
        or next((d for d in docs if d.path.lower().endswith(".ipynb")), None)
        or next(
            (
                d
                for d in docs
                if d.kind == "docs" and not re.match(r"(?i)(licen[cs]e|copying|notice)", d.path)
            ),
            None,
        )
    )


def _name(
    source: LoadedSource, manifests: list[ManifestInfo], blocks: list[Block], doc: Document | None
) -> CardField:
    first = next((b for b in blocks if b.kind == "heading"), None)
    h1 = first if first is not None and first.level == 1 and first.text.strip() else None
    man = next((m.name for m in manifests if m.name), None)
    folder = source.name if source.name and not _is_heading_word(source.name) else ""
    if not folder and source.kind != "upload":
        folder = Path(source.location.rstrip("/")).name
    if h1 is not None and doc is not None:
        title = re.split(r"\s+[-–—:|]\s+|: ", h1.text, maxsplit=1)[0].strip()
        title = re.sub(r"\s+v?\d+(\.\d+)*$", "", title)
        title = re.sub(
            r"^(welcome to|introducing|meet)\s+", "", re.sub(r"[^\w\s.+\-/']", "", title), flags=re.I
        ).strip()
        plausible = (0 < len(title.split()) <= 4 and len(title) <= 40 and not looks_like_instruction(title)
                     and not _is_heading_word(title))  # fmt: skip
        known = man.value if man else folder
        if known and _norm(title) == _norm(known):
            if man and title.isupper() and len(title) > 4:
                return man  # "IMAGEIO" as a logo-like title: the package's own casing reads better
            return _field(doc, h1, title)
        if not man and plausible:
            if folder and " " in title and " " not in folder and _norm(folder) in _norm(doc.text[:20_000]):
                # "Charset Detection, for Everyone" is a slogan; the README's own install line names it
                return CardField(folder, doc.path)
            return _field(doc, h1, title)
    if man:
        return man
    if doc is not None:  # the subject of the README's defining sentence, when it is the folder's name
        for b in _lead_blocks(blocks)[:3]:
            m = re.match(
                r"^(?:The\s+)?([A-Z][\w.+-]{1,30}|[a-z][\w.+-]{1,30})\s+(?:is|are)\s+(?:an?|the)\b", b.text
            )
            if m and (not folder or _norm(m.group(1)) == _norm(folder)):
                return _field(doc, b, m.group(1))
    if folder and doc is not None:
        return CardField(folder, doc.path if _norm(folder) in _norm(doc.text[:4000]) else source.location)
    return CardField(folder or "this project", source.location)


def _is_heading_word(title: str) -> bool:
    """True for a title that is a section heading (Features, Installation, License...), not a name."""
    return (
        bool(section_role((title,)))
        or bool(detail_section((title,)))
        or bool(boilerplate_reason(Block("heading", title, 0, 0)))
    )


def _about(blocks: list[Block], doc: Document) -> tuple[list[Block], list[str]]:
    """Blocks about the project, and the boilerplate sections recognised (aggregated)."""
    kept: list[Block] = []
    spans: dict[str, list[int]] = {}
    for b in blocks:
        why = boilerplate_reason(b)
        if why.startswith("asks readers") and b.kind == "paragraph":
            rest = " ".join(s for s in split_sentences(b.text) if not boilerplate_text(s))
            if rest and not looks_like_instruction(rest):
                kept.append(replace(b, text=rest))
                continue
        if why:
            key = f"{b.section or b.text[:40]}: {why}"
            span = spans.setdefault(key, [b.start_line, b.end_line])
            span[0], span[1] = min(span[0], b.start_line), max(span[1], b.end_line)
        elif not looks_like_instruction(b.text):
            kept.append(b)
    skipped = [f"{doc.path}:{a}-{z}: {key}" for key, (a, z) in spans.items()]
    return kept, skipped


def _lead_blocks(blocks: list[Block]) -> list[Block]:
    """Paragraphs before the first heading after the title (the README's opening), else the first ones."""
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    stop = len(blocks)
    if headings:
        first = headings[0]
        title_first = blocks[first].level == 1 and all(b.kind != "paragraph" or not is_prose(b.text, 4)
                                                       for b in blocks[:first])  # fmt: skip
        later = [i for i in headings if i > first] if title_first else headings
        stop = later[0] if later else len(blocks)
    lead = [b for b in blocks[:stop] if b.kind == "paragraph" and is_prose(b.text, 4)]
    return lead or [b for b in blocks if b.kind == "paragraph" and is_prose(b.text, 4)][:3]


def _problem(blocks: list[Block], doc: Document, tagline: CardField | None) -> CardField | None:
    pool = _lead_blocks(blocks)[:4] + [
        b for b in blocks if b.kind == "paragraph" and section_role(b.sections) == "why"
    ]
    for b in pool:
        for s in split_sentences(b.text):
            if tagline is not None and s == tagline.value:
                continue
            if _PROBLEM.search(s) and 30 <= len(s) <= 260 and is_prose(s, 5) and s[-1:] in ".!?":
                return _field(doc, b, s)
    return None


def _build(source: LoadedSource, key: str) -> ProjectCard:
    manifests = [m for m in (parse_manifest(d) for d in source.manifests) if m is not None]
    doc = _main_doc(source)
    blocks = parse_blocks(doc.text, doc.path) if doc is not None else []
    notes: list[str] = []
    kept, skipped = _about(blocks, doc) if doc is not None else ([], [])
    name = _name(source, manifests, blocks, doc)
    if doc is None:
        notes.append("no README: the card comes from the manifests only")
        tagline = next((m.description for m in manifests if m.description), None)
        problem, features, install, usage = None, (), (), None
    else:
        if doc.kind != "readme":
            notes.append(f"no README: the card is read from {doc.path}")
        tagline = pick_tagline(kept, _lead_blocks(kept), doc, manifests, name.value)
        problem = _problem(kept, doc, tagline)
        features = pick_features(kept, doc, tagline)
        install = pick_install(kept, doc, _norm(name.value))
        usage = pick_usage(kept, doc, _norm(name.value))
    language, ecosystem = language_of(manifests, source, install, kept, doc)
    prose = " ".join(b.text for b in kept if b.kind in ("paragraph", "item"))[:5000]
    if prose and english_share(prose) < 0.08:
        notes.append("the README does not read as English: the post quotes it as written")
    if tagline is None and not features:
        notes.append("the README says nothing about what the project is (only a title, badges or links): "
                     "add a one-line description under the title")  # fmt: skip
    members = [m for mf in manifests for m in mf.members]
    if members:
        notes.append(f"a workspace of {len(members)} packages: {', '.join(members[:6])}")
    return ProjectCard(
        name=name,
        tagline=tagline,
        problem=problem,
        features=features,
        install=install,
        usage=usage,
        language=language,
        ecosystem=ecosystem,
        licence=licence_of(manifests, source, blocks, doc),
        release=release_of(source, manifests),
        links=links_of(manifests, source, kept, doc, name.value),
        keywords=tuple(k for m in manifests for k in m.keywords)[:12],
        skipped=tuple(skipped),
        notes=tuple(notes),
        content_hash=key,
    )
