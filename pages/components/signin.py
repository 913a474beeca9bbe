"""Who is signed in, for app.py and every page: `current_user`, `require_page`, the sidebar block.

The user comes from, in order: this browser session's Herald session (a local
password sign-in), the identity provider (`st.user`, when `.streamlit/secrets.toml`
has an [auth] section; roles from the Admin page's mapping), or single-user
mode (no account, HERALD_AUTH not `required`, server.address a loopback
address). `require_page(action)` is the one check each page makes: it
refuses on the server side (shows why and stops the script) whatever the
navigation showed. Permissions themselves live in `core.auth.policy`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import auth
from core.auth import User
from core.services import Services
from pages.common import get_services

__all__ = [
    "SESSION_KEY",
    "page_services",
    "current_user",
    "require_page",
    "page_user",
    "render_identity",
    "oidc_configured",
    "sign_out",
]

SESSION_KEY = "herald_session"
USER_KEY = "herald_user"
NOTICE_KEY = "herald_auth_notice"
SERVICES_KEY = "herald_services"


def page_services() -> Services:
    """The services a page uses (tests may preset `st.session_state["herald_services"]`)."""
    return st.session_state.get(SERVICES_KEY) or get_services()


def oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section for `st.login`."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file: the normal offline case
        return False


def _oidc_user(services: Services) -> User | None:
    if not oidc_configured():
        return None
    try:
        info = st.user
        if not info.get("is_logged_in"):
            return None
        claims: dict[str, Any] = {k: info.get(k) for k in ("email", "sub", "name", "groups")}
    except Exception:
        return None
    user = auth.user_from_claims(services.store, claims)
    if not user.roles:
        st.session_state[NOTICE_KEY] = (
            f"{user.name} signed in, but no role is mapped to this e-mail or its groups: "
            "ask an admin to add one on the Admin page"
        )
        return None
    return user


def current_user(services: Services | None = None) -> User | None:
    """The signed-in user, the single local user, or None (sign-in needed)."""
    services = services or page_services()
    session_id = st.session_state.get(SESSION_KEY)
    if session_id:
        try:
            return auth.session_user(services.store, session_id)
        except auth.SessionExpiredError as exc:
            st.session_state.pop(SESSION_KEY, None)
            st.session_state[NOTICE_KEY] = str(exc)
    user = _oidc_user(services)
    if user is not None:
        return user
    if auth.single_user_mode(services.store, services.settings, st.get_option("server.address")):
        return auth.LOCAL_USER
    return None


def require_page(action: str, services: Services | None = None) -> User:
    """The user when they may open this page; otherwise say why (or ask to sign in) and stop."""
    user = current_user(services)
    if user is None:
        notice = st.session_state.get(NOTICE_KEY) or "This page needs a signed-in user."
        st.warning(f"{notice} Sign in on the Sign in page (reload Herald to see it).")
        st.stop()
    reason = auth.why_not(user, action)
    if reason:
        st.error(f"Not allowed: {reason}")
        st.stop()
    st.session_state[USER_KEY] = user  # for components; never a widget key, so a browser cannot set it
    if user.kind != "single-user":
        st.session_state["user"] = user.name  # the name feedback and restores are stored under
    return user


def page_user() -> User | None:
    """The user `require_page` admitted in this run (None outside a page)."""
    return st.session_state.get(USER_KEY)


def sign_out(services: Services, user: User) -> None:
    """End the Herald session (and the identity provider's, for OIDC users)."""
    session_id = st.session_state.pop(SESSION_KEY, None)
    if session_id:
        auth.end_session(services.store, session_id, user)
    elif user.kind == "oidc":
        with services.store.transaction() as conn:
            auth.record_audit(conn, user, "signout", user.name)
        st.logout()


def render_identity(user: User | None, services: Services) -> None:
    """The sidebar block: who is signed in and their roles, or single-user mode; a sign-out button."""
    with st.sidebar:
        if user is None:
            st.caption("Not signed in.")
            return
        if user.kind == "single-user":
            st.caption(
                "Single-user mode: no accounts yet and the server listens on localhost only, "
                "so you have every role. Add an account (Admin page) to share Herald."
            )
            return
        st.caption(f"Signed in as **{user.name}** · {', '.join(user.roles)}")
        if st.button("Sign out", key="herald_sign_out"):
            sign_out(services, user)
            st.rerun()
