"""Cost comes from the providers' own token counts on a real pipeline run, not from invented events."""

from __future__ import annotations

from chains.providers import FallbackChain
from chains.types import Brief
from core.dashboard import build_dashboard
from core.posts.pipeline import DEMO_SOURCES, generate_post
from core.services import build_services
from tests.fakes import FakeEmbedder, FakeProvider

POST = (
    "Lumen is a static-site generator for documentation and small blogs, written in Rust.\n\n"
    "Try it with cargo install lumen-ssg. What would you publish with it?"
)


def test_generate_records_tokens_and_the_cost_chart_fills(settings):
    provider = FakeProvider(name="groq", model="llama-3.3-70b-versatile", default=POST)  # reports usage
    services = build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([provider]))
    result = generate_post(DEMO_SOURCES["lumen"].path, Brief(), services)
    attempt = result.draft.attempts[-1]
    assert attempt.tokens_in > 0 and attempt.tokens_out > 0
    cost = build_dashboard(services).cost
    row = cost[cost["provider"] == "groq"].iloc[0]
    assert row["tokens_in"] >= attempt.tokens_in and row["tokens_out"] >= attempt.tokens_out
    price_in, price_out = settings.token_prices["groq"]
    assert row["cost"] >= (attempt.tokens_in * price_in + attempt.tokens_out * price_out) / 1000 > 0
