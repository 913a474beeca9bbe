"""Storyboards: scene splitting, wrapping, timings, JSON, and bad scripts."""

from __future__ import annotations

import pytest

from core.errors import InvalidInputError
from core.video import Scene, Storyboard, storyboard_from_rows, storyboard_from_text
from core.video.storyboard import MAX_SCENE_CHARS, MAX_SCENES, wrap_words


def test_one_scene_per_line_with_title_and_end_cards(settings):
    board = storyboard_from_text("First point\nSecond point\nThird", settings, title="Launch")
    assert [s.kind for s in board.scenes] == ["title", "scene", "scene", "scene", "end"]
    assert board.lines() == ["First point", "Second point", "Third"]
    assert board.scenes[0].text == "Launch"
    assert board.duration == pytest.approx(sum(s.duration for s in board.scenes))


def test_title_defaults_to_first_line(settings):
    board = storyboard_from_text("Herald 1.0 is out\nMore", settings)
    assert board.title == "Herald 1.0 is out"


def test_durations_follow_reading_time_and_are_clamped(settings):
    short = storyboard_from_text("Hi", settings).scenes[1]
    words = " ".join(["word"] * 20)
    medium = storyboard_from_text(words, settings).scenes[1]
    long = storyboard_from_text(" ".join(["word"] * 23), settings.__class__(reading_wpm=60.0)).scenes[1]
    assert short.duration == settings.scene_min_s
    assert settings.scene_min_s < medium.duration < settings.scene_max_s
    assert medium.duration == pytest.approx(0.6 + 20 * 60 / settings.reading_wpm, abs=0.01)
    assert long.duration == settings.scene_max_s


def test_whitespace_only_lines_and_bullets_are_dropped(settings):
    board = storyboard_from_text("  \n- one\n\t\n2. two\n   \n", settings)
    assert board.lines() == ["one", "two"]


@pytest.mark.parametrize("script", ["", "   ", "\n\n \t \n"])
def test_empty_script_is_refused_with_a_fix(settings, script):
    with pytest.raises(InvalidInputError, match="empty"):
        storyboard_from_text(script, settings)


def test_a_10000_character_line_is_split_at_word_boundaries(settings):
    words = [f"w{i}" for i in range(2000)]
    line = " ".join(words)[:10_000].rsplit(" ", 1)[0]
    assert len(line) > 9_000
    board = storyboard_from_text(line, settings)
    pieces = board.lines()
    assert len(pieces) > 60
    assert all(len(p) <= MAX_SCENE_CHARS for p in pieces)
    assert " ".join(pieces).split() == line.split()  # no word broken or lost


def test_a_single_giant_word_is_kept_whole(settings):
    word = "x" * 10_000
    board = storyboard_from_text(word, settings)
    assert board.lines() == [word]


def test_500_lines_make_500_scenes(settings):
    board = storyboard_from_text("\n".join(f"Line number {i}" for i in range(500)), settings)
    assert len(board.lines()) == 500
    assert board.duration == pytest.approx(502 * settings.scene_min_s, rel=0.2)


def test_too_many_scenes_is_refused(settings):
    with pytest.raises(InvalidInputError, match="under"):
        storyboard_from_text("\n".join("x" for _ in range(MAX_SCENES + 1)), settings)


def test_wrap_words_never_breaks_a_word():
    assert wrap_words("a bb ccc dddd", 4) == ["a bb", "ccc", "dddd"]
    assert wrap_words("abcdefgh ij", 3) == ["abcdefgh", "ij"]


def test_json_round_trip_keeps_everything(settings):
    board = storyboard_from_text("Привет мир\nemoji 🚀 ok", settings, title="T", aspect="9:16")
    again = Storyboard.from_json(board.to_json())
    assert again == board
    assert again.aspect == "9:16"


def test_malformed_storyboards_are_refused():
    with pytest.raises(InvalidInputError):
        Storyboard.from_json("{not json")
    with pytest.raises(InvalidInputError, match="no scenes"):
        Storyboard.from_dict({"scenes": [{"text": "t", "duration": 2, "kind": "title"}]})
    with pytest.raises(InvalidInputError, match="kind"):
        Storyboard.from_dict(
            {
                "scenes": [
                    {"text": "t", "duration": 2, "kind": "scene"},
                    {"text": "t", "duration": 2, "kind": "banana"},
                ]
            }
        )
    with pytest.raises(InvalidInputError, match="Aspect"):
        Storyboard(scenes=(Scene("a", 2.0),), aspect="4:3").with_aspect("4:3")


def test_rows_from_the_editor(settings):
    rows = [
        {"text": "Title", "duration": 2, "kind": "title"},
        {"text": "  ", "duration": 3, "kind": "scene"},
        {"text": "Body", "duration": "3.5", "kind": None},
    ]
    board = storyboard_from_rows(rows, aspect="16:9")
    assert board.scenes == (Scene("Title", 2.0, "title"), Scene("Body", 3.5, "scene"))
    with pytest.raises(InvalidInputError, match="seconds"):
        storyboard_from_rows([{"text": "a", "duration": 0, "kind": "scene"}], aspect="16:9")
    with pytest.raises(InvalidInputError, match="number"):
        storyboard_from_rows([{"text": "a", "duration": "soon", "kind": "scene"}], aspect="16:9")
