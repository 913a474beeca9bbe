"""Rule-based moderation scores: threats, personal data, unknown links, shouting.

`score_rules(sentence, project_hosts)` returns a score in [0, 1] for
`threat`, `personal_data` (emails and phone numbers), `link` (URLs to hosts
that are neither code hosts and docs in `KNOWN_DOMAINS` nor the project's own
hosts; shorteners score higher, whoever links them) and `shouting` (mostly
capital letters). Patterns are deliberately conservative: version numbers,
dates, issue and paper ids, code identifiers (`h11.Connection`,
`re.compile`) and links to code hosts score 0. `project_hosts_from` lists the
hosts a project's own files link to. This module does not decide levels.
"""

from __future__ import annotations

import re

__all__ = [
    "score_rules",
    "find_links",
    "strip_known_links",
    "project_hosts_from",
    "host_matches",
    "KNOWN_DOMAINS",
    "SHORTENERS",
]

KNOWN_DOMAINS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "pypi.org",
    "python.org",
    "readthedocs.io",
    "readthedocs.org",
    "github.io",
    "npmjs.com",
    "crates.io",
    "docs.rs",
    "linkedin.com",
    "huggingface.co",
    "arxiv.org",
    "wikipedia.org",
    "stackoverflow.com",
    "streamlit.io",
    "youtube.com",
    "example.com",
    "example.org",
)
SHORTENERS = ("bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly")

_STRONG_THREAT = re.compile(
    r"\b(?:i(?:'?m| am)?\s*(?:going to|gonna|will|'ll|gon)\s+(?:kill|murder|shoot|stab|hurt|beat|bury|destroy|end)\s+(?:you|u|ya|him|her|them|your)"
    r"|i\s*(?:will|'ll)\s+find\s+(?:you|u)"
    r"|(?:you|u)(?:'re| are| r)?\s*(?:going to|gonna|will)\s+(?:die|pay|regret)"
    r"|i know where (?:you|u) live"
    r"|watch your back"
    r"|(?:kill|shoot|stab|hang)\s+(?:yourself|urself)"
    r"|(?:bomb|burn down|shoot up)\s+(?:your|the|their)\s+\w+"
    r"|(?:should|deserve to|ought to)\s+(?:be\s+)?(?:die|killed|shot|hanged|lynched|raped))\b",
    re.I,
)
_WEAK_THREAT = re.compile(
    r"\b(?:kill|murder|shoot|stab|beat up|strangle|choke|hurt)\s+(?:you|u|ya|him|her|them)\b", re.I
)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[a-zA-Z]{2,24}\b")
_PHONE = re.compile(r"(?<![\w.])(?:\+|00)?\d[\d \-().]{7,18}\d(?![\w.])")
# A URL has a host with a letter in it. A bare domain is lower case and ends at a word boundary, so a
# code identifier (`h11.Connection`, `re.compile`, `ssl.SSLError`) is not a link to ".co" or ".com".
_URL = re.compile(
    r"\b(?:(?i:https?://)|(?i:www\.))(?=[^\s/]*[A-Za-z])[^\s<>\"'`)\]]+"
    r"|(?<![\w.@/-])(?:[a-z0-9-]{1,63}\.)*[a-z0-9-]{2,63}\.(?:com|net|org|io|ly|co|biz|info|xyz|top|ru|cn|me|app|dev|ai)"
    r"(?![\w-])(?:/[^\s<>\"'`)\]]*)?"
    r"|(?<![\w.@/-])(?:[A-Z0-9-]{1,63}\.)*[A-Z0-9-]{2,63}\.(?:COM|NET|ORG|IO|LY|CO|BIZ|INFO|XYZ|TOP|RU|CN|ME|APP|DEV|AI)"
    r"(?![\w-])(?:/[^\s<>\"'`)\]]*)?"
)
_PLACEHOLDER_EMAIL = ("@example.", "@users.noreply.github.com")


