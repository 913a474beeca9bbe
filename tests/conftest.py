"""Shared fixtures: every test gets its own data and log folders under tmp_path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from utils.settings import Settings, load_settings  # noqa: E402

SAMPLE_PROJECT = ROOT / "tests" / "sample_project"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """Point Herald's data and log folders at tmp_path and drop any real keys.

    With HERALD_TEST_BACKEND=postgresql every test gets its own fresh PostgreSQL database instead.
    """
    monkeypatch.setenv("HERALD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HERALD_LOG_DIR", str(tmp_path / "logs"))
    for key in ("GROQ_API_KEY", "HERALD_OPENAI_BASE_URL", "HERALD_OPENAI_API_KEY", "GITHUB_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("HERALD_DATABASE_URL", raising=False)
    if os.environ.get("HERALD_TEST_BACKEND") == "postgresql":
        monkeypatch.setenv("HERALD_DATABASE_URL", request.getfixturevalue("pg_url"))
    return tmp_path


@pytest.fixture
def settings(isolated_dirs: Path) -> Settings:
    """Settings read from the isolated environment."""
    return load_settings()


@pytest.fixture
def sample_project() -> Path:
    """The small sample project kept under tests/."""
    return SAMPLE_PROJECT


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory):
    """One real Streamlit server for the browser tests, with its own data folder."""
    from tests.browser import start_app, stop_app

    base = tmp_path_factory.mktemp("app")
    (base / "data").mkdir()
    (base / "logs").mkdir()
    app = start_app(base / "data", base / "logs")
    yield app
    stop_app(app)


@pytest.fixture
def page(running_app):
    """A fresh Chromium page (Debian's chromium, driven by Playwright) per test."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        yield pg
        context.close()
        browser.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    """A real redis-server on a free localhost port for the whole session (tests marked `service`)."""
    from tests.services import RedisServer, redis_missing_reason

    reason = redis_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server (Debian's package) for the session, stopped afterwards."""
    from tests.pg import find_pg_bin, start_postgres, stop_postgres

    if find_pg_bin() is None:
        pytest.fail("PostgreSQL is not installed: run `make system-deps` (or apt-get install postgresql)")
    server = start_postgres()
    yield server
    stop_postgres(server)


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server."""
    from tests.pg import create_database

    return create_database(postgres_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.service)])
def db_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once on SQLite and once on a fresh PostgreSQL database (through HERALD_DATABASE_URL)."""
    if request.param == "postgresql":
        monkeypatch.setenv("HERALD_DATABASE_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("HERALD_DATABASE_URL", raising=False)
    return request.param
