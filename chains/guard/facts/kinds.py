"""The per-kind structured checks: each finds one kind of assertion in a claim and looks it up.

Versions, URLs, handles, files and packages (`_spec_check`), numbers with units, flags, commands,
tools, languages, platforms and licences, people and organisations, superlatives and endorsements.
Each returns `FactCheck`s with a verdict and the sentence that supports or contradicts it; the
order and the polarity check are in `check_facts` (`__init__.py`) and polarity.py.
"""

from __future__ import annotations

import re

from chains.guard.facts.project import ProjectFacts, _ci, _ev, _stem
from chains.guard.facts.tables import (
    _BARE_CMD,
    _CODE_CMD,
    _FLAG,
    _MAKER,
    _NUMBER_UNIT,
    _NUMBER_WORD,
    _SUPERLATIVE,
    _TOOL_RX,
    _UNIT_OF,
    _UNITS,
    NUMBER_WORDS,
    ORGANISATIONS,
)
from chains.guard.report import FactCheck
from chains.guard.specifics import Specific
from chains.guard.textutil import tokens


def _mentions(table: dict[str, str], claim: str) -> list[tuple[str, str]]:
    out = []
    for name, pattern in table.items():
        m = re.search(rf"(?<![\w]){_ci(pattern)}(?![\w])", claim)
        if m:
            out.append((name, m.group(0)))
    return out


def _spec_check(spec: Specific, facts: ProjectFacts, near: set[str]) -> FactCheck:
    if not facts.text.contains(spec):
        return FactCheck(
            spec.kind, spec.text, "unsupported", f"the project never mentions {spec.kind} {spec.text!r}"
        )
    needle = spec.norm if spec.kind != "handle" else f"@{spec.norm}"
    if spec.kind == "version":
        where = facts.locate_pattern(rf"v?{re.escape(spec.norm)}(?![\d])", near)
    else:
        where = facts.locate(needle, near) or facts.locate(spec.text, near)
    if spec.kind == "version" and where is not None:
        context = near - _GENERIC_CONTEXT
        if context and not (context & where.words):
            return FactCheck(
                "version",
                spec.text,
                "unsupported",
                f"the project gives {spec.text!r} only about something else ({_ev(where).location})",
                _ev(where),
            )
    return FactCheck(
        spec.kind, spec.text, "supported", f"{spec.kind} {spec.text!r} is in the project", _ev(where)
    )


# words that say nothing about which fact a version belongs to
_GENERIC_CONTEXT = frozenset(
    _stem(w)
    for w in "python version versions release released support supports supported new now later newer "
    "older require requires required".split()
)


def _number_checks(claim: str, facts: ProjectFacts, near: set[str], specs: list[Specific]) -> list[FactCheck]:
    """Numbers must appear in a sentence sharing a word with the claim, with the claim's unit when given."""
    out: list[FactCheck] = []
    units = {
        m.group(1).replace(",", ""): _UNIT_OF.get(m.group(2).lower(), "")
        for m in _NUMBER_UNIT.finditer(claim)
    }
    numbers = [(s.text, s.norm) for s in specs if s.kind == "number"]
    for m in _NUMBER_WORD.finditer(claim):
        word = m.group(1).lower()
        after = claim[m.end() : m.end() + 12].lower()
        if word == "half" and "%" not in after:
            continue
        numbers.append((m.group(1), NUMBER_WORDS[word]))
        unit_word = re.match(r"\s+(\w+)", after)
        if unit_word and unit_word.group(1) in _UNIT_OF:
            units[NUMBER_WORDS[word]] = _UNIT_OF[unit_word.group(1)]
    for text, norm in numbers:
        word_hits = [s for s in facts.sentences if _has_number(s.lower, norm)]
        if not word_hits:
            out.append(
                FactCheck("number", text, "unsupported", f"the project never gives the number {text!r}")
            )
            continue
        unit = units.get(norm, "")
        if unit:
            with_unit = [s for s in word_hits if _has_number_unit(s.lower, norm, unit)]
            if not with_unit:
                out.append(
                    FactCheck(
                        "number",
                        text,
                        "unsupported",
                        f"the project gives {norm} but never as {unit!r} ({_ev(word_hits[0]).location})",
                        _ev(word_hits[0]),
                    )
                )
                continue
            word_hits = with_unit
        related = [s for s in word_hits if near & s.words]
        if near and not related:
            out.append(
                FactCheck(
                    "number",
                    text,
                    "unsupported",
                    f"the project gives {text!r} only about something else ({_ev(word_hits[0]).location})",
                    _ev(word_hits[0]),
                )
            )
            continue
        best = max(related or word_hits, key=lambda s: len(near & s.words))
        out.append(FactCheck("number", text, "supported", f"{text!r} is in the project", _ev(best)))
    return out


def _has_number(lower: str, norm: str) -> bool:
    words = [w for w, n in NUMBER_WORDS.items() if n == norm and w not in ("half", "dozen")]
    if norm.split(".")[0] not in lower.replace(",", "") and not any(w in lower for w in words):
        return False
    for m in re.finditer(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d])", lower):
        if _norm_number(m.group(1)) == norm:
            return True
    words = [w for w, n in NUMBER_WORDS.items() if n == norm and w not in ("half", "dozen")]
    return any(re.search(rf"\b{w}\b", lower) for w in words)


_HEADER_CELL = re.compile(r"(?<![\w])([a-z%]+)\)?\s*:\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d])")


