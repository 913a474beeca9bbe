"""Find and redact secrets (keys, tokens, private keys, passwords) in project text.

Detection is Yelp's `detect-secrets` (its keyword, vendor-token and private-key plugins with
their false-positive filters), run line by line; a cheap pre-filter skips lines that cannot hold a secret, so a 5 MB README
stays fast. `redact_text` replaces each secret value with `[REDACTED <kind>]`, so passages,
evidence and stored notes never carry it and no writer can copy it into a post;
`find_secrets` is what the gate uses to refuse a post that still holds one. A private key
block is removed whole. It does not decide what happens to a post (core.gate does).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["SecretFinding", "find_secrets", "redact_text"]

LOG = logging.getLogger(__name__)

# A cheap pre-filter, not the detector: a line is scanned only when it has a credential word or a
# vendor token prefix that one of detect-secrets' plugins looks for (scanning is ~25 us per character).
_CANDIDATE = re.compile(
    r"passw|pwd|secret|token|api[_-]?key|apikey|auth|credential|private|access[_-]?key|\bkey\s*[=:]"
    r"|-----BEGIN|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|\bsk-|[rs]k_live|sq0|SG\.|npm_|pypi-"
    r"|eyJ|AIza|AccountKey|cloudant|twilio|\bAC[0-9a-f]{32}|://[^/\s:@]+:[^@\s/]+@|\d{8,10}:AA",
    re.IGNORECASE,
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-/+=.~]*")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL)
MAX_LINE = 2000


@dataclass(frozen=True)
class SecretFinding:
    """One secret: its kind (the detect-secrets plugin's name), the line it is on, and its value."""

    kind: str
    line: int
    value: str


# The entropy plugins flag every word in ad-hoc line scans (they report, not judge, there); public IP
# addresses in docs are not secrets. Keyword, vendor-token and private-key plugins do the work.
_LEFT_OUT = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}


def _plugins() -> list[dict[str, str]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    names = sorted(c.__name__ for c in get_mapping_from_secret_type_to_class().values())
    return [{"name": n} for n in names if n not in _LEFT_OUT]


def _scan_lines(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(line number, kind, value) for each secret; lines are read as config lines, so unquoted
    `KEY=value` and `key: value` count, as they do in the shell snippets READMEs are full of."""
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import transient_settings

    clipped = [(n, line[:MAX_LINE]) for n, line in lines]
    with transient_settings({"plugins_used": _plugins()}):
        for found in _process_line_based_plugins(clipped, "project.ini"):
            if found.secret_value:
                yield found.line_number, found.type, found.secret_value


def _whole_token(line: str, value: str) -> str:
    """The value grown to the whole token around it (a plugin may capture only a prefix like `ghp`)."""
    at = line.find(value)
    if at < 0:
        return value
    end = at + len(value)
    grown = _TOKEN_CHARS.match(line, end)
    return line[at : grown.end() if grown else end]


def find_secrets(text: str) -> list[SecretFinding]:
    """Every secret detect-secrets finds in `text` (private key blocks included), in line order."""
    out: list[SecretFinding] = []
    for match in _PEM.finditer(text or ""):
        out.append(SecretFinding("Private Key", text.count("\n", 0, match.start()) + 1, match.group(0)))
    lines = (text or "").splitlines()
    candidates = [(n, ln) for n, ln in enumerate(lines, start=1) if _CANDIDATE.search(ln)]
    if not candidates:
        return out
    try:
        for n, kind, value in _scan_lines(candidates):
            out.append(SecretFinding(kind, n, _whole_token(lines[n - 1], value)))
    except Exception as exc:  # a scanner crash must not stop a project from loading
        LOG.warning("secret scan failed: %s", exc)
    return out


def redact_text(text: str) -> tuple[str, list[SecretFinding]]:
    """`text` with every secret replaced by `[REDACTED kind]`, and what was found."""
    findings = find_secrets(text)
    if not findings:
        return text, []
    redacted = text
    for f in sorted(findings, key=lambda f: -len(f.value)):
        redacted = redacted.replace(f.value, f"[REDACTED {f.kind}]")
    return redacted, findings
