"""UI-side helpers shared by pages: the cached services and small render helpers.

The only place that holds `st.cache_resource` wrappers. Keys come from the
environment or `.streamlit/secrets.toml` (which wins) and are never displayed.
"""

from __future__ import annotations

import os

import streamlit as st

from core.services import Services, build_services
from utils.settings import ENV_VARS, Settings, load_settings

__all__ = ["get_services", "get_settings", "secrets_environ"]


def secrets_environ() -> dict[str, str]:
    """The process environment, with known settings from `st.secrets` taking precedence."""
    env = dict(os.environ)
    try:
        secrets = dict(st.secrets)
    except Exception:  # no secrets.toml is the normal offline case
        secrets = {}
    for name in ENV_VARS:
        if name in secrets and str(secrets[name]).strip():
            env[name] = str(secrets[name])
    return env


@st.cache_resource(show_spinner=False)
def _services_for(key: tuple[str, str]) -> Services:
    return build_services(load_settings(secrets_environ()))


def get_services() -> Services:
    """One `Services` per data folder, shared by every session of this server."""
    env = secrets_environ()
    key = (env.get("HERALD_DATA_DIR", ""), env.get("HERALD_LOG_DIR", ""))
    return _services_for(key)


def get_settings() -> Settings:
    """The settings the cached services were built with."""
    return get_services().settings