def _has_number_unit(lower: str, norm: str, unit: str) -> bool:
    for m in _NUMBER_UNIT.finditer(lower):
        if _norm_number(m.group(1)) == norm and _UNIT_OF.get(m.group(2).lower(), "") == unit:
            return True
    for m in _HEADER_CELL.finditer(lower):  # a table row read as "seconds: 0.5"
        if _norm_number(m.group(2)) == norm and _UNIT_OF.get(m.group(1), "") == unit:
            return True
    words = [w for w, n in NUMBER_WORDS.items() if n == norm]
    aliases = _UNITS.get(unit, ())
    return any(re.search(rf"\b{w}\s+{re.escape(a)}\b", lower) for w in words for a in aliases)


def _norm_number(t: str) -> str:
    t = t.replace(",", "")
    if "." in t:
        t = t.rstrip("0").rstrip(".") or "0"
    return t


def _flag_checks(claim: str, facts: ProjectFacts, near: set[str], taken: set[str]) -> list[FactCheck]:
    out = []
    for m in _FLAG.finditer(claim):
        flag = m.group(1).split("=")[0]
        before = claim[max(0, m.start() - 1) : m.start()]
        if (
            len(flag) < 2
            or flag.lower() in taken
            or (flag.startswith("-") and not flag.startswith("--") and before not in (" ", "`", "(", "/"))
        ):
            continue
        if not flag.startswith("--") and len(flag) > 4:
            continue  # "-based", "-fast": a hyphenated word, not a short flag
        if re.fullmatch(r"--?\d.*", flag):
            continue
        where = facts.locate(flag, near, case=True)
        if where is None:
            out.append(
                FactCheck("flag", flag, "unsupported", f"the project never mentions the option {flag!r}")
            )
        else:
            out.append(FactCheck("flag", flag, "supported", f"option {flag!r} is in the project", _ev(where)))
    return out


def _named_checks(
    kind: str, table: dict[str, str], have: set[str], claim: str, facts: ProjectFacts, near: set[str]
) -> list[FactCheck]:
    out = []
    for name, written in _mentions(table, claim):
        if name in have:
            out.append(
                FactCheck(
                    kind,
                    written,
                    "supported",
                    f"the project names {name}",
                    _ev(facts.locate_pattern(table[name], near)),
                )
            )
            continue
        if kind == "language" and name in ("C", "R", "Go") and written != name:
            continue
        said = sorted(have)
        hint = f" (it names {', '.join(said[:4])})" if said else ""
        example = None
        for other in said:
            example = facts.locate_pattern(table[other], near) if other in table else None
            if example is not None:
                break
        out.append(
            FactCheck(
                kind, written, "unsupported", f"the project never names the {kind} {name}{hint}", _ev(example)
            )
        )
    return out


def _who_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    out: list[FactCheck] = []
    seen: set[str] = set()
    for org in ORGANISATIONS:
        core = org.removeprefix("the ")
        if re.search(rf"(?<![\w]){re.escape(core)}(?![\w])", claim) and core.lower() not in seen:
            seen.add(core.lower())
            where = facts.locate(core, near)
            verdict = "supported" if where is not None else "unsupported"
            why = f"the project names {core}" if where else f"the project never mentions {core}"
            out.append(FactCheck("organisation", core, verdict, why, _ev(where)))
    for m in _MAKER.finditer(claim):
        name = m.group(1).strip(" .,;:")
        words = name.split()
        if not words or name.lower() in seen or words[0].lower() in ("the", "a", "an", "default", "it"):
            continue
        if len(words) == 1 and (name.lower() in facts.text.tokens or len(name) < 3):
            continue
        seen.add(name.lower())
        where = facts.locate(name, near) or (facts.locate(words[-1], near) if len(words) > 1 else None)
        kind = "person" if len(words) > 1 else "organisation"
        if where is None:
            out.append(FactCheck(kind, name, "unsupported", f"the project never mentions {name}"))
        else:
            out.append(FactCheck(kind, name, "supported", f"the project names {name}", _ev(where)))
    return out


def _superlative_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    out = []
    for m in _SUPERLATIVE.finditer(claim):
        phrase = " ".join(m.group(0).split())
        key = [w for w in tokens(phrase) if w not in ("the", "by", "world's", "s") and len(w) > 2]
        where = None
        if not all(w in facts.whole_lower for w in key):
            key = []  # some word of the phrase is nowhere in the project: no sentence can say it
        for s in facts.sentences if key else []:
            if (
                all(w in s.lower for w in key)
                and all(re.search(rf"\b{re.escape(w)}\b", s.lower) for w in key)
                and (not near or near & s.words)
            ):
                where = s
                break
        if where is None:
            out.append(
                FactCheck(
                    "superlative",
                    phrase,
                    "unsupported",
                    f"'{phrase}' is a superlative or endorsement the project never states; it needs a source",
                )
            )
        else:
            out.append(
                FactCheck("superlative", phrase, "supported", f"the project says '{phrase}'", _ev(where))
            )
    return out


def _command_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    """A command in backticks, or a package-manager command, must start with a program the project uses."""
    out: list[FactCheck] = []
    seen: set[str] = set()
    for m in list(_CODE_CMD.finditer(claim)) + list(_BARE_CMD.finditer(claim)):
        prog = m.group(1)
        if prog in seen:
            continue
        seen.add(prog)
        where = facts.locate(prog, near)
        if where is None:
            out.append(
                FactCheck("command", prog, "unsupported", f"the project never uses the command {prog!r}")
            )
        else:
            out.append(FactCheck("command", prog, "supported", f"the project uses {prog!r}", _ev(where)))
    return out


def _tool_checks(claim: str, facts: ProjectFacts, near: set[str]) -> list[FactCheck]:
    out = []
    for tool, rx in _TOOL_RX.items():
        if rx.search(claim):
            where = facts.locate(tool, near)
            if where is None:
                out.append(FactCheck("tool", tool, "unsupported", f"the project never mentions {tool}"))
            else:
                out.append(FactCheck("tool", tool, "supported", f"the project mentions {tool}", _ev(where)))
    return out
