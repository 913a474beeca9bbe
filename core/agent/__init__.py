"""The strategy agent: Q-learning over post strategies, its rewards and offline evaluation.

`agent.py` is the agent itself (choose, learn, persist), `context.py` turns a
brief and a project into a state, `training.py` and `report.py` are its replay
and read-only reports, `types.py` the dataclasses they return, `rewards.py`
maps product events to rewards, and `ope.py` estimates a policy's value from
logged choices. The public surface below is the agent's; import rewards and
OPE from their modules.
"""

from core.agent.agent import Agent, agent_for, choose_for_post, strategies
from core.agent.types import AgentStats, Choice, LearnStep, StrategyValue, TrainReport

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
