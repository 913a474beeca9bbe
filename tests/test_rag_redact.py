"""Secrets in a project never reach a passage, the evidence or a post (issue 12, item 12)."""

from __future__ import annotations

from rag.redact import find_secrets, redact_text
from rag.sources import load_source

README = """# widget

A tiny widget server.

## Setup

export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
export GITHUB_TOKEN=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
DATABASE_URL=postgres://admin:s3cr3tP4ss@db.example.com/app

-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAx1y2z3
-----END RSA PRIVATE KEY-----

Run `widget --kill` to stop the daemon; the token bucket allows 10 requests per second.
"""
SECRETS = (
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAIOSFODNN7EXAMPLE",
    "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",
    "s3cr3tP4ss",
    "MIIEowIBAAKCAQEAx1y2z3",
)


def test_every_kind_of_secret_is_found_and_redacted_whole():
    kinds = {f.kind for f in find_secrets(README)}
    assert {"AWS Access Key", "GitHub Token", "Private Key", "Basic Auth Credentials"} <= kinds
    text, found = redact_text(README)
    for secret in SECRETS:
        assert secret not in text
    assert "[REDACTED" in text and len(found) >= 5
    assert "Run `widget --kill` to stop the daemon; the token bucket allows 10 requests per second." in text


def test_prose_about_tokens_and_keys_is_left_alone():
    prose = "The tokenizer splits text into tokens. Press any key to continue. Auth is optional."
    assert find_secrets(prose) == []
    assert redact_text(prose)[0] == prose


def test_loaded_sources_carry_no_secret_and_say_what_was_redacted(tmp_path, settings):
    (tmp_path / "README.md").write_text(README)
    src = load_source(tmp_path, settings)
    text = "\n".join(d.text for d in src.documents)
    for secret in SECRETS:
        assert secret not in text
    assert any("README.md" in n and "secret(s) redacted" in n for n in src.notes)
    assert not any(secret in n for n in src.notes for secret in SECRETS)
