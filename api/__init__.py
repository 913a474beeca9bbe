"""Herald's REST API (FastAPI): the same core functions the pages and the CLI call, over HTTP.

`create_app(services)` builds the app (`app.py`); `routes.py` holds the
endpoints, `jobs.py` the background post jobs, `limits.py` the size cap and the
per-token rate limit, `errors.py` the JSON errors, `views.py` the JSON shapes.
Serve it with `python -m core api` (uvicorn). Never imported by core or pages.
"""

from api.app import create_app

__all__ = ["create_app"]
