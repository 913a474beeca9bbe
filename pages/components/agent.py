"""Render the agent's side of a post: the strategy used, why, its Q-values, and feedback controls.

`render_strategy` shows the strategy an item was written with and the
agent's values for its context; `render_feedback` draws stars, like/dislike
and a comment, stored through `core.posts.feedback.rate_item` (which rewards the
agent and, after a low rating, writes a pending improved version).
No SQL or learning here; `HeraldError`s become `st.error`.
"""

from __future__ import annotations

import streamlit as st

from core.agent import agent_for
from core.errors import HeraldError
from core.jobs.kinds import train_agent
from core.posts.library import rate_item, strategy_report
from core.services import Services
from pages.components.signin import page_user

__all__ = [
    "render_strategy",
    "render_feedback",
    "render_like_buttons",
    "render_agent_panel",
    "render_agent_training",
]

STARS = {0: "no stars", 1: "★", 2: "★★", 3: "★★★", 4: "★★★★", 5: "★★★★★"}


def render_strategy(services: Services, item_id: int, *, top: int = 10) -> None:
    """The strategy an item was written with, the reason, and the best Q-values for its context."""
    try:
        report = strategy_report(services, item_id)
    except HeraldError as exc:
        st.error(str(exc))
        return
    if report is None:
        st.caption("No strategy was logged for this item (it was written before the agent or by hand).")
        return
    s = report.choice.strategy
    cols = st.columns(4)
    cols[0].metric("Hook", s.hook.replace("_", " "))
    cols[1].metric("Hashtags", s.hashtag_policy.replace("_", " "))
    cols[2].metric("Length", s.length)
    cols[3].metric("Exploration now", f"{report.epsilon:.0%}")
    st.markdown(f"**Why this strategy?** {report.explanation}")
    with st.expander(f"Q-values for this context (top {top} of {len(report.values)})"):
        st.dataframe(
            [
                {
                    "strategy": v.key,
                    "Q": round(v.q, 3),
                    "rewards": v.visits,
                    "used": "◀" if v.key == s.key else "",
                }
                for v in report.values[:top]
            ],
            hide_index=True,
        )
        st.caption("Untried strategies start optimistic (at the best reward), so the agent tries each.")


def _show(result) -> None:
    rewards = ", ".join(f"{r.event} {r.reward:+.1f}" for r in result.rewards)
    st.success(f"Saved. Reward for the agent: {rewards or 'none (no strategy logged)'}.")
    for note in result.notes:
        st.info(note)


def render_like_buttons(
    services: Services, item_id: int, version_id: int | None, *, key: str = "like"
) -> None:
    """A like and a dislike button; each is stored as a rating and rewards the agent."""
    cols = st.columns(2)
    for col, (label, liked) in zip(cols, (("👍 Like", 1), ("👎 Dislike", -1)), strict=True):
        if col.button(label, key=f"{key}-{liked}-{item_id}-{version_id}", width="stretch"):
            try:
                _show(
                    rate_item(
                        services,
                        item_id,
                        version_id,
                        liked=liked,
                        user=st.session_state.get("user", ""),
                        by=page_user(),
                    )
                )
            except HeraldError as exc:
                st.error(str(exc))


def render_feedback(
    services: Services, item_id: int, version_id: int | None, *, key: str = "feedback"
) -> None:
    """Stars, like/dislike and a comment in one form, stored with this version."""
    with st.form(f"{key}-{item_id}-{version_id}", clear_on_submit=True):
        stars = st.radio("Stars", list(STARS), index=0, format_func=STARS.get, horizontal=True)
        liked = st.radio("Like?", ("—", "👍 like", "👎 dislike"), horizontal=True)
        comment = st.text_input(
            "Comment (a low rating's comment guides the improved version)", max_chars=2000
        )
        signed_in = page_user()
        if signed_in is not None and signed_in.kind != "single-user":
            user = signed_in.name  # signed in: feedback is stored under who signed in
        else:
            user = st.text_input("Your name", value=st.session_state.get("user", ""), max_chars=80)
        if not st.form_submit_button("Save feedback"):
            return
    st.session_state["user"] = user.strip()
    like_value = {"👍 like": 1, "👎 dislike": -1}.get(liked)
    try:
        result = rate_item(
            services,
            item_id,
            version_id,
            stars=int(stars) or None,
            liked=like_value,
            comment=comment,
            user=user.strip(),
            by=page_user(),
        )
    except HeraldError as exc:
        st.error(str(exc))
        return
    _show(result)


def render_agent_panel(services: Services, item_id: int, version_id: int | None) -> None:
    """The Create page's agent block: the strategy used, why, its Q-values, and like/dislike."""
    st.subheader("Strategy")
    render_strategy(services, item_id)
    render_like_buttons(services, item_id, version_id, key="create-like")


def render_agent_training(services: Services) -> None:
    """The agent's off-policy estimates of its greedy strategy, and a button to retrain it."""
    st.subheader("Strategy agent")
    agent = agent_for(services)
    estimate = agent.evaluate()
    m = st.columns(5)
    m[0].metric("Logged rewards", estimate.n)
    m[1].metric("Logged policy", "—" if estimate.logged_value is None else f"{estimate.logged_value:+.2f}")
    for col, name, value in (
        (m[2], "Greedy · IPS", estimate.ips),
        (m[3], "Greedy · SNIPS", estimate.snips),
        (m[4], "Greedy · DR", estimate.dr),
    ):
        col.metric(name, "—" if value is None else f"{value:+.2f}")
    st.caption(
        "Estimated average reward if the agent always used its best-known strategy, judged from the logged choices "
        f"(they agree with it {estimate.match_rate:.0%} of the time; effective sample size "
        f"{estimate.effective_sample_size:.0f})."
    )
    if st.button("Train now", key="train_now", help="Replay every stored reward into a fresh Q-table"):
        try:
            report = train_agent(services)  # a job: in this process, or on a worker with HERALD_QUEUE=celery
        except HeraldError as exc:
            st.error(str(exc))
        else:
            st.success(
                f"Replayed {report['transitions']} rewards over {report['states']} contexts"
                f" in {report['seconds']:.2f} s."
            )
    stats = agent.stats()
    if stats.corrupt_rows:
        st.warning(
            f"{len(stats.corrupt_rows)} corrupt Q-table rows were skipped; Train now rebuilds the table."
        )
