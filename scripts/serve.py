"""Start the Streamlit server for app.py with `st.navigation` in charge from the first request.

Streamlit 1.67 treats an app with a `pages/` folder as a v1 multipage app
until `st.navigation` runs once, so the very first request for, say,
`/dashboard` would run `pages/dashboard.py` alone, with file names in the
sidebar and without app.py's layout. Herald keeps `pages/` (the layout the
product documents), so this launcher switches that detection off before the
server starts. Usage: `python scripts/serve.py [streamlit run options]`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> None:
    """Run `streamlit run app.py` in this process with the pages-folder detection off."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    _preload_local_writer()
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv]
    cli.main()


def _preload_local_writer() -> None:
    """Load the local writer and evaluate its post prompt while the server starts (a background
    thread), so the first post waits only for its own prompt (`HERALD_LOCAL_PRELOAD=0`: on first use)."""
    sys.path.insert(0, str(ROOT))
    from chains.local_provider import preload
    from utils.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError:
        return  # the app shows the configuration error on its first page
    if settings.local_preload:
        preload(settings)


if __name__ == "__main__":
    main(sys.argv[1:])
