"""The post pipeline: one entry point per job, plain functions over dataclasses.

`generate_post` loads a source, records it, builds (or reuses) its index,
retrieves passages for the brief, asks the writing chain for a draft and stores
the item with its first version, emitting one event per step. `rate_version`,
`refine_post` and `export_item` act on stored items; `load_post` reads one back
for display. Dependencies come in through `Services`; nothing is looked up from
globals. This module does not render anything, build prompts (`chains`) or
parse files (`rag`); it turns their errors into `HeraldError`s naming the fix.
Later steps (guard, moderation, agent choice) slot in between "generate" and
"status" and fill the matching `PostResult` fields.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chains.quality import linkedin_fold
from chains.types import AUDIENCES, LENGTHS, STYLES, TONES, Attempt, Brief, Draft, Strategy
from core.errors import ExportRefusedError, HeraldError, InvalidInputError
from core.services import Services
from core.store import Item, ItemStatus, Rating, Version
from rag.types import LoadedSource, Passage
from utils.export import EXPORT_FORMATS, ExportRecord, render_export

__all__ = [
    "PostResult",
    "PostView",
    "SourceInput",
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
ROOT = Path(__file__).resolve().parent.parent
Progress = Callable[[str, float], None]

STEP_LABELS: dict[str, str] = {
    "load_source": "Loading the project",
    "record_source": "Recording the source",
    "index": "Indexing the project",
    "retrieve": "Finding the passages to write from",
    "generate": "Writing the draft",
    "store": "Saving the draft",
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


class SourceLoadError(InvalidInputError):
    """The project could not be loaded; the message says what to change."""


class GenerationFailedError(HeraldError):
    """No writing provider produced a draft; the message lists the attempts and the fix."""


@dataclass(frozen=True)
class DemoSource:
    """A one-click demo project."""

    key: str
    label: str
    path: Path


DEMO_SOURCES: dict[str, DemoSource] = {
    "lumen": DemoSource(
        "lumen", "Sample project: Lumen (a static-site generator)", ROOT / "data/samples/lumen"
    ),
    "herald": DemoSource("herald", "Herald's own checkout", ROOT),
}


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
    version_id: int
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


@dataclass(frozen=True)
class PostView:
    """One stored version of a post, ready to display or export."""

    item: Item
    version: Version
    text: str
    hook: str
    hashtags: tuple[str, ...]
    caption: str
    quality: float | None
    quality_parts: dict[str, float]
    provider: str
    model: str
    attempts: tuple[Attempt, ...]
    passages: tuple[Passage, ...]
    fold_index: int
    brief: Brief
    strategy: Strategy
    version_count: int
    ratings: tuple[Rating, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def char_count(self) -> int:
        """Characters in the post text."""
        return len(self.text)

    @property
    def fold(self) -> tuple[str, str]:
        """(text above the "see more" fold, text below it)."""
        return self.text[: self.fold_index], self.text[self.fold_index :]


@dataclass(frozen=True)
class ExportResult:
    """A file to download or write."""

    filename: str
    mime: str
    content: bytes


# --- validation and mapping ------------------------------------------------
def validate_brief(brief: Brief) -> Brief:
    """The brief, or `InvalidInputError` naming the field and its allowed values."""
    for name, allowed in (("style", STYLES), ("tone", TONES), ("length", LENGTHS), ("audience", AUDIENCES)):
        value = getattr(brief, name)
        if value not in allowed:
            raise InvalidInputError(f"Unknown {name} {value!r}: use one of {', '.join(allowed)}")
    if len(brief.topic) > 300:
        raise InvalidInputError("The topic is longer than 300 characters: shorten it to a phrase")
    return brief


def _source_error(exc: Exception) -> HeraldError:
    from rag import errors as rag_errors

    labels = [
        (rag_errors.SourceNotFoundError, "Source not found"),
        (rag_errors.EmptySourceError, "Nothing to write from"),
        (rag_errors.NotARepositoryError, "Not a repository"),
        (rag_errors.OfflineError, "Cannot reach the repository"),
    ]
    for cls, label in labels:
        if isinstance(exc, cls):
            return SourceLoadError(f"{label}: {exc}")
    if isinstance(exc, rag_errors.EmbeddingUnavailableError):
        return HeraldError(f"Embeddings unavailable: {exc}")
    return SourceLoadError(f"Could not load the source: {exc}")


@contextmanager
def _mapped_errors() -> Iterator[None]:
    from chains.errors import AllProvidersFailedError, ChainError
    from rag.errors import RagError

    try:
        yield
    except RagError as exc:
        raise _source_error(exc) from exc
    except AllProvidersFailedError as exc:
        raise GenerationFailedError(str(exc)) from exc
    except ChainError as exc:
        raise GenerationFailedError(f"Writing failed: {exc}") from exc


def retrieval_query(brief: Brief, project_name: str) -> str:
    """The retrieval query for a brief: its topic (or the project name) plus what the style needs."""
    subject = brief.topic.strip() or project_name.strip() or "this project"
    return f"{subject}: {STYLE_QUERIES.get(brief.style, STYLE_QUERIES['announcement'])}"


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
        return load_source(str(demo.path), settings, kind="demo")
    value = spec.value.strip()
    if not value:
        raise InvalidInputError("No source given: enter a folder path or a repository URL, or pick a demo")
    if spec.kind == "url":
        return load_source(value, settings, kind="url")
    if spec.kind == "path":
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
) -> PostResult:
    """Load, index, retrieve, write and store one post; one event per step."""
    from rag.index import build_index
    from rag.retrieve import retrieve

    from chains.generate import generate_draft

    validate_brief(brief)
    strategy = strategy or Strategy(hook=DEFAULT_HOOKS[brief.style], length=brief.length, tone=brief.tone)
    settings, store, events = services.settings, services.store, services.events
    run_id = uuid.uuid4().hex[:12]
    timings: dict[str, float] = {}
    steps = list(STEP_LABELS)

    @contextmanager
    def step(name: str, item_id: int | None = None, **extra: Any) -> Iterator[Any]:
        if progress is not None:
            progress(STEP_LABELS[name], steps.index(name) / len(steps))
        start = time.perf_counter()
        with _mapped_errors(), events.step(name, item_id=item_id, run_id=run_id, **extra) as timer:
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
    with step("generate") as t:
        draft = generate_draft(
            brief, strategy, list(passages), services.chain(), settings, project_name=loaded.name
        )
        t.provider = draft.provider
        t.scores.update(
            {"quality": float(draft.quality), **{k: float(v) for k, v in draft.quality_parts.items()}}
        )
        t.extra.update(model=draft.model, attempts=len(draft.attempts), fallback=len(draft.attempts) > 1)
    with step("store") as t:
        item, version = store.create_item(
            draft.text,
            title=_title(draft, loaded),
            source_id=source_id,
            data=_version_data(draft, passages, query, loaded, source_id, run_id),
            provider=draft.provider,
            created_by=created_by,
            status=ItemStatus.DRAFT,
        )
        t.extra.update(item_id_created=item.id, version_id=version.id)
    status = ItemStatus.READY
    with step("status", item_id=item.id) as t:
        store.set_status(item.id, status, reason="generated", actor=created_by or "system")
        t.extra["status"] = status
    if progress is not None:
        progress("Done", 1.0)
    notes = (*loaded.notes, *(f"skipped: {s}" for s in loaded.skipped[:20]), *draft.warnings)
    if len(loaded.skipped) > 20:
        notes = (*notes, f"… and {len(loaded.skipped) - 20} more skipped")
    return PostResult(
        item_id=item.id,
        version_id=version.id,
        source_id=source_id,
        draft=draft,
        passages=passages,
        source=loaded,
        status=status,
        query=query,
        timings=dict(timings),
        notes=tuple(notes),
    )


def _title(draft: Draft, source: LoadedSource) -> str:
    head = draft.caption.strip() or draft.hook.strip() or draft.text.strip().split("\n", 1)[0]
    name = source.name.strip()
    title = f"{name}: {head}" if name and name.lower() not in head.lower() else head
    return " ".join(title.split())[:140]


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


# --- reading back ------------------------------------------------------------
def _dataclass_from(cls: type, raw: Any) -> Any:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return cls(**{k: v for k, v in (raw or {}).items() if k in names})


def _view(services: Services, item: Item, version: Version) -> PostView:
    data = version.data
    passages = tuple(_dataclass_from(Passage, p) for p in data.get("passages", []))
    fold_index = data.get("fold_index")
    if not isinstance(fold_index, int) or version.origin != "generated":
        fold_index = linkedin_fold(version.text, services.settings.fold_chars)
    return PostView(
        item=item,
        version=version,
        text=version.text,
        hook=str(data.get("hook", "")),
        hashtags=tuple(data.get("hashtags", ())),
        caption=str(data.get("caption", "")),
        quality=data.get("quality"),
        quality_parts=dict(data.get("quality_parts", {})),
        provider=version.provider or str(data.get("provider", "")),
        model=str(data.get("model", "")),
        attempts=tuple(_dataclass_from(Attempt, a) for a in data.get("attempts", [])),
        passages=passages,
        fold_index=min(fold_index, len(version.text)),
        brief=_dataclass_from(Brief, data.get("brief")),
        strategy=_dataclass_from(Strategy, data.get("strategy")),
        version_count=len(services.store.versions(item.id)),
        ratings=tuple(r for r in services.store.ratings(item.id) if r.version_id == version.id),
        warnings=tuple(data.get("warnings", ())),
    )


def load_post(services: Services, item_id: int, version_id: int | None = None) -> PostView:
    """The newest active version of an item (or `version_id`), ready to display."""
    item = services.store.get_item(item_id)
    if version_id is None:
        version = services.store.latest_version(item_id)
    else:
        version = services.store.get_version(version_id)
        if version.item_id != item_id:
            raise InvalidInputError(f"Version {version_id} does not belong to item {item_id}")
    return _view(services, item, version)


# --- acting on stored items -------------------------------------------------
def rate_version(
    services: Services, item_id: int, version_id: int, stars: int, comment: str = "", user: str = ""
) -> Rating:
    """Store a 1-5 star rating (with an optional comment) for one version and log it."""
    with services.events.step("rate", item_id=item_id, version_id=version_id) as t:
        rating = services.store.add_rating(
            item_id, version_id=version_id, stars=stars, comment=comment.strip(), user=user or "anonymous"
        )
        t.scores["stars"] = float(stars)
        t.extra["has_comment"] = bool(comment.strip())
    return rating


def refine_post(services: Services, item_id: int, instruction: str, *, user: str = "") -> Version:
    """Rewrite the latest version as instructed; the result is a new version (origin "edit")."""
    from chains.refine import refine_text

    instruction = instruction.strip()
    if not instruction:
        raise InvalidInputError("Say how to refine the post, e.g. 'shorter, and end with a question'")
    if len(instruction) > 1000:
        raise InvalidInputError("The refine instruction is longer than 1000 characters: shorten it")
    current = load_post(services, item_id)
    with _mapped_errors(), services.events.step("refine", item_id=item_id) as t:
        result = refine_text(
            current.text, instruction, list(current.passages), services.chain(), services.settings
        )
        text, provider, model, attempts, extra = _refined_parts(result, current)
        if not text.strip():
            raise GenerationFailedError("The refined text came back empty: try another instruction")
        data = {
            **current.version.data,
            **extra,
            "instruction": instruction,
            "model": model,
            "attempts": [asdict(a) for a in attempts],
            "fold_index": linkedin_fold(text, services.settings.fold_chars),
            "edited_by": user,
        }
        version = services.store.add_version(
            item_id, text, origin="edit", data=data, parent_id=current.version.id, provider=provider
        )
        t.provider = provider
        t.extra.update(version_id=version.id, attempts=len(attempts))
    return version


def _refined_parts(
    result: Any, current: PostView
) -> tuple[str, str, str, tuple[Attempt, ...], dict[str, Any]]:
    """(text, provider, model, attempts, data updates) from whatever `refine_text` returns."""
    if isinstance(result, str):
        return result, current.provider, current.model, (), {}
    if isinstance(result, Draft):
        extra = {
            "hook": result.hook,
            "hashtags": list(result.hashtags),
            "caption": result.caption,
            "quality": float(result.quality),
            "quality_parts": dict(result.quality_parts),
            "warnings": list(result.warnings),
        }
        return result.text, result.provider, result.model, tuple(result.attempts), extra
    text = getattr(result, "text", None)
    if text is None and hasattr(result, "completion"):
        text = result.completion.text
    provider = getattr(result, "provider", current.provider)
    attempts = tuple(getattr(result, "attempts", ()) or ())
    model = getattr(result, "model", "") or (attempts[-1].model if attempts else current.model)
    extra = {}
    for key in ("hook", "caption", "quality"):
        if getattr(result, key, None) is not None:
            extra[key] = getattr(result, key)
    return str(text or ""), str(provider), str(model), attempts, extra


def _record_for(services: Services, item_id: int, version_id: int | None = None) -> ExportRecord:
    view = load_post(services, item_id, version_id)
    if view.item.status == ItemStatus.REJECTED:
        raise ExportRefusedError(
            f"Item {item_id} was rejected in review and cannot be exported: edit it and send it for review again"
        )
    source = view.version.data.get("source", {}) or {}
    return ExportRecord(
        item_id=item_id,
        version_id=view.version.id,
        text=view.text,
        title=view.item.title,
        hook=view.hook,
        hashtags=view.hashtags,
        caption=view.caption,
        status=view.item.status,
        quality=view.quality,
        provider=view.provider,
        style=view.brief.style,
        tone=view.brief.tone,
        audience=view.brief.audience,
        source=str(source.get("location", "")),
        created_at=view.version.created_at,
        sources=tuple(p.location for p in view.passages),
    )


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(f"Unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def export_items(services: Services, item_ids: list[int], fmt: str, *, record: bool = True) -> ExportResult:
    """Export several items' latest versions (csv or buffer; one item for the other formats)."""
    _check_format(fmt)
    if not item_ids:
        raise InvalidInputError("No items to export: give at least one item id")
    if len(item_ids) > 1 and fmt not in ("csv", "buffer"):
        raise InvalidInputError(f"{fmt} exports one item at a time: use --format csv or buffer for several")
    records = [_record_for(services, i) for i in item_ids]
    ext, mime, text = render_export(fmt, records)
    stem = f"herald-{item_ids[0]}" if len(item_ids) == 1 else f"herald-{len(item_ids)}-items"
    suffix = {"notion": "-notion", "buffer": "-buffer"}.get(fmt, "")
    result = ExportResult(f"{stem}{suffix}.{ext}", mime, text.encode("utf-8"))
    if record:
        for r in records:
            record_export(services, r.item_id, fmt, version_id=r.version_id)
    return result


def build_export(services: Services, item_id: int, fmt: str) -> ExportResult:
    """The export file for one item, without logging it (for download buttons shown before a click)."""
    return export_items(services, [item_id], fmt, record=False)


def record_export(services: Services, item_id: int, fmt: str, *, version_id: int | None = None) -> None:
    """Log that an item was exported (its reward signal for the agent)."""
    services.events.emit("export", item_id=item_id, outcome="ok", format=fmt, version_id=version_id)


def export_item(services: Services, item_id: int, fmt: str) -> ExportResult:
    """Export one item's latest version in `fmt` and record an "export" event; refuses rejected items."""
    return export_items(services, [item_id], fmt)
