"""Benchmark: the REST API's own overhead, through a real uvicorn, next to the same core call in process.

1. GET /items (100 newest items) over one keep-alive HTTP connection, vs
   `store.list_items(limit=100)` in process.
2. A cached POST /posts (the demo project, index already cached, the template
   writer, guard and moderation as configured): submit, then poll
   GET /jobs/{id} every 5 ms until done, vs `generate_post` in process.
Prints requests/s and p50/p95 for each, and the ratio API / in process.

Everything runs in a temporary data folder with HERALD_PROVIDERS=template; the
server is `python -m core api` on a free localhost port; nothing touches data/.
Run: .venv/bin/python bench/api.py [--gets 300] [--posts 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _line(label: str, ms: list[float], wall_s: float) -> tuple[float, float, float]:
    rps = len(ms) / wall_s if wall_s else float("nan")
    p50, p95 = _pct(ms, 0.5), _pct(ms, 0.95)
    print(f"  {label:<34} {rps:9.1f} req/s   p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   (n={len(ms)})")
    return rps, p50, p95


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--gets", type=int, default=300)
    parser.add_argument("--posts", type=int, default=8)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="herald-bench-api-"))
    os.environ.update(
        HERALD_DATA_DIR=str(tmp / "data"),
        HERALD_LOG_DIR=str(tmp / "logs"),
        HERALD_PROVIDERS="template",
        HERALD_API_RATE_PER_MIN="1000000",
    )
    from chains.types import Brief
    from core import auth
    from core.posts.pipeline import SourceInput, generate_post
    from core.services import build_services
    from utils.settings import load_settings

    services = build_services(load_settings())
    auth.add_user(services.store, "bench", ["admin"])
    token = auth.create_token(services.store, "bench")
    demo = SourceInput("demo", "lumen")

    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    print("in process (the same core calls):")
    generate_post(demo, Brief(), services)  # warm: model load, index cache
    post_ms = []
    start = time.perf_counter()
    for _ in range(args.posts):
        t0 = time.perf_counter()
        generate_post(demo, Brief(), services, created_by="bench")
        post_ms.append((time.perf_counter() - t0) * 1000)
    local_post = _line("generate_post (cached index)", post_ms, time.perf_counter() - start)
    get_ms = []
    start = time.perf_counter()
    for _ in range(args.gets):
        t0 = time.perf_counter()
        services.store.list_items(limit=100)
        get_ms.append((time.perf_counter() - t0) * 1000)
    local_get = _line("store.list_items(limit=100)", get_ms, time.perf_counter() - start)

    port = _free_port()
    log = open(tmp / "api.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", "api", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, path: str, body: dict | None = None) -> dict:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        resp = conn.getresponse()
        data = json.loads(resp.read())
        if resp.status >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status} {data}")
        return data

    def post_and_wait() -> None:
        job = call("POST", "/posts", {"source": {"kind": "demo", "value": "lumen"}})["job_id"]
        while True:
            state = call("GET", f"/jobs/{job}")["state"]
            if state == "done":
                return
            if state in ("failed", "cancelled"):
                raise RuntimeError(f"job {job} {state}")
            time.sleep(0.005)

    try:
        for _ in range(600):
            try:
                conn.request("GET", "/health")
                conn.getresponse().read()
                break
            except OSError:
                conn.close()
                time.sleep(0.1)
        print("through uvicorn (python -m core api, one keep-alive connection):")
        post_and_wait()  # warm the server's models and cache
        api_post_ms = []
        start = time.perf_counter()
        for _ in range(args.posts):
            t0 = time.perf_counter()
            post_and_wait()
            api_post_ms.append((time.perf_counter() - t0) * 1000)
        api_post = _line("POST /posts + poll /jobs (cached)", api_post_ms, time.perf_counter() - start)
        api_get_ms = []
        start = time.perf_counter()
        for _ in range(args.gets):
            t0 = time.perf_counter()
            call("GET", "/items?limit=100")
            api_get_ms.append((time.perf_counter() - t0) * 1000)
        api_get = _line("GET /items?limit=100", api_get_ms, time.perf_counter() - start)
    finally:
        conn.close()
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    print("API / in process (p50 latency ratio; >1 means the API adds time):")
    print(
        f"  GET /items      {api_get[1] / local_get[1]:8.1f}x   (+{api_get[1] - local_get[1]:.2f} ms per request)"
    )
    print(
        f"  POST /posts     {api_post[1] / local_post[1]:8.2f}x   (+{api_post[1] - local_post[1]:.1f} ms per post)"
    )
    print(f"items in the database: {len(services.store.list_items(limit=10_000))}")


if __name__ == "__main__":
    main()
