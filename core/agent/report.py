"""Reporting for the strategy agent: stored sizes, corrupt rows, greedy policy and its off-policy value.

A mixin for `core.agent.Agent` (which supplies `store`, `settings`, `corrupt`
and `_valid`); it reads the tables and never changes them.
"""

from __future__ import annotations

from typing import Any

from core.agent.context import STRATEGY_KEYS
from core.agent.ope import OPEEstimate, evaluate_policy
from core.agent.types import AgentStats

__all__ = ["AgentReports"]


class AgentReports:
    """Read-only reports over the agent's tables."""

    store: Any
    settings: Any
    corrupt: dict[str, str]

    def _valid(self, state: str, key: Any, q: Any, visits: Any) -> tuple[float, int] | None:
        raise NotImplementedError

    def scan_corrupt(self) -> tuple[str, ...]:
        """Check every Q-table row; return 'state / strategy: reason' for each corrupt one."""
        for r in self.store.query("SELECT state, strategy, q, visits FROM agent_q"):
            self._valid(r["state"], r["strategy"], r["q"], r["visits"])
        return tuple(f"{k}: {v}" for k, v in sorted(self.corrupt.items()))

    def stats(self) -> AgentStats:
        """Counts, mean rewards and corrupt rows of the stored agent."""

        def one(sql: str) -> Any:
            return next(iter(self.store.query(sql)[0].values()))

        recent = self.store.query(
            "SELECT AVG(reward) AS m FROM (SELECT reward FROM agent_rewards ORDER BY id DESC LIMIT 100) AS recent"
        )
        return AgentStats(
            states=one("SELECT COUNT(DISTINCT state) FROM agent_q"),
            q_rows=one("SELECT COUNT(*) FROM agent_q"),
            choices=one("SELECT COUNT(*) FROM agent_choices"),
            rewards=one("SELECT COUNT(*) FROM agent_rewards"),
            transitions=one("SELECT COUNT(*) FROM agent_transitions"),
            replay_len=one("SELECT COUNT(*) FROM agent_replay"),
            replay_size=self.settings.replay_size,
            mean_reward=one("SELECT AVG(reward) FROM agent_rewards"),
            recent_mean_reward=recent[0]["m"] if recent else None,
            corrupt_rows=self.scan_corrupt(),
        )

    def greedy_keys(self) -> dict[str, str]:
        """The greedy strategy key of every state in the Q-table (ties: first in `strategies()` order)."""
        by_state: dict[str, dict[str, float]] = {}
        for r in self.store.query("SELECT state, strategy, q, visits FROM agent_q"):
            ok = self._valid(r["state"], r["strategy"], r["q"], r["visits"])
            if ok is not None:
                by_state.setdefault(r["state"], {})[r["strategy"]] = ok[0]
        init = self.settings.agent_initial_q
        order = {k: i for i, k in enumerate(STRATEGY_KEYS)}
        return {
            state: max(STRATEGY_KEYS, key=lambda k, qs=qs: (qs.get(k, init), -order[k]))
            for state, qs in by_state.items()
        }

    def evaluate(self) -> OPEEstimate:
        """IPS, self-normalised IPS and doubly robust value of the greedy policy, from the logged choices."""
        rows = self.store.query(
            "SELECT r.reward, c.state, c.strategy, c.propensity FROM agent_rewards r"
            " JOIN agent_choices c ON c.id = r.choice_id WHERE r.learned = 1 ORDER BY r.id"
        )
        greedy = self.greedy_keys()
        return evaluate_policy(
            rewards=[float(r["reward"]) for r in rows],
            propensities=[float(r["propensity"]) for r in rows],
            states=[r["state"] for r in rows],
            logged=[r["strategy"] for r in rows],
            target=[greedy.get(r["state"], STRATEGY_KEYS[0]) for r in rows],
        )
