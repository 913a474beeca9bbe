"""The post pipeline: one entry point per job, plain functions over dataclasses.

`generate_post` loads a source, records it, builds (or reuses) its index,
retrieves passages for the brief, asks the writing chain for a draft and stores
the item with its first version, emitting one event per step. The functions
that act on stored posts (`load_post`, `rate_version`, `refine_post`,
`export_item`) live in `core.posts.view`, `.refine` and `.export` and are
re-exported here (and by `core.posts`), so callers need only this module. Dependencies come in through `Services`; nothing is looked up from
globals. This module does not render anything, build prompts (`chains`) or
parse files (`rag`); it turns their errors into `HeraldError`s naming the fix.
The draft then passes `core.gate.submit_version` like every other version: the
guard, moderation and the item's status are decided there, and `PostResult`
carries the stored current version (the guard's revision when it made one).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from chains.types import AUDIENCES, BRIEF_LENGTHS, STYLES, TONES, Brief, Draft, Strategy
from core.auth import User, acting, audit_hook, require, signed_in_name
from core.errors import InvalidInputError
from core.posts.errors import GenerationFailedError, SourceLoadError, mapped_errors
from core.posts.export import ExportResult, build_export, export_item, export_items, record_export
from core.posts.refine import rate_version, refine_post
from core.posts.view import PostView, load_post
from core.services import Services
from rag.types import LoadedSource, Passage

__all__ = [
    "PostResult",
    "PostView",
    "SourceInput",
    "CardEdit",
    "ExportResult",
    "DemoSource",
    "SourceLoadError",
    "GenerationFailedError",
    "DEMO_SOURCES",
    "STEP_LABELS",
    "generate_post",
    "load_post",
    "rate_version",
    "refine_post",
    "build_export",
    "record_export",
    "export_item",
    "export_items",
    "validate_brief",
    "retrieval_query",
]

LOG = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
TITLE_CHARS = 90
Progress = Callable[[str, float], None]

STEP_LABELS: dict[str, str] = {
    "load_source": "Loading the project",
    "record_source": "Recording the source",
    "index": "Indexing the project",
    "retrieve": "Finding the passages to write from",
    "choose_strategy": "Choosing a strategy",
    "generate": "Writing the draft",
    "store": "Checking the draft and saving it",
    "guard": "Checking every claim against the project",
    "moderation": "Checking the post (moderation)",
    "status": "Setting the status",
}
STYLE_QUERIES = {
    "announcement": "what it is, its key features and why it matters, how to install it",
    "tutorial": "how to install and use it, quick start, example commands",
    "story": "why it was built, the problem it solves, how it started",
    "listicle": "key features and highlights",
    "release_notes": "latest release, what changed, new features and fixes",
}
DEFAULT_HOOKS = {
    "announcement": "bold_claim",
    "tutorial": "question",
    "story": "story",
    "listicle": "statistic",
    "release_notes": "bold_claim",
}


@dataclass(frozen=True)
class DemoSource:
    """A one-click demo project."""

    key: str
    label: str
    path: Path
    exclude: tuple[str, ...] = ()  # path prefixes left out (another project bundled inside)
    name: str = ""  # display name when the folder's README does not give one


DEMO_SOURCES: dict[str, DemoSource] = {
    "lumen": DemoSource(
        "lumen", "Sample project: Lumen (a static-site generator)", ROOT / "data/samples/lumen"
    ),
    "herald": DemoSource("herald", "Herald's own checkout", ROOT, exclude=("data/samples/",), name="Herald"),
}


@dataclass(frozen=True)
class CardEdit:
    """The creator's corrections to a project card: features to leave out, a corrected tagline."""

    drop_features: tuple[str, ...] = ()
    tagline: str | None = None


