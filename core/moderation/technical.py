"""What the word models should read in a post about software: prose, not code or jargon.

The toxicity models (profanity, hatesonar, abuse, Detoxify) and the spam
model are bags of words fitted on tweets and SMS. In a post about software
they meet code (`dbm.dumb`, ``black``, `--kill-after`), links, version numbers
and technical senses of words they learnt as violent or rude ("kill the
process", "core dump", "fatal error", "abort the transaction", "timing
attacks", "garbage collection"). `technical_view(text)` replaces code spans,
identifiers, paths, versions and those technical phrases by neutral words
(links stay as written: the rules and the spam model judge them), so the
models score the prose around them. A phrase is replaced only
with its technical object ("kill the worker", not "kill you"), so threats and
insults read as before; the rules backend never sees this view (it scores the
text as written). `spam_view` also neutralises the figures SMS spam taught
the spam model to fear (sizes, counts, issue numbers). Pure, never raises.
"""

from __future__ import annotations

import re

__all__ = ["TECH_PHRASES", "technical_view", "spam_view"]

_OBJECTS = (
    r"(?:process(?:es)?|pids?|jobs?|workers?|servers?|tasks?|threads?|containers?|pods?|sessions?|quer(?:y|ies)|"
    r"daemons?|commands?|signals?|switch(?:es)?|apps?|applications?|services?|connections?|requests?|"
    r"subprocess(?:es)?|programs?|scripts?|builds?|loops?|timers?|transactions?|operations?|instances?|"
    r"emitter|kernel|shell|tests?|functions?|code|statements?|sql|callbacks?|hooks?|handlers?|tabs?|node|nodes|"
    r"vms?|clusters?|uploads?|downloads?|streams?|coroutines?|futures?)"
)
_DET = r"(?:(?:the|a|an|all|any|every|each|this|that|its|their|your|our|my|running|stuck|idle|old|hung|zombie|slow|long-running|background|child|current|pending)\s+){0,3}"

