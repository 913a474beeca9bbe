"""`python -m core api [--host H] [--port P]`: serve the REST API (api/) with uvicorn.

The port defaults to HERALD_API_PORT. Every request but /health needs
`Authorization: Bearer TOKEN`; OpenAPI docs are at /docs.
"""

from __future__ import annotations

import argparse
from typing import Any

from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `api` sub-command."""
    p = subparsers.add_parser("api", help="serve the REST API (FastAPI + uvicorn)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default HERALD_API_PORT, 8600)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; returns 0."""
    import uvicorn

    from api import create_app

    settings = load_settings()
    app = create_app(settings=settings, host=args.host)
    uvicorn.run(
        app, host=args.host, port=args.port or settings.api_port, log_level="warning", access_log=False
    )
    return 0