@dataclass(frozen=True)
class SourceInput:
    """What a user picked: a local path, a URL, uploaded files, or a demo key."""

    kind: str  # path | url | upload | demo
    value: str = ""
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class PostResult:
    """Everything one `generate_post` run produced."""

    item_id: int
    version_id: int  # the stored current version, as checked (the guard's revision when it made one)
    source_id: int
    draft: Draft
    passages: tuple[Passage, ...]
    source: LoadedSource
    status: str
    query: str
    timings: dict[str, float]  # step -> milliseconds
    notes: tuple[str, ...] = ()
    guard: Any = None  # chains.guard GuardReport, filled by the guard step
    moderation: Any = None  # core.moderation Moderation, filled by the moderation step
    choice: Any = None  # core.agent choice, filled when the agent picks the strategy
    text: str = ""  # the current version's text (what is stored and exported), not the writer's draft
    draft_version_id: int | None = None  # the writer's version, when the guard revised it
    reasons: tuple[str, ...] = ()  # why the status is what it is
    card: Any = None  # rag.card_types.ProjectCard the draft was written from


# --- validation and mapping ------------------------------------------------
def validate_brief(brief: Brief) -> Brief:
    """The brief, or `InvalidInputError` naming the field and its allowed values."""
    for name, allowed in (
        ("style", STYLES),
        ("tone", TONES),
        ("length", BRIEF_LENGTHS),
        ("audience", AUDIENCES),
    ):
        value = getattr(brief, name)
        if value not in allowed:
            raise InvalidInputError(f"Unknown {name} {value!r}: use one of {', '.join(allowed)}")
    if len(brief.topic) > 300:
        raise InvalidInputError("The topic is longer than 300 characters: shorten it to a phrase")
    return brief


def retrieval_query(brief: Brief, project_name: str) -> str:
    """The retrieval query for a brief: its topic (or the project name) plus what the style needs."""
    subject = brief.topic.strip() or project_name.strip() or "this project"
    return f"{subject}: {STYLE_QUERIES.get(brief.style, STYLE_QUERIES['announcement'])}"


def _without(source: LoadedSource, prefixes: tuple[str, ...]) -> LoadedSource:
    """The source minus documents under `prefixes`, re-hashed so its index is cached apart."""
    from rag.sources import hash_documents

    kept = tuple(d for d in source.documents if not d.path.startswith(prefixes))
    if not prefixes or len(kept) == len(source.documents):
        return source
    left_out = tuple(f"{p}: bundled sample project, not this project's docs" for p in prefixes)
    return replace(
        source, documents=kept, content_hash=hash_documents(kept), skipped=source.skipped + left_out
    )


def _load(spec: Any, services: Services) -> LoadedSource:
    from rag.sources import load_source, load_uploads

    settings = services.settings
    if isinstance(spec, LoadedSource):
        return spec
    if isinstance(spec, Path):
        spec = SourceInput("path", str(spec))
    if isinstance(spec, str):
        spec = SourceInput("url" if "://" in spec or spec.startswith("git@") else "path", spec)
    if not isinstance(spec, SourceInput):
        raise InvalidInputError(f"Unsupported source {type(spec).__name__}: give a path, a URL or files")
    if spec.kind == "upload":
        if not spec.files:
            raise InvalidInputError(
                "No files uploaded: add .md, .rst, .txt, .ipynb files or a .zip of a repo"
            )
        return load_uploads(list(spec.files), settings)
    if spec.kind == "demo":
        demo = DEMO_SOURCES.get(spec.value)
        if demo is None:
            raise InvalidInputError(f"Unknown demo {spec.value!r}: use one of {', '.join(DEMO_SOURCES)}")
        loaded = _without(load_source(str(demo.path), settings, kind="demo"), demo.exclude)
        if demo.name and loaded.name in ("", demo.path.name):
            loaded = replace(loaded, name=demo.name)
        return loaded
    value = spec.value.strip()
    if not value:
        raise InvalidInputError("No source given: enter a folder path or a repository URL, or pick a demo")
    if spec.kind == "url":
        return load_source(value, settings, kind="url")
    if spec.kind == "path":
        from core.auth.sources import check_local_source

        check_local_source(value, services.store, settings)  # a shared server reads only HERALD_SOURCE_ROOTS
        return load_source(value, settings, kind="local")
    raise InvalidInputError(f"Unknown source kind {spec.kind!r}: use path, url, upload or demo")


