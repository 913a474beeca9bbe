"""A writer process for the concurrency tests: ratings, versions and reviews in a loop for a bounded time."""

from __future__ import annotations

import os
import random
import time


def write_for(target: str, item_ids: list[int], seconds: float, seed: int) -> dict[str, int]:
    """Open its own store and write until the deadline; return how many of each write succeeded."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from core.review.actions import approve
    from core.store import Store

    store = Store.open(target)
    rng = random.Random(seed)
    counts = {"ratings": 0, "versions": 0, "reviews": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        item_id = rng.choice(item_ids)
        kind = rng.choice(("ratings", "versions", "reviews"))
        if kind == "ratings":
            store.add_rating(item_id, stars=rng.randint(1, 5), user=f"w{seed}")
        elif kind == "versions":
            store.add_version(item_id, f"edit by w{seed} #{counts['versions']}", origin="edit")
        else:
            approve(store, item_id, reviewer=f"w{seed}")
        counts[kind] += 1
    store.close()
    return counts
