"""Human review: the queue of held items and reviewers' actions (`queue.py`).

Stored moderation decisions live in `core.moderation.store` and are
re-exported here, so a page needs only `from core import review`.
"""

from core.review.queue import (
    QUEUE_STATUSES,
    STATUS_FOR_LEVEL,
    QueueItem,
    ReviewAction,
    ReviewQueue,
    ReviewResult,
    StoredModeration,
    apply_moderation,
    approve,
    edit_and_approve,
    ensure_exportable,
    highlight_segments,
    is_exportable,
    latest_moderation,
    list_queue,
    moderate_item,
    moderation_history,
    record_moderation,
    reject,
    review_history,
    send_back,
)

__all__ = [
    "QUEUE_STATUSES",
    "STATUS_FOR_LEVEL",
    "StoredModeration",
    "QueueItem",
    "ReviewQueue",
    "ReviewAction",
    "ReviewResult",
    "record_moderation",
    "apply_moderation",
    "moderate_item",
    "latest_moderation",
    "moderation_history",
    "list_queue",
    "approve",
    "edit_and_approve",
    "reject",
    "send_back",
    "review_history",
    "is_exportable",
    "ensure_exportable",
    "highlight_segments",
]
