"""A writer process for the concurrency tests: ratings, versions and reviews in a loop for a bounded time."""

from __future__ import annotations

import os
import random
import time


def write_for(target: str, item_ids: list[int], seconds: float, seed: int) -> dict[str, int]:
    """Open its own store and write until the deadline; return how many of each write succeeded."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from core.errors import ConflictError
    from core.review.actions import approve
    from core.store import Store

    store = Store.open(target)
    rng = random.Random(seed)
    counts = {"ratings": 0, "versions": 0, "reviews": 0, "conflicts": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        item_id = rng.choice(item_ids)
        kind = rng.choice(("ratings", "versions", "reviews"))
        if kind == "ratings":
            store.add_rating(item_id, stars=rng.randint(1, 5), user=f"w{seed}")
        elif kind == "versions":
            # The store's conn-level writer, as core.gate calls it (the gate's checks are not under test).
            with store.transaction() as conn:
                store.insert_version(
                    conn, item_id, f"edit by w{seed} #{counts['versions']}", None, "edit", None, "", "active"
                )
        else:
            try:
                approve(store, item_id, reviewer=f"w{seed}")
            except ConflictError:  # the other writer changed the item first: nothing may be stored
                counts["conflicts"] += 1
                continue
        counts[kind] += 1
    store.close()
    return counts


if __name__ == "__main__":  # python -m tests.store_writers TARGET SECONDS SEED ITEM_ID...
    import json
    import sys

    target, seconds, seed, *ids = sys.argv[1:]
    print(json.dumps(write_for(target, [int(i) for i in ids], float(seconds), int(seed))))
