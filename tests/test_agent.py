"""The Q-learning agent: update rule, exploration, persistence, bad rows and concurrency."""

from __future__ import annotations

import threading

import pytest

from chains.types import Strategy
from core.agent import Agent, Choice, strategies
from core.agent.context import normalize_context, project_kind_of, state_of
from core.errors import InvalidInputError
from core.store import Store
from tests.seed import seed_item
from utils.settings import load_settings

CTX = {
    "project_kind": "cli",
    "audience": "developers",
    "tone": "technical",
    "guard_confidence": 0.9,
    "hashtag_count": 2,
}


def make(tmp_path=None, seed=0, **overrides):
    settings = load_settings({}, **overrides)
    path = None if tmp_path is None else tmp_path / "agent.db"
    return Agent.create(path, seed=seed, settings=settings)


def test_strategies_are_the_product_of_hook_hashtag_policy_and_length():
    all_ = strategies()
    assert len(all_) == 45 and len({s.key for s in all_}) == 45
    assert all(isinstance(s, Strategy) for s in all_)
    assert Strategy("story", "boost_tag", "short") in all_


def test_choose_returns_one_of_strategies_with_its_propensity():
    agent = make()
    choice = agent.choose({"audience": "developers"})
    assert choice.strategy in strategies()
    assert choice.id is not None
    # Untried: 45 tied greedy strategies, so every strategy has probability 1/45.
    assert choice.propensity == pytest.approx(1 / 45)
    assert choice.explanation


@pytest.mark.parametrize("tone", ["professional", "friendly", "enthusiastic", "technical", "casual"])
@pytest.mark.parametrize("audience", ["developers", "general"])
def test_the_chosen_strategy_is_always_one_of_strategies(tone, audience):
    agent = make()
    for _ in range(20):
        choice = agent.choose({**CTX, "tone": tone, "audience": audience})
        assert choice.strategy in strategies()
        assert choice.context["tone"] == tone and tone in choice.state  # tone is state, not action


@pytest.mark.parametrize("length", ["short", "medium", "long"])
def test_the_creators_length_limits_the_choice(length):
    agent = make()
    for _ in range(30):
        choice = agent.choose(CTX, length=length)
        assert choice.strategy.length == length and choice.strategy in strategies(length)
    assert len(strategies(length)) == 15 and strategies("auto") == strategies()


def test_update_rule_matches_a_worked_example():
    # learning_rate 0.5 -> the optimistic start counts as 1/0.5 - 1 = 1 rating.
    agent = make(learning_rate=0.5, agent_initial_q=1.0)
    s = strategies()[0]
    step1 = agent.learn(CTX, s, 0.0)
    # alpha_1 = 1/(1+1) = 0.5; Q = 1.0 + 0.5 * (0 - 1.0) = 0.5
    assert (step1.step_size, step1.q_after) == (pytest.approx(0.5), pytest.approx(0.5))
    step2 = agent.learn(CTX, s.key, 1.0)
    # alpha_2 = 1/(2+1) = 1/3; Q = 0.5 + (1/3) * (1 - 0.5) = 0.6667 = (1 + 0 + 1) / 3
    assert step2.step_size == pytest.approx(1 / 3)
    assert step2.q_after == pytest.approx(2 / 3)
    assert agent.q_values(CTX)[s.key] == pytest.approx(2 / 3)
    # With learning_rate 0.1 the first step is exactly 0.1.
    assert make(learning_rate=0.1).learn(CTX, s, 0.0).q_after == pytest.approx(0.9)


def test_discounted_update_bootstraps_from_the_next_state():
    agent = make(learning_rate=0.5, discount=0.5, agent_initial_q=1.0)
    nxt = {**CTX, "audience": "general"}
    step = agent.learn(CTX, strategies()[0], 0.0, next_context=nxt)
    # target = 0 + 0.5 * max Q(s') = 0.5 * 1.0; Q = 1.0 + 0.5 * (0.5 - 1.0) = 0.75
    assert step.q_after == pytest.approx(0.75)


def test_greedy_after_learning_and_ties_broken_in_order():
    agent = make(agent_initial_q=0.0, epsilon_start=0.0, epsilon_end=0.0)
    target = strategies()[7]
    agent.learn(CTX, target, 1.0)
    assert agent.best_strategy(CTX).key == target.key
    choice = agent.choose(CTX)
    assert choice.strategy.key == target.key and not choice.explored
    assert choice.propensity == pytest.approx(1.0)
    assert "highest expected reward" in choice.explanation


def test_epsilon_decays_linearly_per_state():
    agent = make(epsilon_start=0.3, epsilon_end=0.05, epsilon_decay_steps=10)
    assert agent.epsilon(CTX) == pytest.approx(0.3)
    for _ in range(5):
        agent.learn(CTX, strategies()[0], 0.1)
    assert agent.epsilon(CTX) == pytest.approx(0.3 - 0.25 * 0.5)
    for _ in range(10):
        agent.learn(CTX, strategies()[1], 0.1)
    assert agent.epsilon(CTX) == pytest.approx(0.05)
    assert agent.epsilon({**CTX, "audience": "general"}) == pytest.approx(0.3)