# --- the pipeline ----------------------------------------------------------
def generate_post(
    source: str | Path | SourceInput | LoadedSource,
    brief: Brief,
    services: Services,
    *,
    strategy: Strategy | None = None,
    progress: Progress | None = None,
    created_by: str = "",
    card_edit: CardEdit | None = None,
    on_token: Callable[[str], None] | None = None,
    by: User | None = None,
) -> PostResult:
    """Load, index, retrieve, write and store one post; one event per step.

    `card_edit` applies the creator's corrections to the project card (features unticked, tagline
    rewritten) before writing; the edits are stored with the version's card. `on_token` receives the
    text as a streaming writer produces it (`chains.providers.TokenSink`). `by` is the acting user
    (default: the single local user); they need the creator role.
    """
    from chains.generate import generate_draft
    from rag.card import build_card
    from rag.index import build_index
    from rag.retrieve import retrieve

    validate_brief(brief)
    user = require(acting(by), "post.create")
    created_by = signed_in_name(by) or created_by
    requested_strategy = strategy
    length = brief.length if brief.length != "auto" else "medium"
    strategy = strategy or Strategy(hook=DEFAULT_HOOKS[brief.style], length=length)
    settings, store, events = services.settings, services.store, services.events
    run_id = uuid.uuid4().hex[:12]
    timings: dict[str, float] = {}
    steps = list(STEP_LABELS)

    @contextmanager
    def step(name: str, item_id: int | None = None, **extra: Any) -> Iterator[Any]:
        if progress is not None:
            progress(STEP_LABELS[name], steps.index(name) / len(steps))
        start = time.perf_counter()
        with mapped_errors(), events.step(name, item_id=item_id, run_id=run_id, **extra) as timer:
            yield timer
        timings[name] = (time.perf_counter() - start) * 1000

    with step("load_source") as t:
        loaded = _load(source, services)
        t.scores["documents"] = len(loaded.documents)
        t.scores["skipped"] = len(loaded.skipped)
        t.extra.update(source_kind=loaded.kind, location=loaded.location)
    with step("record_source") as t:
        source_id = store.add_source(
            loaded.kind, loaded.location, loaded.content_hash, len(loaded.documents), list(loaded.skipped)
        )
        t.extra["source_id"] = source_id
    with step("index") as t:
        embedder = services.embedder()
        index = build_index(loaded, embedder, settings)
        card = build_card(loaded, cache_dir=Path(settings.data_dir) / "index")
        if card_edit is not None:
            from rag.card import edit_card

            card = edit_card(card, drop_features=card_edit.drop_features, tagline=card_edit.tagline)
        t.provider = getattr(embedder, "name", type(embedder).__name__)
        t.scores["chunks"] = float(len(getattr(index, "chunks", ()) or ()))
    query = retrieval_query(brief, loaded.name)
    with step("retrieve") as t:
        passages = tuple(retrieve(index, query, settings))
        t.scores["passages"] = len(passages)
        if passages:
            t.scores["top_score"] = round(max(p.score for p in passages), 4)
        t.extra["query"] = query
    if not passages:
        raise SourceLoadError(
            "No passage of the project matches the brief: clear the topic or add a README to the project"
        )
    with step("choose_strategy") as t:
        from core.agent import choose_for_post
        from core.posts.feedback import note_regenerate

        note_regenerate(services, loaded.location, created_by)  # the previous draft, unrated, was regenerated
        readme = " ".join(d.text for d in loaded.documents if d.kind in ("readme", "docs"))[:20_000]
        choice = choose_for_post(
            services,
            brief,
            readme,
            strategy=requested_strategy,
            length=None if brief.length == "auto" else brief.length,
        )
        if choice is not None:
            strategy = choice.strategy
            t.scores["propensity"] = round(choice.propensity, 4)
            t.extra.update(strategy=strategy.key, explored=choice.explored, state=choice.state)
    with step("generate") as t:
        draft = generate_draft(
            brief,
            strategy,
            list(passages),
            services.chain(),
            settings,
            project_name=loaded.name,
            card=card,
            on_token=on_token,
        )
        t.provider = draft.provider
        t.scores.update(
            {"quality": float(draft.quality), **{k: float(v) for k, v in draft.quality_parts.items()}}
        )
        t.scores["tokens_in"] = float(sum(a.tokens_in for a in draft.attempts))
        t.scores["tokens_out"] = float(sum(a.tokens_out for a in draft.attempts))
        t.extra.update(model=draft.model, attempts=len(draft.attempts), fallback=len(draft.attempts) > 1)
    with step("store") as t:
        from core.gate import NewItem, ProjectContext, ProposedVersion, submit_version

        def gate_progress(stage: str, share: float) -> None:
            if progress is not None:
                progress(
                    STEP_LABELS.get(stage, STEP_LABELS["store"]), (steps.index("store") + share) / len(steps)
                )

        gated = submit_version(
            services,
            ProposedVersion(
                draft.text,
                "generated",
                actor=created_by,
                data={
                    **_version_data(draft, passages, query, loaded, source_id, run_id),
                    "card": card.to_dict(),
                },
                provider=draft.provider,
            ),
            new_item=NewItem("post", _title(draft, loaded), source_id, created_by),
            project=ProjectContext(index, (*loaded.documents, *loaded.manifests)),
            run_id=run_id,
            progress=gate_progress,
            also=audit_hook(user, "post.create", {"source": loaded.location[:200]}),
        )
        item, version, status = gated.item, gated.proposed, gated.status
        t.item_id = item.id
        t.extra.update(version_id=gated.current.id, status=status)
        if choice is not None:
            from core.agent import agent_for

            agent_for(services).link_choice(choice.id, item.id, version.id)
    guard_report, moderation = gated.guard, gated.moderation
    timings.update(gated.timings)
    if progress is not None:
        progress("Done", 1.0)
    notes = (*loaded.notes, *(f"skipped: {s}" for s in loaded.skipped[:20]), *draft.warnings)
    if len(loaded.skipped) > 20:
        notes = (*notes, f"… and {len(loaded.skipped) - 20} more skipped")
    return PostResult(
        item_id=item.id,
        version_id=gated.current.id,
        text=gated.current.text,
        draft_version_id=version.id,
        reasons=gated.reasons,
        source_id=source_id,
        draft=draft,
        passages=passages,
        source=loaded,
        status=status,
        query=query,
        timings=dict(timings),
        notes=tuple(notes),
        moderation=moderation,
        guard=guard_report,
        choice=choice,
        card=card,
    )


