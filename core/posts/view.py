"""A stored post read back for display: `load_post` turns an item's version into a `PostView`.

Acting on stored posts is elsewhere: rating and refining in `core.posts.refine`,
exports in `core.posts.export`, feedback and rewards in `core.posts.feedback`.
Rendering is the pages' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.quality import linkedin_fold
from chains.types import Attempt, Brief, Strategy
from core.errors import InvalidInputError
from core.services import Services
from core.store import Item, Rating, Version
from rag.types import Passage

__all__ = ["PostView", "load_post"]


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
    quality_reasons: dict[str, str]
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
        quality_reasons=dict(data.get("quality_reasons", {})),
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
