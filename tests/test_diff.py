"""Word-level diff and its renderings."""

from __future__ import annotations

from utils.diff import diff_words, render_html, render_inline, render_unified


def test_word_level_ops():
    d = diff_words("Herald writes short posts today", "Herald writes long posts today and tomorrow")
    tags = [(op.tag, op.a_text.strip(), op.b_text.strip()) for op in d.ops if op.tag != "equal"]
    assert ("replace", "short", "long") in tags
    assert any(t[0] == "insert" and "tomorrow" in t[2] for t in tags)
    assert d.words_added == 3 and d.words_removed == 1
    assert d.changed and 0 < d.similarity < 1


def test_identical_and_whitespace_only_changes_are_equal():
    d = diff_words("one two\nthree", "one   two three")
    assert not d.changed
    assert d.words_added == d.words_removed == 0
    assert not diff_words("", "").changed


def test_ops_rebuild_both_texts():
    a, b = "A  post, with punctuation!\nSecond line.", "A post with new punctuation?\nSecond line. Third."
    d = diff_words(a, b)
    assert "".join(op.a_text for op in d.ops) == a
    assert "".join(op.b_text for op in d.ops) == b


def test_html_is_side_by_side_and_escaped():
    d = diff_words("<b>old</b> text", "<script>x</script> text")
    out = render_html(d, "v1", "v2")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<td") == 2 and "<del" in out and "<ins" in out
    assert ">v1<" in out and ">v2<" in out


def test_inline_and_unified():
    d = diff_words("the quick fox\nsame line", "the slow fox\nsame line")
    assert render_inline(d) == "the [-quick-]{+slow+} fox\nsame line"
    uni = render_unified(d, "v1", "v2")
    assert uni.startswith("--- v1\n+++ v2\n@@")
    assert "-the quick fox" in uni and "+the slow fox" in uni and "~the [-quick-]{+slow+} fox" in uni
    assert render_unified(diff_words("same", "same")) == "--- a\n+++ b\n"
