"""Request limits as plain ASGI middleware: a size cap (413) and a token bucket per API token (429).

`BodyLimit` answers 413 as soon as the declared Content-Length, or the bytes
received so far, pass the cap: it never reads the rest of a huge body.
`RateLimit` keeps one bucket per bearer token (keyed by its digest, never the
token): `per_minute` requests of burst, refilled continuously; an empty
bucket answers 429 with Retry-After. One token's flood never drains another's.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["BodyLimit", "RateLimit", "TokenBuckets", "json_error"]

EXEMPT = ("/health", "/docs", "/openapi.json", "/redoc")
_TITLES = {413: "RequestTooLarge", 429: "RateLimited"}


async def json_error(
    send: Callable, status: int, message: str, headers: dict[str, str] | None = None
) -> None:
    """Send a complete JSON error response through raw ASGI."""
    body = json.dumps({"error": _TITLES.get(status, "BadRequest"), "message": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, reading at most `max_bytes` of them."""

    def __init__(self, app: Any, max_bytes: int):
        self.app, self.max_bytes = app, int(max_bytes)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = (
            f"The request body is over {self.max_bytes:,} bytes: send less "
            "(upload big projects as a repository URL, or raise HERALD_API_MAX_BODY_BYTES)"
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > self.max_bytes:
                    await json_error(send, 413, too_big, {"connection": "close"})
                    return
            except ValueError:
                await json_error(send, 400, "Content-Length is not a number: send a valid request")
                return
        chunks, total, more = [], 0, True
        while more:  # buffer up to the cap, then replay: a chunked body cannot sneak past it
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                await json_error(send, 413, too_big, {"connection": "close"})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, sent = b"".join(chunks), False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class TokenBuckets:
    """Token buckets keyed by a string: `take(key)` returns 0 when allowed, else seconds to wait."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = max(1, int(per_minute))
        self.rate = self.capacity / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one request for `key`; 0.0 when allowed, else the wait in seconds."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 100_000:  # forget idle keys rather than grow without bound
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
            return (1.0 - tokens) / self.rate


class RateLimit:
    """429 with Retry-After once a bearer token has spent its bucket; /health and docs are exempt."""

    def __init__(self, app: Any, buckets: TokenBuckets):
        self.app, self.buckets = app, buckets

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope.get("path", "") in EXEMPT:
            await self.app(scope, receive, send)
            return
        auth = dict(scope.get("headers") or []).get(b"authorization", b"")
        if auth:
            key = hashlib.sha256(auth).hexdigest()
        else:
            key = "anonymous:" + str((scope.get("client") or ("?",))[0])
        wait = self.buckets.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            await json_error(
                send,
                429,
                f"Too many requests for this token: wait {seconds} s (the limit is "
                f"{self.buckets.capacity} a minute; ask an admin to raise HERALD_API_RATE_PER_MIN)",
                {"retry-after": str(seconds)},
            )
            return
        await self.app(scope, receive, send)
