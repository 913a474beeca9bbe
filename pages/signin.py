"""Sign in: a local account (name and password) or the team's identity provider (OIDC via `st.login`).

Thin: `core.auth.authenticate` checks the password (argon2, lock-out, one
message whatever was wrong) and `start_session` returns the id this browser
session keeps. The identity-provider button appears only when
`.streamlit/secrets.toml` has an [auth] section.
"""

from __future__ import annotations

import streamlit as st

from core import auth
from core.errors import HeraldError
from pages.components.signin import NOTICE_KEY, SESSION_KEY, current_user, oidc_configured, page_services

services = page_services()
st.title("Sign in")
if notice := st.session_state.pop(NOTICE_KEY, None):
    st.info(notice)

user = current_user(services)
if user is not None and user.kind != "single-user":
    st.success(f"Signed in as {user.name} ({', '.join(user.roles)}).")
    st.stop()
if user is not None:
    st.info("Single-user mode: Herald runs for you alone on this machine; no sign-in needed.")

with st.form("signin"):
    name = st.text_input("User name", key="signin_name", max_chars=64)
    password = st.text_input("Password", type="password", key="signin_password", max_chars=1024)
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted:
    try:
        signed_in = auth.authenticate(services.store, services.settings, name, password)
        st.session_state[SESSION_KEY] = auth.start_session(services.store, services.settings, signed_in)
    except HeraldError as exc:
        st.error(str(exc))
    else:
        st.session_state.pop("signin_password", None)
        st.rerun()

if oidc_configured():
    st.divider()
    st.caption(
        "Or sign in with your team's identity provider; your roles come from the Admin page's mapping."
    )
    section = st.secrets["auth"]
    providers = [name for name, value in section.items() if hasattr(value, "keys")]  # [auth.NAME] sections
    for provider in providers or [None]:
        label = f"Sign in with {provider}" if provider else "Sign in with your identity provider"
        if st.button(label, key=f"signin_oidc_{provider or 'default'}"):
            st.login(provider) if provider else st.login()
