"""AppTests: the Sign-in page, a refused page, the Admin and Audit pages, and app.py's navigation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import auth
from core.services import build_services

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


@pytest.fixture
def services(settings):
    return build_services(settings)


def _page(name: str, services, session: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state["herald_services"] = services
    if session:
        at.session_state["herald_session"] = session
    return at.run()


def _session(services, name: str) -> str:
    user = auth.get_account(services.store, name).user
    return auth.start_session(services.store, services.settings, user)


def test_sign_in_wrong_password_then_right_one(services) -> None:
    auth.add_user(services.store, "ada", ["reviewer"], PASSWORD)
    at = _page("signin", services)
    assert not at.exception
    at.text_input(key="signin_name").input("ada")
    at.text_input(key="signin_password").input("wrong password!")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password; check both and try again"]
    assert "herald_session" not in at.session_state
    at.text_input(key="signin_name").input("ada")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert auth.session_user(services.store, at.session_state["herald_session"]).name == "ada"
    assert any("Signed in as ada (reviewer)" in s.value for s in at.success)


def test_a_locked_account_says_so(services) -> None:
    auth.add_user(services.store, "ada", ["reviewer"], PASSWORD)
    for _ in range(services.settings.lockout_failures):
        with pytest.raises(auth.SignInFailedError):
            auth.authenticate(services.store, services.settings, "ada", "nope nope nope")
    at = _page("signin", services)
    at.text_input(key="signin_name").input("ada")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert "locked" in at.error[0].value and "herald_session" not in at.session_state


def test_a_refused_page_says_which_role_is_needed(services) -> None:
    auth.add_user(services.store, "cat", ["creator"])
    at = _page("review", services, _session(services, "cat"))
    assert not at.exception
    assert "review.view needs the reviewer or admin role" in at.error[0].value
    assert not at.button  # nothing of the page ran


def test_signed_out_visitor_is_asked_to_sign_in_once_accounts_exist(services) -> None:
    auth.add_user(services.store, "root", ["admin"])
    at = _page("dashboard", services)
    assert not at.exception and "Sign in" in at.warning[0].value


def test_an_expired_session_asks_to_sign_in_again(services) -> None:
    auth.add_user(services.store, "ana", ["analyst"])
    user = auth.get_account(services.store, "ana").user
    old = datetime.now(UTC) - timedelta(minutes=services.settings.session_ttl_min + 5)
    sid = auth.start_session(services.store, services.settings, user, now=old)
    at = _page("dashboard", services, sid)
    assert not at.exception and "expired" in at.warning[0].value
    assert "herald_session" not in at.session_state


def test_admin_page_adds_a_user_and_creates_a_token_shown_once(services) -> None:
    auth.add_user(services.store, "root", ["admin"])
    at = _page("admin", services, _session(services, "root"))
    assert not at.exception
    at.text_input(key="admin_new_name").input("<b>eve</b>")
    at.multiselect(key="admin_new_roles").select("creator")
    at.button[0].click().run()  # the form's submit button
    assert "letters, digits" in at.error[0].value
    at.text_input(key="admin_new_name").input("eve")
    at.multiselect(key="admin_new_roles").select("creator")
    at.button[0].click().run()
    assert not at.exception and [a.name for a in auth.list_users(services.store)] == ["eve", "root"]
    at.selectbox(key="admin_who").select("eve").run()
    at.button(key="admin_token").click().run()
    token = at.code[0].value
    assert auth.user_for_token(services.store, token).name == "eve"
    at.run()
    assert not at.code  # shown once
    entries = auth.list_audit(services.store, user="root")
    assert {"user.add", "token.create"} <= {e.action for e in entries}
    assert all(token not in str(e) for e in entries)


def test_admin_page_is_refused_to_an_analyst(services) -> None:
    auth.add_user(services.store, "ana", ["analyst"])
    at = _page("admin", services, _session(services, "ana"))
    assert not at.exception and "users.manage needs the admin role" in at.error[0].value


def test_audit_page_filters_and_offers_csv(services) -> None:
    auth.add_user(services.store, "root", ["admin"], PASSWORD)
    with pytest.raises(auth.SignInFailedError):
        auth.authenticate(services.store, services.settings, "root", "not it at all")
    at = _page("audit", services, _session(services, "root"))
    assert not at.exception
    at.text_input(key="audit_action").input("signin").run()
    frame = at.dataframe[0].value
    assert list(frame["outcome"]) == ["failed"] and PASSWORD not in frame.to_csv()


def test_single_user_mode_opens_every_page_and_says_so(services) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["herald_services"] = services
    at.run(timeout=120)
    assert not at.exception
    assert any("Single-user mode" in c.value for c in at.sidebar.caption)


def test_app_shows_only_sign_in_until_signed_in(services) -> None:
    auth.add_user(services.store, "root", ["admin"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["herald_services"] = services
    at.run(timeout=120)
    assert not at.exception and at.title[0].value == "Sign in"


def test_identity_provider_button_only_when_secrets_configure_it(services) -> None:
    auth.add_user(services.store, "root", ["admin"])
    at = _page("signin", services)
    assert [b.label for b in at.button] == ["Sign in"]
    at = AppTest.from_file(str(ROOT / "pages" / "signin.py"), default_timeout=60)
    at.session_state["herald_services"] = services
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.run()
    assert not at.exception
    assert "Sign in with your identity provider" in [b.label for b in at.button]
