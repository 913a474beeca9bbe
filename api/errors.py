"""Herald's errors as JSON responses: `{"error": TYPE, "message": "... the fix"}` with the right status.

NotFoundError 404, InvalidInputError 422, ExportRefusedError and ConflictError
409, PermissionDeniedError 403, sign-in errors 401 (a locked account 423), a
job not finished yet 409; any other `HeraldError` 400. Unexpected errors are
logged and answered 500 without their details.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core import errors as core_errors
from core.auth.errors import AccountLockedError, AuthError
from core.errors import HeraldError

__all__ = ["install_error_handlers", "status_for"]

LOG = logging.getLogger(__name__)


def status_for(exc: HeraldError) -> int:
    """The HTTP status for a Herald error."""
    from core.jobs import JobNotFinishedError

    table: list[tuple[type | None, int]] = [
        (core_errors.PermissionDeniedError, 403),
        (AccountLockedError, 423),
        (AuthError, 401),
        (core_errors.NotFoundError, 404),
        (core_errors.ExportRefusedError, 409),
        (getattr(core_errors, "ConflictError", None), 409),
        (JobNotFinishedError, 409),
        (core_errors.InvalidInputError, 422),
    ]
    for cls, status in table:
        if cls is not None and isinstance(exc, cls):
            return status
    return 400


def _body(kind: str, message: str) -> dict[str, str]:
    return {"error": kind, "message": message}


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on `app`."""

    @app.exception_handler(HeraldError)
    async def herald_error(request: Request, exc: HeraldError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(_body(type(exc).__name__, str(exc)), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
        message = "Invalid request: " + "; ".join(parts) + " (see /docs for the expected fields)"
        return JSONResponse(_body("InvalidInputError", message), status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        LOG.exception("unexpected API error on %s %s", request.method, request.url.path)
        return JSONResponse(
            _body("InternalError", "Herald hit an unexpected error: see the server log, then retry"),
            status_code=500,
        )
