"""Teams: who is acting, what they may do, and the record of what they did.

Public surface (import from `core.auth`):
- `types.py`: `User` (frozen: name, roles, kind), `ROLES`, `LOCAL_USER`
- `policy.py`: `can`, `require`, `why_not`, `ACTIONS`, `PAGE_ACTIONS` (permissions live only there)
- `accounts.py`: accounts (argon2 passwords, lock-out) and hashed API tokens
- `sessions.py`: sessions that expire
- `oidc.py`: e-mail/group -> role mapping for `st.login` users
- `audit.py`: `record_audit` (in the caller's transaction), `list_audit`, `audit_csv`
- `mode.py`: single-user mode and the CLI's acting user
- `sources.py`: which local folders a shared server may read
This package never imports streamlit or FastAPI.
"""

from core.auth.accounts import (
    Account,
    accounts_exist,
    add_user,
    authenticate,
    create_token,
    get_account,
    list_users,
    remove_user,
    revoke_tokens,
    set_password,
    set_roles,
    user_for_token,
)
from core.auth.audit import AuditEntry, audit_csv, audit_hook, list_audit, record_audit
from core.auth.errors import (
    AccountLockedError,
    AuthError,
    PermissionDeniedError,
    SessionExpiredError,
    SignInFailedError,
)
from core.auth.mode import cli_user, is_local_host, single_user_mode
from core.auth.oidc import RoleMapping, add_mapping, list_mappings, remove_mapping, user_from_claims
from core.auth.policy import ACTIONS, PAGE_ACTIONS, can, require, why_not
from core.auth.sessions import end_session, session_user, start_session
from core.auth.sources import check_local_source
from core.auth.types import LOCAL_USER, ROLES, User, acting, signed_in_name

__all__ = [
    "User",
    "ROLES",
    "LOCAL_USER",
    "acting",
    "signed_in_name",
    "ACTIONS",
    "PAGE_ACTIONS",
    "can",
    "require",
    "why_not",
    "Account",
    "accounts_exist",
    "add_user",
    "authenticate",
    "create_token",
    "get_account",
    "list_users",
    "remove_user",
    "revoke_tokens",
    "set_password",
    "set_roles",
    "user_for_token",
    "AuditEntry",
    "audit_csv",
    "audit_hook",
    "list_audit",
    "record_audit",
    "AuthError",
    "AccountLockedError",
    "PermissionDeniedError",
    "SessionExpiredError",
    "SignInFailedError",
    "cli_user",
    "is_local_host",
    "single_user_mode",
    "RoleMapping",
    "add_mapping",
    "list_mappings",
    "remove_mapping",
    "user_from_claims",
    "start_session",
    "session_user",
    "end_session",
    "check_local_source",
]
