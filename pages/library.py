"""Library: every item with its versions, a side-by-side diff, restore, feedback, recommendations and the agent.

Thin: widgets -> one `core.posts.library` / `core.recommend` / agent call each ->
render the returned dataclasses. Restores and accepted improvements are new
versions or state changes; nothing is rewritten.
"""

from __future__ import annotations

import streamlit as st

from core.agent import agent_for
from core.errors import HeraldError
from core.posts.library import (
    ORIGIN_LABELS,
    compare_versions,
    item_versions,
    list_library,
    restore_version,
    set_pending_version,
)
from core.recommend import recommend, trending
from core.store import ItemStatus
from pages.common import get_services
from pages.components.agent import render_feedback, render_strategy

STATUSES = [v for k, v in vars(ItemStatus).items() if k.isupper()]

st.title("📚 Library")
services = get_services()
store = services.store

# --- filters and list ---------------------------------------------------------
cols = st.columns([1, 1, 1, 2])
status = cols[0].selectbox("Status", ["all", *STATUSES], key="lib_status")
kind = cols[1].selectbox("Kind", ["all", "post", "video"], key="lib_kind")
origin = cols[2].selectbox(
    "Has a version from",
    ["any", *ORIGIN_LABELS],
    format_func=lambda o: ORIGIN_LABELS.get(o, o),
    key="lib_origin",
)
search = cols[3].text_input("Search title and text", key="lib_search", max_chars=200)
items = list_library(
    store,
    status=None if status == "all" else status,
    kind=None if kind == "all" else kind,
    origin=None if origin == "any" else origin,
    search=search,
)

if not items:
    st.info("No items match. Generate a post on the Create page, or clear the filters.")
else:
    st.dataframe(
        [
            {
                "id": r.item.id,
                "title": r.item.title,
                "kind": r.item.kind,
                "status": r.item.status.replace("_", " "),
                "versions": r.versions,
                "pending": r.pending,
                "ratings": r.ratings,
                "stars": None if r.mean_stars is None else round(r.mean_stars, 1),
                "👍": r.likes,
                "👎": r.dislikes,
                "strategy": r.strategy,
                "updated": r.updated_at[:16].replace("T", " "),
            }
            for r in items
        ],
        hide_index=True,
    )
    by_id = {r.item.id: r for r in items}
    # A link such as `library?item=7` (from the Dashboard's drill-down) opens that item once.
    wanted = st.query_params.get("item")
    if wanted and wanted.isdigit() and int(wanted) in by_id and st.session_state.get("lib_linked") != wanted:
        st.session_state["lib_item"] = int(wanted)
        st.session_state["lib_linked"] = wanted
    item_id = st.selectbox(
        "Open item", list(by_id), format_func=lambda i: f"#{i} · {by_id[i].item.title[:80]}", key="lib_item"
    )

    # --- versions ----------------------------------------------------------------
    versions = item_versions(store, item_id)
    st.subheader(f"Versions of item {item_id}")
    st.dataframe(
        [
            {
                "version": v.version.number,
                "origin": v.origin_label,
                "state": v.version.state,
                "provider": v.version.provider,
                "ratings": v.ratings,
                "stars": None if v.mean_stars is None else round(v.mean_stars, 1),
                "created": v.version.created_at[:16].replace("T", " "),
                "preview": " ".join(v.version.text.split())[:100],
            }
            for v in versions
        ],
        hide_index=True,
    )
    numbers = {v.version.number: v.version for v in versions}
    for v in versions:
        if v.version.state != "pending":
            continue
        with st.container(border=True):
            st.markdown(f"**Version {v.version.number}** ({v.origin_label}) is waiting for your review.")
            st.text(v.version.text)
            a, b = st.columns(2)
            for col, accept, label in ((a, True, "Accept"), (b, False, "Dismiss")):
                if col.button(label, key=f"pending-{accept}-{v.version.id}"):
                    try:
                        set_pending_version(store, v.version.id, accept)
                    except HeraldError as exc:
                        st.error(str(exc))
                    else:
                        st.rerun()

    # --- diff ------------------------------------------------------------------
    st.subheader("Compare two versions")
    order = list(numbers)
    c1, c2 = st.columns(2)
    left = c1.selectbox("From", order, index=max(0, len(order) - 2), key=f"diff_a_{item_id}")
    right = c2.selectbox("To", order, index=len(order) - 1, key=f"diff_b_{item_id}")
    try:
        comparison = compare_versions(store, numbers[left].id, numbers[right].id)
    except HeraldError as exc:
        st.error(str(exc))
    else:
        d = comparison.diff
        st.caption(
            f"{d.words_added} words added, {d.words_removed} removed, similarity {d.similarity:.0%}"
            if d.changed
            else "The two versions have the same words."
        )
        st.html(comparison.html)
        with st.expander("Unified diff"):
            st.code(comparison.unified, language="diff")

    # --- restore -----------------------------------------------------------------
    r1, r2 = st.columns([2, 1])
    to_restore = r1.selectbox("Restore version", order, key=f"restore_{item_id}")
    if r2.button("Restore as a new version", key=f"restore_btn_{item_id}"):
        try:
            new = restore_version(store, numbers[to_restore].id, actor=st.session_state.get("user", ""))
        except HeraldError as exc:
            st.error(str(exc))
        else:
            st.success(f"Restored version {to_restore} as version {new.number}; every version is kept.")
            st.rerun()

    # --- strategy and feedback ---------------------------------------------------
    latest_active = [v.version for v in versions if v.version.state == "active"]
    st.subheader("Strategy and feedback")
    render_strategy(services, item_id)
    target = latest_active[-1] if latest_active else versions[-1].version
    st.caption(f"Feedback is stored for version {target.number}.")
    render_feedback(services, item_id, target.id, key="lib-feedback")

# --- recommendations and trending -----------------------------------------------
st.subheader("Recommended and trending")
t1, t2 = st.columns(2)
with t1:
    user = st.text_input(
        "Recommend for user", value=st.session_state.get("user", ""), key="rec_user", max_chars=80
    )
    if st.button("Recommend", key="rec_btn"):
        try:
            with st.spinner("Scoring items…"):
                recs = recommend(services, user)
        except HeraldError as exc:
            st.error(str(exc))
        else:
            label = "cold start: " if recs.cold_start else ""
            st.caption(
                f"{label}{', '.join(recs.parts_used) or 'no signal yet'} · {recs.seconds * 1000:.0f} ms"
            )
            st.dataframe(
                [
                    {
                        "id": r.item_id,
                        "title": r.title,
                        "score": r.score,
                        "why": r.reason,
                        "collab": r.collaborative,
                        "content": r.content,
                        "trend": r.trending,
                    }
                    for r in recs.items
                ],
                hide_index=True,
            )
            for note in recs.notes:
                st.caption(note)
with t2:
    hot = trending(services, 10)
    if hot:
        st.dataframe(
            [
                {
                    "id": t.item_id,
                    "title": t.title,
                    "trend": t.score,
                    "ratings": t.ratings,
                    "exports": t.exports,
                }
                for t in hot
            ],
            hide_index=True,
        )
    else:
        st.caption("Nothing is trending yet: ratings and exports in the last days make items trend.")

# --- the agent: off-policy estimates and training ---------------------------------
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
    report = agent.train_now()
    st.success(
        f"Replayed {report.transitions} rewards over {report.states} contexts in {report.seconds:.2f} s."
    )
stats = agent.stats()
if stats.corrupt_rows:
    st.warning(f"{len(stats.corrupt_rows)} corrupt Q-table rows were skipped; Train now rebuilds the table.")
