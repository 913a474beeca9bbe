"""Herald: builds the page navigation for the signed-in user and runs the chosen page; nothing else.

Only the pages the user's roles allow are listed (each page checks again with
`require_page`); with nobody signed in, only the Sign-in page.
"""

import os

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

st.set_page_config(page_title="Herald", page_icon="📣", layout="wide")

from core.auth import PAGE_ACTIONS, can  # noqa: E402
from pages.components.signin import current_user, page_services, render_identity  # noqa: E402

PAGES = {
    "Studio": [
        ("create", st.Page("pages/create.py", title="Create", icon="✍️", default=True)),
        ("video", st.Page("pages/video.py", title="Video", icon="🎬")),
        ("library", st.Page("pages/library.py", title="Library", icon="📚")),
        ("plan", st.Page("pages/plan.py", title="Plan", icon="🗓️")),
    ],
    "Team": [
        ("review", st.Page("pages/review.py", title="Review", icon="🛡️")),
        ("dashboard", st.Page("pages/dashboard.py", title="Dashboard", icon="📈")),
        ("health", st.Page("pages/health.py", title="Health", icon="🩺")),
        ("admin", st.Page("pages/admin.py", title="Admin", icon="👥")),
        ("audit", st.Page("pages/audit.py", title="Audit", icon="📜")),
    ],
}
SIGN_IN = st.Page("pages/signin.py", title="Sign in", icon="🔑")

services = page_services()
user = current_user(services)
render_identity(user, services)
if user is None:
    pages = {"Herald": [SIGN_IN]}
else:
    pages = {
        group: [page for key, page in entries if can(user, PAGE_ACTIONS[key])]
        for group, entries in PAGES.items()
    }
    pages = {group: entries for group, entries in pages.items() if entries}
st.navigation(pages or {"Herald": [SIGN_IN]}).run()
