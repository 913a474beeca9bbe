"""Library: every item with its versions, a side-by-side diff, restore, feedback, recommendations and the agent.

Thin: filters -> `core.posts.library.list_library` -> the table; the opened item,
recommendations and the agent are drawn by `pages.components` (library, recommend,
agent). Restores and accepted improvements are new versions or state changes;
nothing is rewritten.
"""

from __future__ import annotations

import streamlit as st

from core.posts.library import ORIGIN_LABELS, list_library
from core.store import ItemStatus
from pages.common import get_services
from pages.components.agent import render_agent_training
from pages.components.library import render_item
from pages.components.recommend import render_recommendations
from pages.components.signin import require_page

STATUSES = [v for k, v in vars(ItemStatus).items() if k.isupper()]

st.title("📚 Library")
services = get_services()
user = require_page("library.view", services)
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

    render_item(services, item_id)

render_recommendations(services)
render_agent_training(services)
