"""Stored posts: read one back for display, rate it, refine it, export it.

`load_post` turns an item's version into a `PostView`; `rate_version`,
`refine_post` and the export functions act on stored items and log one event
each. New text is always a new version; nothing is rewritten. Also home of the
errors the post pipeline raises and of `mapped_errors`, which turns `rag` and
`chains` errors into `HeraldError`s naming the fix. Generation itself is
`core.posts.pipeline`'s job; rendering is the pages'.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, cast

from chains.quality import linkedin_fold
from chains.types import Attempt, Brief, Strategy
from core.errors import ExportRefusedError, HeraldError, InvalidInputError
from core.services import Services
from core.store import Item, ItemStatus, Rating, Version
from rag.types import Passage
from utils.export import EXPORT_FORMATS, ExportRecord, render_export

__all__ = [
    "PostView",
    "ExportResult",
    "SourceLoadError",
    "GenerationFailedError",
    "mapped_errors",
    "load_post",
    "rate_version",
    "refine_post",
    "build_export",
    "record_export",
    "export_item",
    "export_items",
]


class SourceLoadError(InvalidInputError):
    """The project could not be loaded; the message says what to change."""


class GenerationFailedError(HeraldError):
    """No writing provider produced a draft; the message lists the attempts and the fix."""


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


# --- errors from the layers below ---------------------------------------------
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
def mapped_errors() -> Iterator[None]:
    """Turn `rag` and `chains` errors raised in the block into `HeraldError`s naming the fix."""
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
    """Store a 1-5 star rating (with an optional comment) for one version; see `core.posts.library.rate_item`."""
    from core.posts.library import rate_item

    result = rate_item(services, item_id, version_id, stars=stars, comment=comment, user=user)
    return cast(Rating, result.rating)  # rate_item always stores one


def refine_post(services: Services, item_id: int, instruction: str, *, user: str = "") -> Version:
    """Rewrite the latest version as instructed; the result is a new version (origin "edit")."""
    from chains.generate import make_caption, score_quality
    from chains.refine import refine_text

    instruction = instruction.strip()
    if not instruction:
        raise InvalidInputError("Say how to refine the post, e.g. 'shorter, and end with a question'")
    if len(instruction) > 1000:
        raise InvalidInputError("The refine instruction is longer than 1000 characters: shorten it")
    current = load_post(services, item_id)
    settings = services.settings
    source = current.version.data.get("source", {}) or {}
    with mapped_errors(), services.events.step("refine", item_id=item_id) as t:
        result = refine_text(
            current.text,
            instruction,
            list(current.passages),
            services.chain(),
            settings,
            brief=current.brief,
            strategy=current.strategy,
            project_name=str(source.get("name", "")),
            item_id=item_id,
        )
        text = result.text.strip()
        if not text:
            raise GenerationFailedError("The refined text came back empty: try another instruction")
        hook = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        quality, parts = score_quality(
            text,
            hook,
            current.hashtags,
            current.passages,
            length=current.strategy.length,
            fold_chars=settings.fold_chars,
        )
        data = {
            **current.version.data,
            "hook": hook,
            "caption": make_caption(text, hook),
            "quality": float(quality),
            "quality_parts": {k: float(v) for k, v in parts.items()},
            "instruction": instruction,
            "model": result.model,
            "attempts": [asdict(a) for a in result.attempts],
            "warnings": list(result.warnings),
            "fold_index": linkedin_fold(text, settings.fold_chars),
            "edited_by": user,
        }
        version = services.store.add_version(
            item_id, text, origin="edit", data=data, parent_id=current.version.id, provider=result.provider
        )
        t.provider = result.provider
        t.scores["quality"] = float(quality)
        t.extra.update(version_id=version.id, attempts=len(result.attempts), changed=result.changed)
    return version


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
    from core.posts.library import record_item_event

    record_item_event(services, "export", item_id, version_id=version_id)


def export_item(services: Services, item_id: int, fmt: str) -> ExportResult:
    """Export one item's latest version in `fmt` and record an "export" event; refuses rejected items."""
    return export_items(services, [item_id], fmt)