def _title(draft: Draft, source: LoadedSource) -> str:
    head = " ".join((draft.caption or draft.hook or draft.text.split("\n", 1)[0]).split())
    name = source.name.strip()
    title = f"{name}: {head}" if name and name.lower() not in head.lower() else head
    if len(title) > TITLE_CHARS:
        cut = title[: TITLE_CHARS - 1]
        title = (cut[: cut.rfind(" ")] if " " in cut[20:] else cut).rstrip(" ,;:") + "…"
    return title


def _passage_dict(p: Passage) -> dict[str, Any]:
    return {
        "path": p.path,
        "kind": p.kind,
        "score": round(float(p.score), 4),
        "start_line": p.start_line,
        "end_line": p.end_line,
        "text": p.text,
    }


def _version_data(
    draft: Draft,
    passages: tuple[Passage, ...],
    query: str,
    source: LoadedSource,
    source_id: int,
    run_id: str,
) -> dict[str, Any]:
    return {
        "hook": draft.hook,
        "hashtags": list(draft.hashtags),
        "caption": draft.caption,
        "quality": float(draft.quality),
        "quality_parts": {k: float(v) for k, v in draft.quality_parts.items()},
        "quality_reasons": dict(draft.quality_reasons),
        "model": draft.model,
        "strategy": asdict(draft.strategy),
        "brief": asdict(draft.brief),
        "passages": [_passage_dict(p) for p in passages],
        "attempts": [asdict(a) for a in draft.attempts],
        "fold_index": int(draft.fold_index),
        "warnings": list(draft.warnings),
        "query": query,
        "source": {"id": source_id, "kind": source.kind, "location": source.location, "name": source.name},
        "run_id": run_id,
    }
