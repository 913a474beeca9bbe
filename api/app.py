"""The FastAPI application: `create_app(services, settings)` returns it, ready for uvicorn.

Authentication is a bearer token (`Authorization: Bearer TOKEN`) on every route
but /health; it resolves to a `User` (kind "token") whose roles go through
`core.auth.require`, the same policy the pages and the CLI use. Requests pass a
size cap (413) and a per-token rate limit (429) first; errors are JSON naming
the fix (`errors.py`). Routes live in `routes.py`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import install_error_handlers
from api.limits import BodyLimit, RateLimit, TokenBuckets
from core.auth import SignInFailedError, User, user_for_token
from core.services import Services, build_services
from utils.settings import Settings, load_settings

__all__ = ["create_app", "current_user", "services_of"]

NO_TOKEN = (
    "Send 'Authorization: Bearer TOKEN' (create a token with `python -m core users token NAME` "
    "or on the Admin page)"
)
_bearer = HTTPBearer(
    auto_error=False, description="A personal API token from `python -m core users token NAME`"
)


def services_of(request: Request) -> Services:
    """The services the app was built with."""
    return request.app.state.services


def current_user(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> User:
    """The token's user; 401 naming the fix when the header is missing or the token is not valid."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise SignInFailedError(NO_TOKEN)
    return user_for_token(services_of(request).store, credentials.credentials.strip())


def create_app(
    services: Services | None = None,
    *,
    settings: Settings | None = None,
    host: str = "127.0.0.1",
    clock: Any = None,
) -> FastAPI:
    """The API app over `services` (built from settings when not given)."""
    from api.routes import router

    settings = settings or (services.settings if services else load_settings())
    services = services or build_services(settings)
    app = FastAPI(
        title="Herald API",
        version="1",
        description="Posts, items, review, videos and metrics over HTTP. "
        "Every route but /health needs `Authorization: Bearer TOKEN`.",
    )
    app.state.services = services
    app.state.host = host
    install_error_handlers(app)
    app.include_router(router)
    buckets = TokenBuckets(settings.api_rate_per_min, **({"clock": clock} if clock else {}))
    app.state.buckets = buckets
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(RateLimit, buckets=buckets)  # outermost: a flood is refused before anything else
    return app