_NOT_PHONE = re.compile(r"^\d+\.\d+$|^\d+-\d+$")  # 1609.01882 (a paper id), 32768-65535 (a range)


def _phone_score(text: str) -> float:
    text = _URL.sub(" ", text)  # digits inside a link are ids, not phone numbers
    for m in _PHONE.finditer(text):
        candidate = m.group(0)
        digits = sum(c.isdigit() for c in candidate)
        if digits < 9 or digits > 15:
            continue
        if candidate.count(".") >= 2 and "+" not in candidate:  # 1.2.345.678: a version, not a phone
            continue
        if _NOT_PHONE.match(candidate.strip()) or text[max(0, m.start() - 1) : m.start()] in ("#", "-"):
            continue
        return (
            0.9 if (candidate.startswith(("+", "00", "0")) or " " in candidate or "-" in candidate) else 0.6
        )
    return 0.0


def find_links(text: str) -> list[tuple[str, str]]:
    """(url, domain) pairs found in the text."""
    out = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?*_")
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I).split("/")[0].split(":")[0].lower()
        out.append((url, host))
    return out


def _known(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def host_matches(host: str, hosts: tuple[str, ...]) -> bool:
    """True when `host` is one of `hosts` or a subdomain of one ("docs.x.org" matches "x.org")."""
    host = host.lower().removeprefix("www.")
    return any(
        host == h or host.endswith("." + h) for h in (h.lower().removeprefix("www.") for h in hosts if h)
    )


def project_hosts_from(texts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Every host the project's own files link to (shorteners left out): its repository, docs, homepage.

    Example: project_hosts_from(["Docs: https://docs.example.org/start"]) == ("docs.example.org",)
    """
    hosts: dict[str, None] = {}
    for text in texts:
        for _url, host in find_links(text or ""):
            if host and not _known(host, SHORTENERS):
                hosts[host.removeprefix("www.")] = None
    return tuple(hosts)


def strip_known_links(text: str, project_hosts: tuple[str, ...] = ()) -> str:
    """The text without URLs to `KNOWN_DOMAINS` or the project's own hosts (other links stay)."""
    if "." not in text:
        return text
    for url, host in find_links(text):
        if not _known(host, SHORTENERS) and (
            _known(host, KNOWN_DOMAINS) or host_matches(host, project_hosts)
        ):
            text = text.replace(url, " ")
    return text


def _link_score(text: str, project_hosts: tuple[str, ...] = ()) -> float:
    best = 0.0
    for _url, host in find_links(_EMAIL.sub(" ", text)):
        if _known(host, SHORTENERS):
            best = max(best, 0.85)  # a shortener hides where it goes, even in the project's own README
        elif not (_known(host, KNOWN_DOMAINS) or host_matches(host, project_hosts)):
            best = max(best, 0.6)
    return best


def _shouting_score(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 15:
        return 0.0
    upper = sum(c.isupper() for c in letters) / len(letters)
    return round(max(0.0, (upper - 0.5) / 0.5), 4)


def score_rules(text: str, project_hosts: tuple[str, ...] = ()) -> dict[str, float]:
    """Scores in [0, 1] for threat, personal_data, link and shouting in one sentence.

    `project_hosts`: the project's own hosts (its repository, docs, homepage); links to them are fine.
    Example: score_rules("I will kill you")["threat"] == 0.95
    """
    threat = 0.95 if _STRONG_THREAT.search(text) else (0.6 if _WEAK_THREAT.search(text) else 0.0)
    personal = 0.0
    for m in _EMAIL.finditer(text):
        if not any(p in m.group(0).lower() for p in _PLACEHOLDER_EMAIL):
            personal = 0.9
            break
    personal = max(personal, _phone_score(text))
    return {
        "threat": threat,
        "personal_data": personal,
        "link": _link_score(text, project_hosts),
        "shouting": _shouting_score(text),
    }
