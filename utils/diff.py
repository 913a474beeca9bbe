"""Word-level diff between two texts, with a side-by-side HTML and a unified-text rendering.

`diff_words(a, b)` splits both texts into words and the whitespace between
them and aligns the words with `difflib.SequenceMatcher`; the result is a
`TextDiff` of typed operations. `render_html` draws it as two columns (old with
deletions struck through, new with insertions highlighted), escaping every
character of the texts; `render_unified` gives a line-based unified diff with
the changed words marked `[-old-]{+new+}`. Pure functions, no UI.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

__all__ = ["DiffOp", "TextDiff", "diff_words", "render_html", "render_unified", "render_inline"]

_TOKEN = re.compile(r"\s+|[^\s]+")
TAGS = ("equal", "insert", "delete", "replace")


@dataclass(frozen=True)
class DiffOp:
    """One aligned span: `tag` is equal, insert, delete or replace; texts keep their whitespace."""

    tag: str
    a_text: str
    b_text: str
    a_start: int  # word-token indices into the tokenised texts
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True)
class TextDiff:
    """The operations turning text `a` into text `b`, and a few counts."""

    a: str
    b: str
    ops: tuple[DiffOp, ...]
    words_added: int
    words_removed: int
    similarity: float  # 0-1, difflib's ratio over word tokens

    @property
    def changed(self) -> bool:
        """Whether the texts differ in any word."""
        return any(op.tag != "equal" for op in self.ops)


def _words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace())


def diff_words(a: str, b: str) -> TextDiff:
    """Align two texts word by word; whitespace changes alone count as equal.

    Example: [op.tag for op in diff_words("a b", "a c").ops] == ["equal", "replace"]
    """
    ta, tb = _TOKEN.findall(a or ""), _TOKEN.findall(b or "")
    # Compare whitespace runs as one symbol so re-wrapping does not show as a change.
    ka = [" " if t.isspace() else t for t in ta]
    kb = [" " if t.isspace() else t for t in tb]
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    ops: list[DiffOp] = []
    added = removed = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a_text, b_text = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        if tag != "equal" and not a_text.strip() and not b_text.strip():
            tag = "equal"
        if tag in ("delete", "replace"):
            removed += _words(ta[i1:i2])
        if tag in ("insert", "replace"):
            added += _words(tb[j1:j2])
        if ops and ops[-1].tag == tag == "equal":
            prev = ops.pop()
            ops.append(
                DiffOp(
                    "equal", prev.a_text + a_text, prev.b_text + b_text, prev.a_start, i2, prev.b_start, j2
                )
            )
            continue
        ops.append(DiffOp(tag, a_text, b_text, i1, i2, j1, j2))
    return TextDiff(a or "", b or "", tuple(ops), added, removed, round(matcher.ratio(), 4))


def _span(text: str, kind: str) -> str:
    escaped = html.escape(text)
    if kind == "del":
        return f'<del style="background:#fdd;color:#900;text-decoration:line-through">{escaped}</del>'
    if kind == "ins":
        return f'<ins style="background:#dfd;color:#060;text-decoration:none">{escaped}</ins>'
    return escaped


def render_html(diff: TextDiff, a_label: str = "Before", b_label: str = "After") -> str:
    """A two-column HTML table: the old text with deletions, the new text with insertions."""
    left, right = [], []
    for op in diff.ops:
        if op.tag == "equal":
            left.append(_span(op.a_text, ""))
            right.append(_span(op.b_text, ""))
            continue
        if op.a_text:
            left.append(_span(op.a_text, "del"))
        if op.b_text:
            right.append(_span(op.b_text, "ins"))
    cell = 'style="vertical-align:top;white-space:pre-wrap;padding:8px;border:1px solid #ddd;width:50%"'
    return (
        '<table class="herald-diff" style="border-collapse:collapse;width:100%;font-size:0.9em">'
        f"<thead><tr><th>{html.escape(a_label)}</th><th>{html.escape(b_label)}</th></tr></thead>"
        f"<tbody><tr><td {cell}>{''.join(left)}</td><td {cell}>{''.join(right)}</td></tr></tbody></table>"
    )


def render_inline(diff: TextDiff) -> str:
    """The new text with changes marked inline: `[-removed-]{+added+}`."""
    out = []
    for op in diff.ops:
        if op.tag == "equal":
            out.append(op.b_text)
            continue
        if op.a_text.strip():
            out.append(f"[-{op.a_text}-]")
        if op.b_text.strip():
            out.append(f"{{+{op.b_text}+}}")
    return "".join(out)


def render_unified(diff: TextDiff, a_label: str = "a", b_label: str = "b", context: int = 2) -> str:
    """A unified diff over lines, with each changed line pair also shown word by word."""
    a_lines = diff.a.splitlines()
    b_lines = diff.b.splitlines()
    out = [f"--- {a_label}", f"+++ {b_label}"]
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out.extend(f" {line}" for line in a_lines[a1:a2])
                continue
            out.extend(f"-{line}" for line in a_lines[a1:a2])
            out.extend(f"+{line}" for line in b_lines[b1:b2])
            if tag == "replace":
                words = render_inline(diff_words("\n".join(a_lines[a1:a2]), "\n".join(b_lines[b1:b2])))
                out.extend(f"~{line}" for line in words.splitlines())
    return "\n".join(out) + "\n"
