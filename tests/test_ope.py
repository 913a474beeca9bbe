"""Off-policy estimators against cases with answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from core.agent import Agent
from core.agent.ope import doubly_robust, evaluate_policy, fit_reward_model, ips, snips


def test_uniform_logging_two_actions_recovers_the_true_value():
    # Action 0 always pays 1, action 1 pays 0; logged uniformly (p = 0.5); target: always 0.
    rewards, props, match = [1, 0, 1, 0], [0.5] * 4, [1, 0, 1, 0]
    assert ips(rewards, props, match) == pytest.approx(1.0)  # (2 + 0 + 2 + 0) / 4
    assert snips(rewards, props, match) == pytest.approx(1.0)  # (2 + 2) / (2 + 2)
    assert doubly_robust(
        rewards, props, match, q_logged=[1, 0, 1, 0], q_target=[1, 1, 1, 1]
    ) == pytest.approx(1.0)


def test_ips_and_snips_differ_as_computed_by_hand():
    rewards, props, match = [1, 0, 1], [0.5, 0.25, 0.5], [1, 1, 0]
    assert ips(rewards, props, match) == pytest.approx((2 + 0 + 0) / 3)
    assert snips(rewards, props, match) == pytest.approx(2 / (2 + 4))
    # DR with a model predicting 0.5 everywhere: mean(0.5 + w (r - 0.5)) = mean(1.5, -1.5, 0.5) = 1/6
    assert doubly_robust(rewards, props, match, [0.5] * 3, [0.5] * 3) == pytest.approx(1 / 6)


def test_dr_with_a_perfect_model_has_no_variance():
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 3, 500)
    true = np.array([0.2, 0.8, -0.4])
    rewards = true[actions]
    props = np.full(500, 1 / 3)
    match = (actions == 1).astype(float)
    dr = doubly_robust(rewards, props, match, true[actions], np.full(500, 0.8))
    assert dr == pytest.approx(0.8)
    assert abs(ips(rewards, props, match) - 0.8) < 0.15


def test_estimators_converge_on_a_large_random_log():
    rng = np.random.default_rng(1)
    n, k = 20000, 4
    true = np.array([0.1, 0.5, -0.2, 0.3])
    p_log = np.array([0.4, 0.1, 0.3, 0.2])
    actions = rng.choice(k, size=n, p=p_log)
    rewards = true[actions] + rng.normal(0, 0.5, n)
    est = evaluate_policy(
        rewards=list(rewards),
        propensities=list(p_log[actions]),
        states=["s"] * n,
        logged=[str(a) for a in actions],
        target=["1"] * n,
    )
    assert est.ips == pytest.approx(0.5, abs=0.05)
    assert est.snips == pytest.approx(0.5, abs=0.03)
    assert est.dr == pytest.approx(0.5, abs=0.03)
    assert est.logged_value == pytest.approx(float(p_log @ true), abs=0.03)
    assert est.match_rate == pytest.approx(0.1, abs=0.01)


def test_reward_model_falls_back_to_state_then_overall():
    q = fit_reward_model(["a", "a", "b"], ["x", "y", "x"], [1.0, 0.0, -1.0])
    assert q("a", "x") == 1.0 and q("a", "z") == 0.5 and q("c", "x") == pytest.approx(0.0)


def test_bad_propensities_are_refused_and_empty_logs_are_none():
    with pytest.raises(ValueError):
        ips([1], [0], [1])
    est = evaluate_policy(rewards=[], propensities=[], states=[], logged=[], target=[])
    assert est.n == 0 and est.ips is None


def test_agent_evaluate_uses_logged_choices():
    agent = Agent.create(seed=2)
    ctx = {"audience": "general"}
    for _i in range(30):
        c = agent.choose(ctx)
        agent.learn(ctx, c, 1.0 if c.strategy.key == "story|boost_tag|short" else -0.5)
    est = agent.evaluate()
    assert est.n == 30
    assert est.logged_value == pytest.approx(agent.stats().mean_reward)
    assert est.dr is not None and -1 <= est.snips <= 1 if est.snips is not None else True
