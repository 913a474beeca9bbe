"""The REST API through FastAPI's TestClient: tokens, roles, posts, review, exports, limits, errors."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.limits import BodyLimit
from chains.providers import FallbackChain
from core import auth
from core.moderation import Moderation, Reason
from core.services import build_services
from tests.fakes import FakeEmbedder, FakeProvider
from tests.seed import seed_moderation
from utils.settings import load_settings


def _env(extra: dict[str, str]) -> dict[str, str]:
    """The (isolated) process environment plus `extra`."""
    import os

    return {**os.environ, **extra}


GOOD_POST = (
    "Lumen 2.0 builds a 1,000-page site in 40 ms with incremental builds.\n\n"
    "Themes are plain Tera templates with one theme.toml, and every build checks internal links.\n\n"
    "Try it with cargo install lumen-ssg and lumen new my-site. What would you publish with it?"
)


class Clock:
    """A clock the test moves by hand (for the token buckets)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def env(isolated_dirs):
    settings = load_settings(_env({"HERALD_API_RATE_PER_MIN": "60", "HERALD_API_MAX_BODY_BYTES": "100000"}))
    services = build_services(
        settings, embedder=FakeEmbedder(), chain=FallbackChain([FakeProvider(default=GOOD_POST)])
    )
    tokens = {}
    for name, roles in [
        ("cat", ["creator"]),
        ("kit", ["creator"]),
        ("rex", ["reviewer"]),
        ("ana", ["analyst"]),
        ("root", ["admin"]),
    ]:
        auth.add_user(services.store, name, roles)
        tokens[name] = auth.create_token(services.store, name)
    clock = Clock()
    client = TestClient(create_app(services, clock=clock))
    yield client, services, tokens, clock
    client.close()
    jobs = services.extras.get("jobs")
    if jobs is not None:
        jobs.shutdown(wait=True)


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client, services, token: str) -> dict:
    """Create a post through POST /posts and wait for its job."""
    r = client.post("/posts", json={"source": {"kind": "demo", "value": "lumen"}}, headers=_h(token))
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    from api.jobs import queue_for

    status = queue_for(services).wait(job_id, timeout=120)
    assert status.state == "done", status.error
    r = client.get(f"/jobs/{job_id}", headers=_h(token))
    assert r.status_code == 200 and r.json()["state"] == "done"
    return r.json()["result"]


def _hold(services, item_id: int) -> None:
    mod = Moderation(
        level="flagged",
        scores={"insult": 0.8},
        reasons=(Reason("insult", "clown", 0.8, "profanity", "flagged"),),
        backends_ran=("rules",),
    )
    seed_moderation(services, item_id, mod, version_id=services.store.latest_version(item_id).id)


def test_health_needs_no_token_everything_else_does(env) -> None:
    client, *_ = env
    assert client.get("/health").json() == {"status": "ok"}
    r = client.get("/items")
    assert r.status_code == 401 and "Authorization: Bearer" in r.json()["message"]
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.get("/items", headers=_h("hrd_not-a-real-token"))
    assert r.status_code == 401 and r.json()["error"] == "SignInFailedError"
    assert client.get("/docs").status_code == 200
    assert "/posts" in client.get("/openapi.json").json()["paths"]


def test_post_job_returns_item_version_guard_moderation_status(env) -> None:
    client, services, tokens, _ = env
    result = _post(client, services, tokens["cat"])
    assert set(result) == {"item", "version", "guard_confidence", "moderation_level", "status"}
    assert result["item"]["created_by"] == "cat"
    assert result["version"]["text"] and result["moderation_level"] in (
        "approved",
        "flagged",
        "review_required",
        "rejected",
    )
    item_id = result["item"]["id"]
    listed = client.get("/items", headers=_h(tokens["ana"])).json()["items"]
    assert [i["id"] for i in listed] == [item_id]
    detail = client.get(f"/items/{item_id}", headers=_h(tokens["rex"])).json()
    assert (
        detail["versions"]
        and "claims" in detail
        and detail["moderation"]["level"] == result["moderation_level"]
    )
    entries = auth.list_audit(services.store, user="cat", action="post.create")
    assert entries and entries[0].target == f"item {item_id}"


