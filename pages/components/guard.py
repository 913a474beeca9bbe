"""Render a hallucination-guard report: confidence, claim table, evidence, highlighted draft, diff.

Streamlit-side only. Takes a `chains.guard.GuardReport` (or None) and draws it;
it runs no check and reads nothing from the store itself.
"""

from __future__ import annotations

import html

import streamlit as st

from chains.guard import GuardReport
from utils.diff import diff_words, render_html

__all__ = ["render_guard_report", "highlight_html", "BADGES"]

BADGES = {"supported": "✅ supported", "unsupported": "❌ unsupported", "not_checkable": "➖ not checkable"}
_COLOURS = {"supported": "#d9f2dc", "unsupported": "#fbd5d5", "not_checkable": "#eeeeee"}


def highlight_html(report: GuardReport) -> str:
    """The draft as HTML with every claim's characters coloured by its verdict."""
    text = report.draft_text
    out, pos = [], 0
    for c in sorted(report.claims, key=lambda c: c.start):
        if c.start < pos or c.end > len(text):
            continue
        out.append(html.escape(text[pos : c.start]))
        title = html.escape(f"{c.verdict} ({c.score:.2f}): {c.reason}", quote=True)
        out.append(
            f'<span title="{title}" style="background:{_COLOURS[c.verdict]};border-radius:3px;padding:0 2px">'
            f"{html.escape(text[c.start : c.end])}</span>"
        )
        pos = c.end
    out.append(html.escape(text[pos:]))
    return '<div style="white-space:pre-wrap;line-height:1.6">' + "".join(out) + "</div>"


def render_guard_report(
    report: GuardReport | None, *, min_confidence: float = 0.7, key: str = "guard"
) -> None:
    """Draw the claim-by-claim report under a draft (nothing when there is no report)."""
    st.subheader("Claim check")
    if report is None:
        st.caption("This version has not been checked by the guard.")
        return
    checked = [c for c in report.claims if c.verdict != "not_checkable"]
    cols = st.columns(4)
    cols[0].metric("Confidence", f"{report.confidence:.0%}")
    cols[1].metric("Claims checked", len(checked))
    cols[2].metric("Unsupported", f"{report.unsupported_share:.0%}")
    cols[3].metric("Dropped", len(report.dropped))
    if report.confidence < min_confidence:
        st.warning(f"Confidence is below {min_confidence:.0%}: this post goes to review before it is ready.")
    for note in report.notes:
        st.info(note)
    if report.stages:
        st.caption(
            "Stages: " + " · ".join(f"{'✓' if s.active else '✗'} {s.name}" for s in report.stages),
            help="\n".join(f"{s.name}: {s.why}" for s in report.stages),
        )
    if not report.claims:
        return
    st.markdown(highlight_html(report), unsafe_allow_html=True)
    rows = [
        {
            "verdict": BADGES[c.verdict],
            "score": round(c.score, 2),
            "claim": c.text.strip(),
            "why": c.reason,
            "evidence": c.evidence[0].location if c.evidence else "",
            "action": "kept"
            if c.revised_text is None
            else ("dropped" if c.revised_text == "" else "rewritten"),
        }
        for c in report.claims
    ]
    st.dataframe(rows, hide_index=True, key=f"{key}-table")
    for c in checked:
        label = f"{BADGES[c.verdict]} · {c.text.strip()[:80]}"
        with st.expander(label):
            st.markdown(f"**Why:** {c.reason}")
            if c.revised_text:
                st.markdown(f"**Rewritten as:** {c.revised_text}")
            elif c.revised_text == "":
                st.markdown("**Dropped** from the revised post.")
            for e in c.evidence:
                st.markdown(f"`{e.location}` (score {e.score:.2f})")
                st.text(e.text.strip()[:600])
            if not c.evidence:
                st.caption("No evidence found in the project.")
    if report.changed:
        st.markdown("**Draft → revised**")
        st.markdown(
            render_html(diff_words(report.draft_text, report.revised_text), "Draft", "Revised"),
            unsafe_allow_html=True,
        )
