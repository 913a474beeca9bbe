"""Video items: a storyboard stored as the versions of an item of kind "video".

`prepare_video` creates the item from a script, a post item or a storyboard;
`storyboard_of` reads the current storyboard; `save_storyboard` stores an edit
as a new version. Nothing here renders (see `core/video/service.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.auth import User, acting, audit_hook, require, signed_in_name
from core.services import Services
from core.store import Version
from core.video import Storyboard, storyboard_from_text

__all__ = ["VideoDraft", "prepare_video", "storyboard_of", "save_storyboard", "board_of_version", "script_of"]


@dataclass(frozen=True)
class VideoDraft:
    """A video item ready to edit and render."""

    item_id: int
    version_id: int
    storyboard: Storyboard
    script: str


def script_of(board: Storyboard) -> str:
    """The script of a storyboard: its body scene lines."""
    return "\n".join(board.lines())


def _post_script(text: str) -> str:
    """A post's lines minus hashtag-only lines (they belong in the caption, not on screen)."""
    keep = [ln for ln in text.splitlines() if not all(w.startswith("#") for w in ln.split())]
    return "\n".join(keep)


def prepare_video(
    services: Services,
    *,
    script: str | None = None,
    post_item_id: int | None = None,
    storyboard: Storyboard | None = None,
    title: str = "",
    aspect: str = "16:9",
    created_by: str = "creator",
    by: User | None = None,
) -> VideoDraft:
    """Create a video item from a script, a post item or a storyboard (first version holds it)."""
    from core.gate import NewItem, ProposedVersion, export_permit, submit_version

    user = require(acting(by), "post.create")
    created_by = signed_in_name(by) or created_by
    store, settings = services.store, services.settings
    source_id = None
    if post_item_id is not None:
        export_permit(store, post_item_id)  # a post that may not leave Herald may not leave as a video either
        post = store.get_item(post_item_id)
        source_id = post.source_id
    if storyboard is None:
        if post_item_id is not None:
            script = _post_script(store.latest_version(post_item_id).text)
            title = title or post.title
        storyboard = storyboard_from_text(script or "", settings, title=title, aspect=aspect)
    script = script_of(storyboard)
    data = {"storyboard": storyboard.to_dict(), "from_item": post_item_id}
    gated = submit_version(
        services,
        ProposedVersion(script, "generated", actor=created_by, data=data),
        new_item=NewItem("video", storyboard.title, source_id, created_by),
        also=audit_hook(user, "video.create", {"from_item": post_item_id}),
    )
    board = board_of_version(services, gated.current)
    return VideoDraft(gated.item.id, gated.current.id, board, script_of(board))


def board_of_version(services: Services, version: Version) -> Storyboard:
    """The storyboard a version stores (rebuilt from its text for older versions)."""
    raw = version.data.get("storyboard") if version.origin != "guard_revision" else None
    if raw:  # a guard revision rewrote the script: its scenes are rebuilt from the checked text
        return Storyboard.from_dict(raw)
    item = services.store.get_item(version.item_id)
    return storyboard_from_text(version.text, services.settings, title=item.title)


def storyboard_of(services: Services, item_id: int) -> Storyboard:
    """The storyboard of a video item's newest active version."""
    return board_of_version(services, services.store.latest_version(item_id))


def save_storyboard(services: Services, item_id: int, board: Storyboard, *, origin: str = "edit") -> Version:
    """Store an edited storyboard as a new version (returns the current one when unchanged)."""
    from core.gate import ProposedVersion, submit_version

    current = services.store.latest_version(item_id)
    if board_of_version(services, current) == board:
        return current
    proposal = ProposedVersion(
        script_of(board), origin, data={"storyboard": board.to_dict()}, parent_id=current.id
    )
    return submit_version(services, proposal, item_id=item_id).current
