"""Export formats: LinkedIn limits, front matter, Notion properties, Buffer CSV, CSV injection."""

from __future__ import annotations

import csv
import io

import pytest

from utils.export import (
    BUFFER_COLUMNS,
    CSV_COLUMNS,
    ExportRecord,
    neutralise_cell,
    normalise_hashtag,
    render_export,
    to_buffer_csv,
    to_csv,
    to_linkedin,
    to_markdown,
    to_notion,
)


def _record(**kw) -> ExportRecord:
    base = dict(
        item_id=7,
        version_id=11,
        text="Lumen 2.0 builds a 1,000-page site in 1.8 s.\n\nTry `lumen build`.",
        title="Lumen 2.0",
        hook="Lumen 2.0 builds a 1,000-page site in 1.8 s.",
        hashtags=("StaticSites", "#rust", "web dev"),
        caption="Faster static sites with Lumen 2.0",
        status="ready",
        quality=81.25,
        provider="template",
        style="announcement",
        tone="professional",
        audience="developers",
        source="data/samples/lumen",
        created_at="2026-11-21T10:00:00.000+00:00",
        sources=("README.md:1-20", "CHANGELOG.md:1-12"),
    )
    base.update(kw)
    return ExportRecord(**base)


def _parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_normalise_hashtag_joins_words_and_drops_punctuation():
    assert normalise_hashtag("static sites") == "#StaticSites"
    assert normalise_hashtag("#rust") == "#rust"
    assert normalise_hashtag("c++") == "#c"
    assert normalise_hashtag("  ") == ""


def test_linkedin_appends_hashtags_once():
    out = to_linkedin("Hello #rust world", ["rust", "WebDev"])
    assert out == "Hello #rust world\n\n#WebDev"
    assert to_linkedin("Hello", []) == "Hello"


def test_linkedin_never_exceeds_limit_and_keeps_hashtags():
    long_text = "word " * 2000
    out = to_linkedin(long_text, ["rust", "python"])
    assert len(out) <= 3000
    assert out.endswith("#rust #python")
    assert "…" in out
    assert len(to_linkedin("x" * 5000, [], max_chars=100)) == 100


def test_markdown_has_parseable_front_matter():
    md = to_markdown(_record(title='He said: "hi" # not a comment'))
    assert md.startswith("---\n")
    head, _, body = md[4:].partition("\n---\n")
    fields = {}
    for line in head.splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value
    import json

    assert json.loads(fields["title"]) == 'He said: "hi" # not a comment'
    assert json.loads(fields["hashtags"]) == ["#StaticSites", "#rust", "#WebDev"]
    assert json.loads(fields["quality"]) == 81.2 or json.loads(fields["quality"]) == 81.3
    assert json.loads(fields["item_id"]) == 7
    assert "Lumen 2.0 builds" in body
    assert "`README.md:1-20`" in body


def test_notion_has_title_and_property_lines():
    md = to_notion(_record())
    lines = md.splitlines()
    assert lines[0] == "# Lumen 2.0"
    assert "Status: ready" in lines
    assert "Hashtags: #StaticSites, #rust, #WebDev" in lines
    assert "Item: 7" in lines
    assert "Provider: template" in lines
    assert md.index("---") > md.index("Status: ready")
    assert "Try `lumen build`." in md


def test_buffer_csv_matches_documented_header_and_rows():
    rows = [_record(), _record(item_id=8, text="Second post", posting_time="2026-12-01 09:30")]
    parsed = _parse_csv(to_buffer_csv(rows))
    assert tuple(parsed[0]) == BUFFER_COLUMNS == ("Text", "Image URL", "Tags", "Posting Time")
    assert len(parsed) == 3
    assert parsed[1][0].startswith("Lumen 2.0 builds") and parsed[1][0].endswith("#WebDev")
    assert parsed[2][3] == "2026-12-01 09:30"


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", " =1+1", "  @SUM(A1)", "\n=cmd|' /C calc'!A0"],
)
def test_csv_injection_is_neutralised(payload):
    assert neutralise_cell(payload) == "'" + payload
    parsed = _parse_csv(to_csv([_record(text=payload, title=payload, caption=payload)]))
    row = dict(zip(parsed[0], parsed[1], strict=True))
    for col in ("text", "title", "caption"):
        assert row[col] == "'" + payload
    buffer_cell = _parse_csv(to_buffer_csv([_record(text=payload, hashtags=())]))[1][0]
    assert buffer_cell in ("'" + payload, "'" + payload.strip(), payload.strip())  # LinkedIn text is stripped
    assert not buffer_cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_safe_cells_are_untouched():
    assert neutralise_cell("Hello = world") == "Hello = world"
    assert neutralise_cell(42) == "42"
    assert neutralise_cell(None) == ""


def test_csv_of_many_items_round_trips():
    rows = [
        _record(item_id=i, version_id=i * 10, text=f'post {i}, with "quotes"\nand lines') for i in range(5)
    ]
    parsed = _parse_csv(to_csv(rows))
    assert tuple(parsed[0]) == CSV_COLUMNS
    assert [r[0] for r in parsed[1:]] == ["0", "1", "2", "3", "4"]
    assert parsed[3][CSV_COLUMNS.index("text")] == 'post 2, with "quotes"\nand lines'


def test_render_export_dispatch_and_errors():
    ext, mime, text = render_export("linkedin", [_record()])
    assert ext == "txt" and mime.startswith("text/plain") and text.endswith("#WebDev\n")
    assert render_export("notion", [_record()])[2].startswith("# Lumen 2.0")
    assert render_export("csv", [_record(), _record(item_id=9)])[2].count("\r\n") == 3
    with pytest.raises(ValueError, match="use one of"):
        render_export("pdf", [_record()])
    with pytest.raises(ValueError, match="one item at a time"):
        render_export("markdown", [_record(), _record()])
    with pytest.raises(ValueError, match="nothing"):
        render_export("csv", [])


def test_linkedin_text_is_plain_without_markdown_markers():
    from utils.export import plain_post_text, to_linkedin

    text = "- **Fast builds**: run `lumen build`\n* __Search__ works offline"
    assert plain_post_text(text) == "• Fast builds: run lumen build\n• Search works offline"
    out = to_linkedin(text, ["#lumen"])
    assert "**" not in out and "`" not in out and out.endswith("#lumen")