# (pattern, neutral word). Order matters: longer phrases first.
TECH_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bsig(?:kill|term|int|quit|abrt|segv)\b", "signal"),
    (r"\bkill\s+-(?:\d+|[a-z]+)\b", "stop"),
    (rf"\bkill(?:s|ed|ing)?\s+{_DET}(?:[\w-]+\s+){{0,2}}?{_OBJECTS}", "stop"),
    (r"\bkill(?:-|\s)?(?:switch|signal|timeout|after)\b", "stop setting"),
    (r"\bkiller\s+(?:feature|app|demo)s?\b", "standout feature"),
    (
        rf"\bexecut(?:e|es|ed|ing|ion|able|or|ors)\b(?=\s+{_DET}{_OBJECTS}|\s+(?:in|on|at|from|as|with|when|by|via|inside|without)\b|[\s.,;:!?)]*$|\s+(?:time|engine|plan|context|environment|model|mode|policy|path|permission|bit)s?\b)",
        "run",
    ),
    (r"\b(?:remote\s+)?code\s+execution\b", "running code"),
    (r"\bexecutables?\b", "program"),
    (
        r"\bexploit(?:s|ed|ing|able|ation)?\b(?=\s+(?:a|an|the|this|that|these|those|it|them|known|its|their)?\s*(?:vulnerabilit|flaw|bug|weakness|issue|cve|hole|code|chain|mitigation|kit|\w+\s+(?:vulnerabilit|flaw|bug|issue)))",
        "abuse of",
    ),
    (r"\b(?:known|public|working|zero-day|0-day|proof-of-concept)\s+exploits?\b", "known weakness"),
    (r"\bexploit\s+(?:code|mitigation|chain|kit)s?\b", "weakness"),
    (
        r"\b(?:timing|replay|injection|dos|ddos|brute[- ]force|side[- ]channel|xss|csrf|mitm|man-in-the-middle|supply[- ]chain|denial[- ]of[- ]service|dictionary|downgrade|phishing|network-level|rainbow[- ]table)\s+attacks?\b",
        "security risk",
    ),
    (r"\battack\s+(?:surface|vector|tree|path|scenario|model)s?\b", "risk area"),
    (
        r"\battackers?\b(?=.{0,80}\b(?:exploit|vulnerab|flaw|bug|inject|bypass|access|code|server|system|request|input|network)\w*)",
        "intruder",
    ),
    (
        r"\bdangerous(?:ly)?\b(?=\s+(?:\w+\s+)?(?:code|input|operation|function|setting|default|html|pattern|command|flag|option|api|call|method|query|permission|file|path|content|characters?|eval|regex))",
        "risky",
    ),
    (r"\bdangerously\w*", "unsafely"),
    (r"\bhack(?:s|ed|ing)?\s+(?:on|together|around|into\s+the\s+code)\b", "tinker"),
    (r"\b(?:non-)?hack(?:y|ish|able|athons?)\b", "improvised"),
    (r"\b(?:a|an|the|this|that|quick|dirty|small|ugly|clever|temporary|old)\s+hacks?\b", "a workaround"),
    (r"\bhack\s+(?:was|is|has been)\s+removed\b", "workaround was removed"),
    (
        rf"\babort(?:s|ed|ing)?\b(?=\s+{_DET}(?:[\w-]+\s+){{0,2}}?{_OBJECTS}|\s+(?:on|if|when|with|after|before|early|immediately)\b|\(\)|[\s.,;:!?)]*$)",
        "cancel",
    ),
    (
        r"\b(?:non-)?fatal(?:ly)?\b(?=\s+(?:error|exception|signal|warning|failure|crash|bug|condition|level|log|message)s?\b|\s*:)",
        "severe",
    ),
    (
        r"\b(?:critical|fatal|error|warn(?:ing)?|debug|info|notset)(?:\s*\|\s*(?:critical|fatal|error|warn(?:ing)?|debug|info|notset))+\b",
        "log levels",
    ),
    (
        r"\b(?:core|heap|thread|memory|crash|stack|database|db|sql|data|json|hex|schema|config)\s+dumps?\b",
        "snapshot",
    ),
    (
        r"\bdump(?:s|ed|ing)?\b(?=\s+(?:core|the|a|an|it|them|its|their|data|state|memory|to|into|as|out|from|of|\w+\s+(?:to|into|as|file))\b)",
        "export",
    ),
    (r"\bdumps?\b(?=\s*\()", "export"),
    (r"\bdaemon(?:s|ize|ized|izing|ic)?\b", "service"),
    (
        r"\bgarbage(?:[- ]collect(?:ed|ion|or|ing)?)?\s*(?:collect(?:ed|ion|or|ing)?|connections?|objects?|values?|data|in,?\s*garbage\s*out)\b",
        "unused memory",
    ),
    (r"\b(?:master|slave)\s+(?:branch|node|process|server|database|db|replica|copy)s?\b", "primary node"),
    (r"\b(?:fork|zip|logic|billion laughs)\s+bombs?\b", "overload"),
    (r"\bdumb\s+(?:terminal|pipe|client|server|mode)s?\b", "plain terminal"),
    (
        r"\b(?:hangs?|hung|dies|died|crash(?:es|ed)?)\b(?=\s+(?:on|when|if|while|after|forever|indefinitely|at\s+startup))",
        "stops",
    ),
)
_PHRASES = tuple((re.compile(p, re.I), word) for p, word in TECH_PHRASES)
# A code span opens and closes on a word boundary ("I`m" and "Don`t" are apostrophes, not code).
_CODE_SPAN = re.compile(r"```.*?```|(?<!\w)``[^`\n]{1,200}``(?!\w)|(?<!\w)`[^`\n]{1,80}`(?!\w)", re.S)
_PROSE_WORDS = "and|or|but|the|a|an|to|of|in|on|at|is|are|was|were|be|did|do|does|he|she|they|we|you|i|it|so|if|then|than|that|this|with|for|not|no|my|your|his|her|their|our|me|him|them|us|just|lol"
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|io|dev|ai|app|co|ly|rs|py)(?:/\S*)?\b", re.I
)
_IDENT = re.compile(
    r"(?<![\w@#])(?:--[A-Za-z][\w-]+|-[A-Za-z](?=[\s,;)]|$)"  # --kill-after, -h (not " -take away")
    rf"|[A-Za-z_]\w+(?:\.(?:(?!(?:{_PROSE_WORDS})\b)[a-z_]\w*|(?=\w*[a-z])[A-Z]\w*[A-Z]\w*))+(?:\(\))?"  # dbm.dumb, ssl.SSLError
    r"|[a-z]+(?:[A-Z][a-z0-9]+){2,}(?:\(\))?"  # getElementById (not "legendFuck", "TeleSmoka")
    r"|[A-Za-z]\w*_\w+(?:\(\))?"  # snake_case, kill_after
    r"|\w+\(\)"  # calls: abort()
    r"|(?:~|\.{1,2})/[\w.-]+(?:/[\w.-]*)*|/[\w.-]+/[\w.-]+(?:/[\w.-]*)*|[\w.-]+/[\w./-]*\.[a-z]{1,4}"  # paths
    r"|\w+\.(?:py|js|ts|rs|go|md|rst|txt|json|toml|yaml|yml|cfg|ini|sh|c|h|cpp))(?![\w@])"
)
_VERSION = re.compile(
    r"(?<![\w.])(?:v\d+(?:\.\d+){1,3}|\d+(?:\.\d+){2,3}|\d+\.\d+\+)(?:[a-z]+\d*)?(?![\w.])|\bhttp/\d(?:\.\d)?\b",
    re.I,
)
_ISSUE = re.compile(r"(?:\(|\b(?:pr|pull|issue|gh)\s*)?#\d+\)?", re.I)
_UNIT_NUMBER = re.compile(
    r"(?<![\w.£$€])\d(?:[\d,._]*\d)?\s?(?:%|x|k|m|b|ms|ns|us|µs|s|sec|seconds?|minutes?|hours?|days?|weeks?|kb|mb|gb|tb|kib|mib|gib|"
    r"bytes?|bits?|files?|lines?|rows?|stars?|downloads?|users?|requests?|ops|it/s|fps|cores?|threads?|languages?|"
    r"plugins?|packages?|tests?|contributors?|commits?|releases?|years?|items?|entries|elements?|records?|nodes?|edges?|"
    r"chars?|characters?|tokens?|words?|glyphs?|modules?|functions?|iterations?)\b",
    re.I,
)