def test_replay_buffer_is_bounded_and_circular():
    agent = make(replay_size=5)
    for i in range(12):
        agent.learn(CTX, strategies()[i % 3], 0.1 * i)
    rows = agent.store.query("SELECT transition_id FROM agent_replay ORDER BY transition_id")
    assert [r["transition_id"] for r in rows] == [8, 9, 10, 11, 12]
    assert agent.stats().replay_len == 5 and agent.stats().transitions == 12
    assert agent.replay(3) == 3


def test_persistence_round_trip(tmp_path):
    agent = make(tmp_path)
    choice = agent.choose(CTX)
    agent.learn(CTX, choice, 0.5)
    before = agent.q_values(CTX)
    agent.store.close()
    again = make(tmp_path)
    assert again.q_values(CTX) == before
    assert again.get_choice(choice.id).strategy == choice.strategy
    assert again.stats().rewards == 1


def test_train_now_replays_history_to_the_same_table():
    agent = make(seed=3)
    for i in range(40):
        ctx = {**CTX, "audience": ("developers", "general")[i % 2]}
        c = agent.choose(ctx)
        agent.learn(ctx, c, (i % 5 - 2) / 2)
    before = {a: agent.q_values({**CTX, "audience": a}) for a in ("developers", "general")}
    with agent.store.transaction() as conn:
        conn.execute("DELETE FROM agent_q")
    report = agent.train_now()
    assert report.transitions == 40 and report.states == 2
    for a, qs in before.items():
        assert agent.q_values({**CTX, "audience": a}) == pytest.approx(qs)


def test_corrupt_q_row_is_skipped_and_reported(caplog):
    agent = make()
    good, bad = strategies()[0], strategies()[1]
    agent.learn(CTX, good, 0.5)
    agent.learn(CTX, bad, 0.5)
    state = state_of(CTX)
    with agent.store.transaction() as conn:
        conn.execute("UPDATE agent_q SET q = 'garbage' WHERE state = ? AND strategy = ?", (state, bad.key))
        conn.execute(
            "INSERT INTO agent_q(state, strategy, q, visits, updated_at)"
            " VALUES (?, 'no|such|key', 0.3, 1, 'x')",
            (state,),
        )
    choice = agent.choose(CTX)  # must not raise
    assert choice.strategy in strategies()
    assert agent.q_values(CTX)[bad.key] == agent.settings.agent_initial_q
    corrupt = agent.stats().corrupt_rows
    assert any(bad.key in c and "not a number" in c for c in corrupt)
    assert any("no|such|key" in c for c in corrupt)
    assert "corrupt" in caplog.text.lower()
    # Learning on the corrupt row starts it afresh instead of crashing.
    assert agent.learn(CTX, bad, 0.0).q_before == agent.settings.agent_initial_q


def test_unknown_and_missing_context_values_are_defaulted():
    ctx = normalize_context(
        {"project_kind": "spaceship", "tone": 42, "guard_confidence": "high", "hashtag_count": -3, "x": 1}
    )
    assert ctx == {
        "project_kind": "other",
        "audience": "developers",
        "tone": "professional",
        "guard_confidence": 0.7,
        "hashtag_count": 0,
    }
    agent = make()
    choice = agent.choose({"audience": "martians", "guard_confidence": float("nan"), "weird": object()})
    assert choice.state == "other|medium|few|general|professional"
    assert agent.choose({}).strategy in strategies()


def test_bad_rewards_and_strategies_are_refused():
    agent = make()
    with pytest.raises(InvalidInputError):
        agent.learn(CTX, "no|such|strategy", 0.5)
    with pytest.raises(InvalidInputError):
        agent.learn(CTX, strategies()[0], float("nan"))
    assert agent.stats().transitions == 0


def test_two_sessions_learning_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    Store.open(path).close()
    settings = load_settings({})
    agents = [Agent.from_store(Store.open(path), settings, seed=i) for i in range(2)]
    key = strategies()[4]
    errors: list[BaseException] = []

    def worker(agent: Agent) -> None:
        try:
            for _ in range(40):
                agent.learn(CTX, key, 0.5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    fresh = Agent.from_store(Store.open(path), settings)
    visits = {v.key: v.visits for v in fresh.strategy_values(CTX)}
    assert visits[key.key] == 80
    assert fresh.stats().transitions == 80
    q_live = fresh.q_values(CTX)[key.key]
    fresh.train_now()
    assert fresh.q_values(CTX)[key.key] == pytest.approx(q_live)


def test_choice_objects_can_be_passed_to_learn_and_link_to_items():
    agent = make()
    item, version = seed_item(agent.store, "A post")
    choice = agent.choose(CTX)
    assert isinstance(choice, Choice)
    agent.link_choice(choice.id, item.id, version.id)
    assert agent.choice_for_item(item.id).strategy == choice.strategy
    step = agent.learn(CTX, choice, 1.0)
    row = agent.store.query("SELECT choice_id, strategy FROM agent_rewards WHERE id = ?", (step.reward_id,))[
        0
    ]
    assert row == {"choice_id": choice.id, "strategy": choice.strategy.key}


def test_project_kind_guess():
    assert (
        project_kind_of("A command-line tool: run `lumen build` in a terminal. The CLI has subcommands.")
        == "cli"
    )
    assert project_kind_of("Train a model on your dataset with pytorch embeddings") == "data_ml"
    assert project_kind_of("") == "other"
