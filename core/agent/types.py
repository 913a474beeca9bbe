"""Typed values the strategy agent returns: choices, learning steps, stats, training reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chains.types import Strategy

__all__ = ["StrategyValue", "Choice", "LearnStep", "AgentStats", "TrainReport"]


@dataclass(frozen=True)
class StrategyValue:
    """One strategy's learned value in one state."""

    key: str
    q: float
    visits: int


@dataclass(frozen=True)
class Choice:
    """A strategy the agent chose, with the probability it had and why."""

    strategy: Strategy
    propensity: float
    epsilon: float
    explored: bool
    state: str
    context: dict[str, Any]
    id: int | None = None
    q_values: dict[str, float] = field(default_factory=dict)
    explanation: str = ""


@dataclass(frozen=True)
class LearnStep:
    """What one reward changed in the Q-table."""

    state: str
    key: str
    reward: float
    q_before: float
    q_after: float
    step_size: float
    visits: int
    transition_id: int
    reward_id: int | None


@dataclass(frozen=True)
class AgentStats:
    """Sizes and averages of what the agent has stored."""

    states: int
    q_rows: int
    choices: int
    rewards: int
    transitions: int
    replay_len: int
    replay_size: int
    mean_reward: float | None
    recent_mean_reward: float | None
    corrupt_rows: tuple[str, ...]


@dataclass(frozen=True)
class TrainReport:
    """The result of replaying the whole history."""

    transitions: int
    skipped: int
    states: int
    seconds: float
