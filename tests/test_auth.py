"""core.auth: accounts, passwords, tokens, sessions, lock-out, policy, audit, single-user mode, sources."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from core import auth
from core.auth import User
from core.errors import InvalidInputError, PermissionDeniedError
from core.store import Store
from utils.settings import load_settings


def _env(extra: dict[str, str]) -> dict[str, str]:
    """The (isolated) process environment plus `extra`."""
    import os

    return {**os.environ, **extra}


PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.open(tmp_path / "herald.db")


@pytest.fixture
def settings(isolated_dirs):
    return load_settings(_env({"HERALD_LOCKOUT_FAILURES": "3", "HERALD_LOCKOUT_MINUTES": "10"}))


def test_password_is_stored_as_argon2_and_checked(store, settings) -> None:
    auth.add_user(store, "ada", ["creator"], PASSWORD)
    row = store.query("SELECT password_hash FROM users WHERE name = 'ada'")[0]
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    user = auth.authenticate(store, settings, "ada", PASSWORD)
    assert user == User("ada", ("creator",), "local")


def test_wrong_password_and_unknown_name_give_the_same_message(store, settings) -> None:
    auth.add_user(store, "ada", ["creator"], PASSWORD)
    with pytest.raises(auth.SignInFailedError) as wrong_pw:
        auth.authenticate(store, settings, "ada", "not the password")
    with pytest.raises(auth.SignInFailedError) as wrong_name:
        auth.authenticate(store, settings, "bob", PASSWORD)
    assert str(wrong_pw.value) == str(wrong_name.value)
    assert "password" in str(wrong_pw.value) and "name" in str(wrong_pw.value)


def test_lock_out_after_repeated_failures_then_unlock_after_the_wait(store, settings) -> None:
    auth.add_user(store, "ada", ["creator"], PASSWORD)
    now = datetime.now(UTC)
    for _ in range(3):
        with pytest.raises(auth.SignInFailedError):
            auth.authenticate(store, settings, "ada", "wrong wrong wrong", now=now)
    with pytest.raises(auth.AccountLockedError, match="locked"):
        auth.authenticate(store, settings, "ada", PASSWORD, now=now)  # even the right password
    later = now + timedelta(minutes=11)
    assert auth.authenticate(store, settings, "ada", PASSWORD, now=later).name == "ada"
    outcomes = [e.outcome for e in auth.list_audit(store, action="signin")]
    assert outcomes[:2] == ["ok", "locked"] and outcomes.count("failed") == 3


def test_session_expires_and_dies_with_its_user(store, settings) -> None:
    auth.add_user(store, "ada", ["creator", "analyst"], PASSWORD)
    user = auth.authenticate(store, settings, "ada", PASSWORD)
    now = datetime.now(UTC)
    sid = auth.start_session(store, settings, user, now=now)
    assert auth.session_user(store, sid, now=now + timedelta(minutes=5)) == user
    with pytest.raises(auth.SessionExpiredError, match="sign in again"):
        auth.session_user(store, sid, now=now + timedelta(minutes=settings.session_ttl_min + 1))
    sid2 = auth.start_session(store, settings, user)
    auth.remove_user(store, "ada")
    with pytest.raises(auth.SessionExpiredError):
        auth.session_user(store, sid2)
    assert store.query("SELECT COUNT(*) AS n FROM sessions WHERE id_hash = ?", (sid2,))[0]["n"] == 0


def test_signed_out_session_is_gone(store, settings) -> None:
    auth.add_user(store, "ada", ["creator"], PASSWORD)
    user = auth.authenticate(store, settings, "ada", PASSWORD)
    sid = auth.start_session(store, settings, user)
    auth.end_session(store, sid, user)
    with pytest.raises(auth.SessionExpiredError):
        auth.session_user(store, sid)


def test_token_is_shown_once_stored_hashed_and_dies_with_its_user(store) -> None:
    auth.add_user(store, "bot", ["analyst"])
    token = auth.create_token(store, "bot", "ci")
    assert len(token) > 40
    stored = [r["token_hash"] for r in store.query("SELECT token_hash FROM api_tokens")]
    assert token not in stored and len(stored[0]) == 64
    assert auth.user_for_token(store, token) == User("bot", ("analyst",), "token")
    with pytest.raises(auth.SignInFailedError):
        auth.user_for_token(store, token[:-1] + ("A" if token[-1] != "A" else "B"))
    auth.remove_user(store, "bot")
    with pytest.raises(auth.SignInFailedError, match="not valid"):
        auth.user_for_token(store, token)


@pytest.mark.parametrize(
    "name", ["x'; DROP TABLE users; --", "<script>alert(1)</script>", "a b", "", "é" * 3, "a" * 65, "-lead"]
)
def test_sql_or_html_in_a_user_name_is_refused(store, name) -> None:
    with pytest.raises(InvalidInputError, match="letters, digits"):
        auth.add_user(store, name, ["creator"], PASSWORD)
    assert store.query("SELECT COUNT(*) AS n FROM users")[0]["n"] == 0  # the table is still there, empty


def test_sql_in_a_sign_in_name_is_just_a_wrong_name(store, settings) -> None:
    auth.add_user(store, "ada", ["admin"], PASSWORD)
    with pytest.raises(auth.SignInFailedError):
        auth.authenticate(store, settings, "ada' OR '1'='1", PASSWORD)
    assert [a.name for a in auth.list_users(store)] == ["ada"]


def test_unknown_role_and_short_password_are_refused(store) -> None:
    with pytest.raises(InvalidInputError, match="Unknown role"):
        auth.add_user(store, "ada", ["superuser"], PASSWORD)
    with pytest.raises(InvalidInputError, match="at least 10"):
        auth.add_user(store, "ada", ["creator"], "short")


CREATOR, REVIEWER = User("cat", ("creator",)), User("rex", ("reviewer",))
ANALYST, ADMIN = User("ana", ("analyst",)), User("root", ("admin",))


@pytest.mark.parametrize(
    ("user", "action", "owner", "allowed"),
    [
        (CREATOR, "post.create", None, True),
        (CREATOR, "post.refine", "cat", True),
        (CREATOR, "post.refine", "someone", False),
        (CREATOR, "review.act", "someone", False),
        (CREATOR, "dashboard.view", None, False),
        (REVIEWER, "review.act", "cat", True),
        (REVIEWER, "review.act", "rex", False),
        (REVIEWER, "post.create", None, False),
        (ANALYST, "dashboard.view", None, True),
        (ANALYST, "library.view", None, True),
        (ANALYST, "report.export", None, True),
        (ANALYST, "post.export", "ana", False),
        (ADMIN, "users.manage", None, True),
        (ADMIN, "post.refine", "cat", True),
        (ADMIN, "review.act", "root", False),
        (auth.LOCAL_USER, "review.act", "local", True),
        (None, "library.view", None, False),
    ],
)
def test_policy(user, action, owner, allowed) -> None:
    item = None if owner is None else {"created_by": owner}
    assert auth.can(user, action, item) is allowed
    if not allowed:
        with pytest.raises(PermissionDeniedError):
            auth.require(user, action, item)


def test_refusal_names_the_role_needed() -> None:
    with pytest.raises(PermissionDeniedError, match="reviewer or admin"):
        auth.require(CREATOR, "review.act", {"created_by": "x"})
    with pytest.raises(PermissionDeniedError, match="another reviewer"):
        auth.require(REVIEWER, "review.act", {"created_by": "rex"})
    with pytest.raises(InvalidInputError):
        auth.can(ADMIN, "no.such.action")


def test_single_user_mode_needs_no_account_auto_mode_and_localhost(store, isolated_dirs) -> None:
    auto = load_settings()
    assert auth.single_user_mode(store, auto, "localhost")
    assert not auth.single_user_mode(store, auto, "0.0.0.0")
    assert not auth.single_user_mode(store, load_settings(_env({"HERALD_AUTH": "required"})), "127.0.0.1")
    auth.add_user(store, "root", ["admin"], PASSWORD)
    assert not auth.single_user_mode(store, auto, "localhost")


def test_cli_user_is_local_then_needs_a_matching_token(store, settings) -> None:
    assert auth.cli_user(store, settings, None, {}) == auth.LOCAL_USER
    auth.add_user(store, "root", ["admin"])
    auth.add_user(store, "cat", ["creator"])
    with pytest.raises(auth.SignInFailedError, match="--as NAME"):
        auth.cli_user(store, settings, None, {})
    token = auth.create_token(store, "cat")
    assert auth.cli_user(store, settings, "cat", {"HERALD_TOKEN": token}).name == "cat"
    with pytest.raises(auth.SignInFailedError, match="does not belong"):
        auth.cli_user(store, settings, "root", {"HERALD_TOKEN": token})


def test_oidc_roles_come_from_the_mapping(store) -> None:
    auth.add_mapping(store, "email", "Ada@Example.com", "reviewer")
    auth.add_mapping(store, "group", "analysts", "analyst")
    user = auth.user_from_claims(store, {"email": "ada@example.com", "groups": ["Analysts", "x"]})
    assert user == User("ada@example.com", ("reviewer", "analyst"), "oidc")
    assert auth.user_from_claims(store, {"email": "eve@example.com"}).roles == ()


def test_audit_is_in_the_same_transaction_as_the_action(store) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            conn.execute("UPDATE migrations SET applied_at = applied_at")
            auth.record_audit(conn, ADMIN, "settings.change", "x", {"value": 1})
            raise RuntimeError("the action failed")
    assert auth.list_audit(store) == []  # rolled back with the action
    with store.transaction() as conn:
        auth.record_audit(
            conn, ADMIN, "settings.change", "x", {"value": 1, "api_key": "sk-live", "password": "p"}
        )
    (entry,) = auth.list_audit(store)
    assert (entry.user, entry.roles, entry.action, entry.detail) == (
        "root",
        "admin",
        "settings.change",
        {"value": 1},
    )


def test_audit_filters_and_csv_neutralises_formulas(store) -> None:
    with store.transaction() as conn:
        auth.record_audit(conn, ADMIN, "user.add", "=HYPERLINK(1)")
        auth.record_audit(conn, CREATOR, "post.create", "item 1")
    assert [e.action for e in auth.list_audit(store, user="cat")] == ["post.create"]
    assert [e.user for e in auth.list_audit(store, action="user.")] == ["root"]
    assert auth.list_audit(store, action="user%") == []  # LIKE wildcards are literal
    csv_text = auth.audit_csv(auth.list_audit(store))
    assert csv_text.splitlines()[0].startswith('"id","ts","user"')
    assert "'=HYPERLINK(1)" in csv_text


def test_no_secret_in_audit_events_or_logs(store, settings, isolated_dirs, caplog) -> None:
    caplog.set_level("DEBUG")
    auth.add_user(store, "ada", ["admin"], PASSWORD)
    token = auth.create_token(store, "ada")
    auth.authenticate(store, settings, "ada", PASSWORD)
    with pytest.raises(auth.SignInFailedError):
        auth.authenticate(store, settings, "ada", PASSWORD + "x")
    with pytest.raises(auth.SignInFailedError):
        auth.authenticate(store, settings, PASSWORD, PASSWORD)  # a password typed into the name box
    auth.set_password(store, "ada", PASSWORD + "2")
    sid = auth.start_session(store, settings, auth.user_for_token(store, token))
    dump = "\n".join(sqlite3.connect(store.path).iterdump())
    logs = "".join(p.read_text() for p in isolated_dirs.rglob("*.jsonl"))
    for secret in (PASSWORD, token, sid):
        assert secret not in dump and secret not in logs and secret not in caplog.text


def test_local_folders_need_source_roots_once_accounts_exist(store, tmp_path, isolated_dirs) -> None:
    inside = tmp_path / "projects" / "lumen"
    inside.mkdir(parents=True)
    open_settings = load_settings()
    auth.check_local_source("/etc", store, open_settings)  # single-user: the user's own laptop
    auth.add_user(store, "root", ["admin"])
    with pytest.raises(PermissionDeniedError, match="HERALD_SOURCE_ROOTS"):
        auth.check_local_source(str(inside), store, open_settings)
    rooted = load_settings(_env({"HERALD_SOURCE_ROOTS": str(tmp_path / "projects")}))
    auth.check_local_source(str(inside), store, rooted)
    with pytest.raises(PermissionDeniedError):
        auth.check_local_source(str(inside / ".." / ".." / ".." / "etc"), store, rooted)


def test_user_table_rejects_duplicate_names_case_insensitively(store) -> None:
    auth.add_user(store, "Ada", ["creator"])
    with pytest.raises(InvalidInputError, match="exists"):
        auth.add_user(store, "ada", ["admin"])
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO users(name, created_at) VALUES ('ADA', 'now')")


def test_generate_post_refuses_a_server_folder_once_accounts_exist(isolated_dirs, sample_project) -> None:
    from chains.types import Brief
    from core.posts.pipeline import generate_post
    from core.services import build_services

    services = build_services(load_settings())
    auth.add_user(services.store, "root", ["admin"])
    with pytest.raises(PermissionDeniedError, match="HERALD_SOURCE_ROOTS"):
        generate_post(str(sample_project), Brief(), services)
    assert services.store.query("SELECT COUNT(*) AS n FROM sources")[0]["n"] == 0
