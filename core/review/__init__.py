"""Human review: the queue of held items (`queue.py`) and reviewers' actions (`actions.py`).

Stored moderation decisions live in `core.moderation.store` and are
re-exported here, so a page needs only `from core import review`.
"""

from core.moderation.store import (
    STATUS_FOR_LEVEL,
    StoredModeration,
    latest_moderation,
    moderation_history,
    record_moderation,
)
from core.review.actions import (
    ReviewAction,
    ReviewResult,
    approve,
    edit_and_approve,
    reject,
    review_history,
    send_back,
)
from core.review.queue import QUEUE_STATUSES, QueueItem, ReviewQueue, highlight_segments, list_queue

__all__ = [
    "QUEUE_STATUSES",
    "STATUS_FOR_LEVEL",
    "StoredModeration",
    "QueueItem",
    "ReviewQueue",
    "ReviewAction",
    "ReviewResult",
    "record_moderation",
    "latest_moderation",
    "moderation_history",
    "list_queue",
    "approve",
    "edit_and_approve",
    "reject",
    "send_back",
    "review_history",
    "highlight_segments",
]