def test_refine_rate_export_are_the_creators_own(env) -> None:
    client, services, tokens, _ = env
    item_id = _post(client, services, tokens["cat"])["item"]["id"]
    r = client.post(f"/items/{item_id}/refine", json={"instruction": "shorter"}, headers=_h(tokens["kit"]))
    assert r.status_code == 403 and "admin" in r.json()["message"]
    r = client.post(f"/items/{item_id}/refine", json={"instruction": "shorter"}, headers=_h(tokens["cat"]))
    assert r.status_code == 200, r.text
    r = client.post(f"/items/{item_id}/ratings", json={"stars": 4}, headers=_h(tokens["cat"]))
    assert r.status_code == 201 and r.json()["rating"]["user"] == "cat"
    r = client.post(f"/items/{item_id}/ratings", json={"stars": 9}, headers=_h(tokens["cat"]))
    assert r.status_code == 422 and "stars" in r.json()["message"]
    r = client.get(f"/items/{item_id}/export?format=markdown", headers=_h(tokens["ana"]))
    assert r.status_code == 403
    r = client.get(f"/items/{item_id}/export?format=nope", headers=_h(tokens["cat"]))
    assert r.status_code in (409, 422) and r.json()["message"]


def test_creator_calling_a_reviewer_endpoint_is_403(env) -> None:
    client, services, tokens, _ = env
    item_id = _post(client, services, tokens["cat"])["item"]["id"]
    _hold(services, item_id)
    r = client.get("/review", headers=_h(tokens["cat"]))
    assert r.status_code == 403 and "reviewer or admin" in r.json()["message"]
    r = client.post(f"/review/{item_id}/approve", json={}, headers=_h(tokens["kit"]))
    assert r.status_code == 403 and services.store.get_item(item_id).status == "flagged"


def test_reviewer_approves_anothers_item_but_never_their_own(env) -> None:
    client, services, tokens, _ = env
    item_id = _post(client, services, tokens["cat"])["item"]["id"]
    _hold(services, item_id)
    assert [q["item_id"] for q in client.get("/review", headers=_h(tokens["rex"])).json()["items"]] == [
        item_id
    ]
    r = client.post(f"/review/{item_id}/approve", json={"note": "fine"}, headers=_h(tokens["rex"]))
    assert r.status_code == 200 and r.json()["item"]["status"] == "approved"
    assert r.json()["action"]["reviewer"] == "rex"
    # an admin who is also a creator: their own post is reviewed by someone else
    auth.set_roles(services.store, "rex", ["reviewer", "creator"])
    own = _post(client, services, tokens["rex"])["item"]["id"]
    _hold(services, own)
    r = client.post(f"/review/{own}/approve", json={}, headers=_h(tokens["rex"]))
    assert r.status_code == 403 and "another reviewer" in r.json()["message"]
    assert services.store.get_item(own).status == "flagged"
    r = client.post(f"/review/{own}/reject", json={}, headers=_h(tokens["root"]))
    assert r.status_code == 422 and "note" in r.json()["message"].lower()
    assert [e.action for e in auth.list_audit(services.store, user="rex", action="review.")] == [
        "review.approve"
    ]


def test_a_deleted_users_token_stops_working(env) -> None:
    client, services, tokens, _ = env
    assert client.get("/items", headers=_h(tokens["ana"])).status_code == 200
    auth.remove_user(services.store, "ana")
    r = client.get("/items", headers=_h(tokens["ana"]))
    assert r.status_code == 401 and "not valid" in r.json()["message"]


def test_metrics_for_analysts_only(env) -> None:
    client, _, tokens, _ = env
    assert client.get("/metrics", headers=_h(tokens["cat"])).status_code == 403
    r = client.get("/metrics", headers=_h(tokens["ana"]))
    assert r.status_code == 200 and "summary" in r.json()


