"""Admin: users and their roles, passwords, API tokens, and the identity provider's role mapping.

Thin: every button calls one `core.auth` function with the signed-in admin as
`by` (so it is audited) and shows its `HeraldError` as `st.error`. A new token
is shown once, in this run only.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import auth
from core.errors import HeraldError
from pages.components.signin import oidc_configured, page_services, require_page

FLASH_KEY = "admin_flash"
TOKEN_KEY = "admin_new_token"

services = page_services()
admin = require_page("users.manage", services)
store = services.store


def _do(message: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        result = fn(*args, **kwargs, by=admin)
    except HeraldError as exc:
        st.error(str(exc))
        return None
    st.session_state[FLASH_KEY] = message
    return result


st.title("Admin")
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(flash)
if admin.kind == "single-user":
    st.info("Single-user mode: the first account you add ends it; make it an admin and set its password.")

st.subheader("Users")
accounts = auth.list_users(store)
if accounts:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "name": a.name,
                    "roles": ", ".join(a.roles),
                    "password": "yes" if a.has_password else "no",
                    "tokens": a.tokens,
                    "locked until": a.locked_until or "",
                    "created": a.created_at,
                }
                for a in accounts
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No accounts yet.")

with st.form("admin_add_user"):
    st.markdown("**Add a user**")
    name = st.text_input("Name", key="admin_new_name", max_chars=64)
    roles = st.multiselect("Roles", auth.ROLES, key="admin_new_roles")
    password = st.text_input(
        "Password (optional: token-only users have none)", type="password", key="admin_new_pw"
    )
    if st.form_submit_button("Add user"):
        if _do(f"Added {name}.", auth.add_user, store, name, roles, password or None) is not None:
            st.rerun()

names = [a.name for a in accounts]
if names:
    st.subheader("Change a user")
    who = st.selectbox("User", names, key="admin_who")
    current = next(a for a in accounts if a.name == who)
    new_roles = st.multiselect("Roles", auth.ROLES, default=list(current.roles), key=f"admin_roles_{who}")
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Save roles", key="admin_save_roles") and _do(
        f"Roles of {who} saved.", auth.set_roles, store, who, new_roles
    ):
        st.rerun()
    if c2.button("Create API token", key="admin_token"):
        token = _do(
            f"New token for {who}: copy it now, it is not shown again.",
            auth.create_token,
            store,
            who,
            "admin page",
        )
        if token:
            st.session_state[TOKEN_KEY] = (who, token)
    if (
        c3.button("Revoke tokens", key="admin_revoke")
        and _do(f"Tokens of {who} revoked.", auth.revoke_tokens, store, who) is not None
    ):
        st.rerun()
    if c4.button("Remove user", key="admin_remove"):
        if who == admin.name:
            st.error("You cannot remove yourself: ask another admin")
        elif _do(f"Removed {who}.", auth.remove_user, store, who) is not None:
            st.rerun()
    new_pw = st.text_input("New password", type="password", key="admin_set_pw")
    if (
        st.button("Set password (also unlocks)", key="admin_set_pw_btn")
        and _do(f"Password of {who} set.", auth.set_password, store, who, new_pw) is not None
    ):
        st.rerun()
    if shown := st.session_state.pop(TOKEN_KEY, None):
        st.success(f"Token for {shown[0]} (shown once; send it as 'Authorization: Bearer TOKEN'):")
        st.code(shown[1], language=None)

st.subheader("Identity provider: roles by e-mail or group")
if not oidc_configured():
    st.caption(
        "Sign-in with an identity provider is off: add an [auth] section to .streamlit/secrets.toml (see README, Teams)."
    )
mappings = auth.list_mappings(store)
for m in mappings:
    left, right = st.columns([4, 1])
    left.write(f"{m.kind} **{m.value}** → {m.role}")
    if (
        right.button("Remove", key=f"admin_map_rm_{m.id}")
        and _do("Mapping removed.", auth.remove_mapping, store, m.id) is not None
    ):
        st.rerun()
with st.form("admin_add_mapping", clear_on_submit=True):
    kind = st.selectbox("By", ["email", "group"], key="admin_map_kind")
    value = st.text_input("E-mail address or group name", key="admin_map_value")
    role = st.selectbox("Role", auth.ROLES, key="admin_map_role")
    if (
        st.form_submit_button("Add mapping")
        and _do(f"{kind} {value} → {role}.", auth.add_mapping, store, kind, value, role) is not None
    ):
        st.rerun()
