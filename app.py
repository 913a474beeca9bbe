"""Herald: builds the page navigation and runs the chosen page; nothing else."""

import os

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

st.set_page_config(page_title="Herald", page_icon="📣", layout="wide")

PAGES = {
    "Studio": [
        st.Page("pages/create.py", title="Create", icon="✍️", default=True),
        st.Page("pages/video.py", title="Video", icon="🎬"),
        st.Page("pages/library.py", title="Library", icon="📚"),
        st.Page("pages/plan.py", title="Plan", icon="🗓️"),
    ],
    "Team": [
        st.Page("pages/review.py", title="Review", icon="🛡️"),
        st.Page("pages/dashboard.py", title="Dashboard", icon="📈"),
        st.Page("pages/health.py", title="Health", icon="🩺"),
    ],
}

st.navigation(PAGES).run()
