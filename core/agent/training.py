"""Training for the strategy agent: replaying the buffer and rebuilding the Q-table from history.

A mixin for `core.agent.Agent` (which supplies `store`, `settings`, `corrupt`,
`_rows` and `step_size`). `replay` re-applies a random batch of the circular
buffer with the plain learning rate (used when discount > 0); `train_now`
replays every stored transition in order into a fresh Q-table and refills the
buffer, in one transaction, giving exactly the table online learning built.
"""

from __future__ import annotations

import math
import time
from typing import Any

from core.agent.context import STRATEGY_KEYS
from core.agent.types import TrainReport
from utils.events import utc_now_iso

__all__ = ["AgentTraining", "REPLAY_BATCH"]

REPLAY_BATCH = 16


class AgentTraining:
    """Replay and full retraining over the agent's stored transitions."""

    store: Any
    settings: Any
    corrupt: dict[str, str]

    def _rows(self, state: str, conn: Any = None) -> dict[str, tuple[float, int]]:
        raise NotImplementedError

    def step_size(self, visits: int) -> float:
        """Step size of the n-th update (defined by the agent)."""
        raise NotImplementedError

    def replay(self, batch_size: int = REPLAY_BATCH) -> int:
        """Re-apply a random batch from the replay buffer (plain learning rate, visits unchanged)."""
        s = self.settings
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT state, strategy, reward, next_state FROM agent_replay ORDER BY RANDOM() LIMIT ?",
                (batch_size,),
            ).fetchall()
            for state, key, reward, next_state in rows:
                table = self._rows(state, conn)
                if key not in table:
                    continue
                q_old, n = table[key]
                target = float(reward)
                if next_state:
                    nxt = self._rows(next_state, conn)
                    target += s.discount * max(nxt.get(k, (s.agent_initial_q, 0))[0] for k in STRATEGY_KEYS)
                conn.execute(
                    "UPDATE agent_q SET q = ? WHERE state = ? AND strategy = ?",
                    (q_old + s.learning_rate * (target - q_old), state, key),
                )
        return len(rows)

    def train_now(self) -> TrainReport:
        """Rebuild the Q-table and replay buffer by replaying every stored transition in order."""
        started = time.perf_counter()
        s = self.settings
        init = s.agent_initial_q
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT id, state, strategy, reward, next_state FROM agent_transitions ORDER BY id"
            ).fetchall()
            table: dict[tuple[str, str], list[float]] = {}
            skipped = 0
            for _tid, state, key, reward, next_state in rows:
                if (
                    key not in STRATEGY_KEYS
                    or isinstance(reward, (str, bytes))
                    or reward is None
                    or not math.isfinite(float(reward))
                ):
                    skipped += 1
                    continue
                q, n = table.get((state, key), [init, 0])
                target = float(reward)
                if next_state and s.discount:
                    target += s.discount * max(
                        table.get((next_state, k), [init, 0])[0] for k in STRATEGY_KEYS
                    )
                n += 1
                table[(state, key)] = [q + self.step_size(n) * (target - q), n]
            now = utc_now_iso()
            conn.execute("DELETE FROM agent_q")
            conn.executemany(
                "INSERT INTO agent_q(state, strategy, q, visits, updated_at) VALUES (?,?,?,?,?)",
                [(st, k, q, int(n), now) for (st, k), (q, n) in table.items()],
            )
            conn.execute("DELETE FROM agent_replay")
            keep = [r for r in rows if r[2] in STRATEGY_KEYS][-max(1, s.replay_size) :]
            conn.executemany(
                "INSERT OR REPLACE INTO agent_replay(slot, transition_id, state, strategy, reward, next_state)"
                " VALUES (?,?,?,?,?,?)",
                [((tid - 1) % max(1, s.replay_size), tid, st, k, r, nx) for tid, st, k, r, nx in keep],
            )
        self.corrupt.clear()
        return TrainReport(
            len(rows) - skipped, skipped, len({st for st, _ in table}), time.perf_counter() - started
        )