def test_unknown_item_and_job_are_404_bad_body_422(env) -> None:
    client, _, tokens, _ = env
    r = client.get("/items/999", headers=_h(tokens["root"]))
    assert r.status_code == 404 and r.json()["error"] == "NotFoundError"
    assert client.get("/jobs/nope", headers=_h(tokens["root"])).status_code == 404


def test_a_post_job_is_readable_by_its_owner_and_admins_only(env) -> None:
    client, services, tokens, _ = env
    r = client.post("/posts", json={"source": {"kind": "demo", "value": "lumen"}}, headers=_h(tokens["cat"]))
    job_id = r.json()["job_id"]
    assert client.get(f"/jobs/{job_id}", headers=_h(tokens["kit"])).status_code == 404
    assert client.get(f"/jobs/{job_id}", headers=_h(tokens["root"])).status_code == 200
    from api.jobs import queue_for

    queue_for(services).wait(job_id, timeout=120)
    r = client.post("/posts", json={"brief": {}}, headers=_h(tokens["cat"]))
    assert r.status_code == 422 and "source" in r.json()["message"] and "/docs" in r.json()["message"]


def test_a_server_folder_is_refused_once_accounts_exist(env) -> None:
    client, services, tokens, _ = env
    r = client.post("/posts", json={"source": {"kind": "path", "value": "/etc"}}, headers=_h(tokens["cat"]))
    from api.jobs import queue_for

    status = queue_for(services).wait(r.json()["job_id"], timeout=60)
    assert status.state == "failed" and "HERALD_SOURCE_ROOTS" in status.error


def test_rate_limit_per_token_with_retry_after_others_unaffected(env) -> None:
    client, _, tokens, clock = env
    codes = [client.get("/items", headers=_h(tokens["ana"])).status_code for _ in range(1000)]
    assert codes[:60] == [200] * 60 and set(codes[60:]) == {429}
    r = client.get("/items", headers=_h(tokens["ana"]))
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "wait" in r.json()["message"]
    assert client.get("/items", headers=_h(tokens["root"])).status_code == 200  # another token is unaffected
    assert client.get("/health").status_code == 200
    clock.now += 2.0  # two seconds refill two requests at 60 a minute
    assert [client.get("/items", headers=_h(tokens["ana"])).status_code for _ in range(3)] == [200, 200, 429]


def test_a_large_declared_body_is_413(env) -> None:
    client, _, tokens, _ = env
    r = client.post(
        "/posts", content=b"x" * 200_000, headers={**_h(tokens["cat"]), "Content-Type": "application/json"}
    )
    assert r.status_code == 413 and "HERALD_API_MAX_BODY_BYTES" in r.json()["message"]


def test_body_limit_stops_reading_a_100_mb_stream() -> None:
    """A chunked 100 MB body: the middleware answers 413 after reading just past the cap."""
    import asyncio

    reads, sent, reached = [0], [], []
    chunk = b"x" * 1_000_000

    async def receive():
        reads[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": reads[0] < 100}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        reached.append(True)

    limit = BodyLimit(app, max_bytes=10_000_000)
    asyncio.run(limit({"type": "http", "path": "/posts", "headers": []}, receive, send))
    assert sent[0]["status"] == 413 and not reached
    assert reads[0] == 11  # 11 MB read of 100 MB


def test_tokens_never_reach_the_database_logs_events_or_audit(env, isolated_dirs, caplog) -> None:
    caplog.set_level("DEBUG")
    client, services, tokens, _ = env
    item_id = _post(client, services, tokens["cat"])["item"]["id"]
    client.get(f"/items/{item_id}", headers=_h(tokens["cat"]))
    client.get("/review", headers=_h(tokens["cat"]))  # refused
    client.get("/items", headers=_h(tokens["cat"] + "x"))  # a wrong token
    dump = "\n".join(sqlite3.connect(services.store.path).iterdump())
    logs = "".join(p.read_text() for p in isolated_dirs.rglob("*.jsonl"))
    audit = str(auth.list_audit(services.store))
    for token in tokens.values():
        assert token not in dump and token not in logs and token not in audit and token not in caplog.text