def _prose(text: str) -> str:
    text = _CODE_SPAN.sub(" code ", text)
    for rx, word in _PHRASES:
        text = rx.sub(word, text)
    text = _IDENT.sub(" code ", text)
    return _VERSION.sub(" version ", text)


def technical_view(text: str) -> str:
    """The text with code, identifiers, versions and technical phrases made neutral; links kept as written.

    Example: technical_view("Kill the worker with `kill -9`.") == "stop with  code ."
    """
    text = text or ""
    pieces, last = [], 0
    for m in _URL.finditer(text):  # a link is judged as a whole (rules, spam), never cut into "code"
        pieces += [_prose(text[last : m.start()]), m.group(0)]
        last = m.end()
    return "".join([*pieces, _prose(text[last:])])  # unchanged when nothing technical is in it


def spam_view(text: str) -> str:
    """`technical_view` plus issue numbers, sizes and counts made neutral.

    SMS spam taught the spam model that figures are spam; prices and phone-like numbers stay,
    so "Win £1000, call 09061701461" still reads as spam.
    Example: spam_view("Fix overflow above 64 MB (#4226).") == "Fix overflow above  size   ."
    """
    text = technical_view(text)
    text = _ISSUE.sub(" ", text)
    return _UNIT_NUMBER.sub(" size ", text)
