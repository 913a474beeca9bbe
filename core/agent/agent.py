"""The strategy agent: tabular Q-learning over post strategies, persisted in SQLite.

State: the discretised context (`core.agent.context.state_of`). Actions: the 45
strategies (hook type x hashtag policy x length); the tone comes from the
context and is copied into the returned `Strategy`. Policy: epsilon-greedy,
epsilon decaying linearly from `epsilon_start` to `epsilon_end` over
`epsilon_decay_steps` rewards learned *in that state* (a context nobody has
rated yet is explored as much as a new install).

Update: `Q(s,a) += alpha_n * (r + discount * max_a' Q(s',a') - Q(s,a))`, where
`s'` is given only when a caller passes `next_context` (Herald's posts are
one-step episodes, so with the default discount 0 this is a contextual bandit).
Untried strategies start at `agent_initial_q` (optimistic: 1.0, the best
reward), and the step size is count-based, `alpha_n = 1 / (n + 1/learning_rate - 1)`:
the first update uses `learning_rate`, later ones shrink like a running mean in
which the optimistic start counts as `1/learning_rate - 1` ratings. Optimism
makes the agent try every strategy; the shrinking step lets 45 noisy arms be
told apart within about 1,000 ratings (bench/agent.py).

Storage (migration 0400_agent.sql): `agent_q`, `agent_choices` (context,
state, strategy, propensity, epsilon), `agent_rewards`, `agent_transitions`
(the full history that `train_now` replays) and `agent_replay` (a circular
buffer of the last `replay_size` transitions, replayed with the plain learning
rate when discount > 0). Every write reads the current row inside one
transaction, so two sessions learning at once lose nothing. Corrupt Q rows are
skipped, logged and reported by `stats()`; they never crash a choice.
Replay and `train_now` live in `core.agent.training`, read-only reports in
`core.agent.report` (mixins of `Agent`). This module does not map events to
rewards (`core.agent.rewards`) nor estimate policies offline (`core.agent.ope`).
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chains.types import Strategy
from core.agent.context import (
    STRATEGY_KEYS,
    describe_state,
    explain_choice,
    normalize_context,
    project_kind_of,
    state_of,
    strategies,
    strategy_from_key,
)
from core.agent.report import AgentReports
from core.agent.training import REPLAY_BATCH, AgentTraining
from core.agent.types import AgentStats, Choice, LearnStep, StrategyValue, TrainReport
from core.errors import InvalidInputError
from core.store import Store
from utils.events import utc_now_iso
from utils.settings import Settings, load_settings

__all__ = [
    "Agent",
    "Choice",
    "LearnStep",
    "AgentStats",
    "TrainReport",
    "StrategyValue",
    "strategies",
    "agent_for",
    "choose_for_post",
]

LOG = logging.getLogger(__name__)


class Agent(AgentTraining, AgentReports):
    """Epsilon-greedy tabular Q-learning over strategies; build with `create` or `from_store`."""

    def __init__(self, store: Store, settings: Settings, seed: int | None = None, events: Any = None):
        if not 0 < settings.learning_rate <= 1:
            raise InvalidInputError("HERALD_LEARNING_RATE must be in (0, 1]")
        self.store = store
        self.settings = settings
        self.events = events
        self.rng = random.Random(seed)
        self.corrupt: dict[str, str] = {}

    @classmethod
    def create(
        cls, db_path: Path | str | None = None, seed: int | None = None, settings: Settings | None = None
    ) -> Agent:
        """An agent over its own store (in memory when no path is given), default settings."""
        return cls(Store.open(db_path), settings or load_settings(), seed=seed)

    @classmethod
    def from_store(
        cls, store: Store, settings: Settings, seed: int | None = None, events: Any = None
    ) -> Agent:
        """An agent over an existing store (the app's SQLite file)."""
        return cls(store, settings, seed=seed, events=events)

    # --- reading the table -------------------------------------------------
    def _valid(self, state: str, key: Any, q: Any, visits: Any) -> tuple[float, int] | None:
        reason = ""
        if key not in STRATEGY_KEYS:
            reason = f"unknown strategy {key!r}"
        elif isinstance(q, (bytes, str)) or q is None or not math.isfinite(float(q)):
            reason = f"Q-value {q!r} is not a number"
        elif not isinstance(visits, int) or visits < 0:
            reason = f"visit count {visits!r} is not a count"
        if reason:
            name = f"{state} / {key}"
            if name not in self.corrupt:
                LOG.warning("Skipping corrupt Q-table row %s: %s", name, reason)
            self.corrupt[name] = reason
            return None
        return float(q), int(visits)

    def _rows(self, state: str, conn: Any = None) -> dict[str, tuple[float, int]]:
        sql, params = "SELECT strategy, q, visits FROM agent_q WHERE state = ?", (state,)
        raw = (
            conn.execute(sql, params).fetchall()
            if conn is not None
            else [(r["strategy"], r["q"], r["visits"]) for r in self.store.query(sql, params)]
        )
        table: dict[str, tuple[float, int]] = {}
        for key, q, visits in raw:
            ok = self._valid(state, key, q, visits)
            if ok is not None:
                table[key] = ok
        return table

    def epsilon_for(self, visits: int) -> float:
        """Exploration rate after `visits` rewards learned in a state (linear decay)."""
        s = self.settings
        frac = min(1.0, visits / s.epsilon_decay_steps) if s.epsilon_decay_steps > 0 else 1.0
        return s.epsilon_start + (s.epsilon_end - s.epsilon_start) * frac

    def epsilon(self, context: Mapping[str, Any]) -> float:
        """The exploration rate the agent uses for this context now."""
        return self.epsilon_for(sum(n for _, n in self._rows(state_of(context)).values()))

    def strategy_values(self, context: Mapping[str, Any]) -> list[StrategyValue]:
        """Every strategy's Q-value and visit count for a context, best first."""
        table = self._rows(state_of(context))
        init = self.settings.agent_initial_q
        values = [StrategyValue(k, *table.get(k, (init, 0))) for k in STRATEGY_KEYS]
        return sorted(values, key=lambda v: (-v.q, STRATEGY_KEYS.index(v.key)))

    def q_values(self, context: Mapping[str, Any]) -> dict[str, float]:
        """Q-value per strategy key for a context (untried ones at the initial value)."""
        return {v.key: v.q for v in self.strategy_values(context)}

    def best_strategy(self, context: Mapping[str, Any]) -> Strategy:
        """The greedy strategy for a context (ties go to the first in `strategies()` order)."""
        ctx = normalize_context(context)
        return strategy_from_key(self.strategy_values(ctx)[0].key)

    # --- choosing ----------------------------------------------------------
    def choose(self, context: Mapping[str, Any], *, log: bool = True, length: str | None = None) -> Choice:
        """Pick a strategy epsilon-greedily (among those of the creator's `length`, when not auto) and log it."""
        ctx = normalize_context(context)
        state = state_of(ctx)
        table = self._rows(state)
        init = self.settings.agent_initial_q
        keys = [s.key for s in strategies(length)] or list(STRATEGY_KEYS)
        qs = {k: table.get(k, (init, 0))[0] for k in keys}
        visits = sum(n for _, n in table.values())
        eps = self.epsilon_for(visits)
        best = max(qs.values())
        greedy = [k for k in keys if qs[k] >= best - 1e-12]
        explored = self.rng.random() < eps
        key = self.rng.choice(keys) if explored else self.rng.choice(greedy)
        propensity = (1 - eps) * (key in greedy) / len(greedy) + eps / len(keys)
        why = explain_choice(state, key, explored, eps, qs, table, len(greedy))
        choice = Choice(strategy_from_key(key), propensity, eps, explored, state, ctx, None, qs, why)
        return self._log_choice(choice) if log else choice

    def log_choice(self, context: Mapping[str, Any], strategy: Strategy | str) -> Choice:
        """Log a strategy the creator picked (propensity 1), so its rewards still teach the agent."""
        ctx = normalize_context(context)
        key = self._key(strategy)
        state = state_of(ctx)
        why = "You picked this strategy yourself; its ratings still teach the agent."
        qs = self.q_values(ctx)
        chosen = strategy if isinstance(strategy, Strategy) else strategy_from_key(key)
        choice = Choice(chosen, 1.0, 0.0, False, state, ctx, None, qs, why)
        return self._log_choice(choice, forced=True)

    def _log_choice(self, choice: Choice, forced: bool = False) -> Choice:
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO agent_choices(context_json, state, strategy, tone, propensity, epsilon, explored,"
                " forced, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    json.dumps(choice.context),
                    choice.state,
                    choice.strategy.key,
                    choice.context.get("tone", "professional"),
                    choice.propensity,
                    choice.epsilon,
                    int(choice.explored),
                    int(forced),
                    utc_now_iso(),
                ),
            )
            choice_id = int(cur.lastrowid or 0)
        if self.events is not None:
            self.events.emit(
                "agent_choice",
                scores={"propensity": choice.propensity, "epsilon": choice.epsilon},
                strategy=choice.strategy.key,
                state=choice.state,
                explored=choice.explored,
            )
        return Choice(**{**choice.__dict__, "id": choice_id})

    def link_choice(self, choice_id: int, item_id: int, version_id: int | None = None) -> None:
        """Attach a logged choice to the item (and version) written with it."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE agent_choices SET item_id = ?, version_id = ? WHERE id = ?",
                (item_id, version_id, choice_id),
            )

    def choice_for_item(self, item_id: int) -> Choice | None:
        """The latest choice logged for an item, or None."""
        rows = self.store.query(
            "SELECT * FROM agent_choices WHERE item_id = ? ORDER BY id DESC LIMIT 1", (item_id,)
        )
        return self._row_to_choice(rows[0]) if rows else None

    def get_choice(self, choice_id: int) -> Choice | None:
        """One logged choice by id, or None."""
        rows = self.store.query("SELECT * FROM agent_choices WHERE id = ?", (choice_id,))
        return self._row_to_choice(rows[0]) if rows else None

    def _row_to_choice(self, row: dict[str, Any]) -> Choice | None:
        if row["strategy"] not in STRATEGY_KEYS:
            return None
        ctx = normalize_context(json.loads(row["context_json"] or "{}"))
        strategy = strategy_from_key(row["strategy"])
        where = describe_state(row["state"])
        if row["forced"]:
            why = "You picked this strategy yourself; its ratings still teach the agent."
        elif row["explored"]:
            why = (
                f"Picked at random to explore ({row['epsilon']:.0%} of choices explored then) for {where}; "
                f"the chance of this pick was {row['propensity']:.1%}."
            )
        elif row["propensity"] < 0.5 * (1 - row["epsilon"]):
            why = (
                f"Picked among several equally promising strategies for {where} (untried ones start "
                f"optimistic, so each gets tried); the chance of this pick was {row['propensity']:.1%}."
            )
        else:
            why = (
                f"Picked as the best-known strategy for {where} at the time "
                f"(chance {row['propensity']:.0%}, exploration {row['epsilon']:.0%})."
            )
        return Choice(
            strategy,
            float(row["propensity"]),
            float(row["epsilon"]),
            bool(row["explored"]),
            row["state"],
            ctx,
            int(row["id"]),
            explanation=why,
        )

    # --- learning ----------------------------------------------------------
    @staticmethod
    def _key(strategy: Any) -> str:
        key = (
            strategy.strategy.key
            if isinstance(strategy, Choice)
            else strategy.key
            if isinstance(strategy, Strategy)
            else str(strategy)
        )
        if key not in STRATEGY_KEYS:
            raise InvalidInputError(f"Unknown strategy {key!r}; use one of `strategies()` or its `.key`")
        return key

    def step_size(self, visits: int) -> float:
        """alpha_n for the n-th update of a Q-value: learning_rate at n=1, then like a running mean."""
        lr = self.settings.learning_rate
        return 1.0 / (max(1, visits) + 1.0 / lr - 1.0)

    def learn(
        self,
        context: Mapping[str, Any],
        strategy: Strategy | Choice | str,
        reward: float,
        *,
        next_context: Mapping[str, Any] | None = None,
        event: str = "reward",
        item_id: int | None = None,
        version_id: int | None = None,
        value: float | None = None,
        user: str = "",
        choice_id: int | None = None,
    ) -> LearnStep:
        """Apply one reward to Q(state, strategy); `strategy` is a Strategy, a Choice or a key.

        A Choice also links the reward to the logged choice (for off-policy evaluation).
        """
        key = self._key(strategy)
        if isinstance(reward, bool) or not isinstance(reward, (int, float)) or not math.isfinite(reward):
            raise InvalidInputError(f"A reward is a finite number, not {reward!r}")
        if isinstance(strategy, Choice):
            choice_id = strategy.id if choice_id is None else choice_id
            state = strategy.state
        else:
            state = state_of(context)
        next_state = state_of(next_context) if next_context is not None else None
        s = self.settings
        with self.store.transaction() as conn:
            table = self._rows(state, conn)
            q_old, n_old = table.get(key, (s.agent_initial_q, 0))
            target = float(reward)
            if next_state is not None and s.discount:
                nxt = self._rows(next_state, conn)
                target += s.discount * max(nxt.get(k, (s.agent_initial_q, 0))[0] for k in STRATEGY_KEYS)
            n_new = n_old + 1
            alpha = self.step_size(n_new)
            q_new = q_old + alpha * (target - q_old)
            now = utc_now_iso()
            conn.execute(
                "INSERT OR REPLACE INTO agent_q(state, strategy, q, visits, updated_at) VALUES (?,?,?,?,?)",
                (state, key, q_new, n_new, now),
            )
            cur = conn.execute(
                "INSERT INTO agent_rewards(choice_id, item_id, version_id, strategy, event, value, reward, user,"
                " learned, created_at) VALUES (?,?,?,?,?,?,?,?,1,?)",
                (choice_id, item_id, version_id, key, event, value, float(reward), user, now),
            )
            reward_id = int(cur.lastrowid or 0)
            cur = conn.execute(
                "INSERT INTO agent_transitions(choice_id, reward_id, state, strategy, reward, next_state, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (choice_id, reward_id, state, key, float(reward), next_state, now),
            )
            tid = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT OR REPLACE INTO agent_replay(slot, transition_id, state, strategy, reward, next_state)"
                " VALUES (?,?,?,?,?,?)",
                ((tid - 1) % max(1, s.replay_size), tid, state, key, float(reward), next_state),
            )
        self.corrupt.pop(f"{state} / {key}", None)
        if s.discount > 0:
            self.replay(REPLAY_BATCH)
        if self.events is not None:
            self.events.emit(
                "agent_reward",
                item_id=item_id,
                scores={"reward": float(reward), "q": q_new},
                strategy=key,
                state=state,
                event=event,
            )
        return LearnStep(state, key, float(reward), q_old, q_new, alpha, n_new, tid, reward_id)

    def log_reward(
        self,
        reward: float,
        *,
        event: str,
        item_id: int | None = None,
        version_id: int | None = None,
        value: float | None = None,
        user: str = "",
    ) -> int:
        """Store a reward that no logged choice can be credited with (the agent does not learn from it)."""
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO agent_rewards(item_id, version_id, strategy, event, value, reward, user, learned,"
                " created_at) VALUES (?,?,'',?,?,?,?,0,?)",
                (item_id, version_id, event, value, float(reward), user, utc_now_iso()),
            )
            return int(cur.lastrowid or 0)


def agent_for(services: Any) -> Agent:
    """The agent over the services' store and settings, built once and kept in `services.extras`."""
    agent = services.extras.get("agent")
    if agent is None or agent.store is not services.store:
        agent = Agent.from_store(services.store, services.settings, events=services.events)
        services.extras["agent"] = agent
    return agent


def choose_for_post(
    services: Any,
    brief: Any,
    project_text: str = "",
    *,
    strategy: Strategy | None = None,
    guard_confidence: float | None = None,
    hashtag_count: int | None = None,
    length: str | None = None,
) -> Choice | None:
    """The agent's (logged) strategy for a post, or the creator's own strategy logged with propensity 1.

    Returns None, after logging why, if the agent cannot be reached: the caller then uses its default.
    """
    context: dict[str, Any] = {
        "project_kind": project_kind_of(project_text),
        "audience": getattr(brief, "audience", "developers"),
        "tone": getattr(brief, "tone", "professional"),
    }
    if guard_confidence is not None:
        context["guard_confidence"] = guard_confidence
    if hashtag_count is not None:
        context["hashtag_count"] = hashtag_count
    try:
        agent = agent_for(services)
        if strategy is not None:
            return agent.log_choice(context, strategy)
        return agent.choose(context, length=length)
    except Exception as exc:  # the post must still be written when the agent's tables are unreadable
        LOG.warning("Strategy agent unavailable, using the default strategy: %s", exc)
        return None
