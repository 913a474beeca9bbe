"""Rendering tiny real videos with ffmpeg and checking the written files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.video import (
    OutputNotWritableError,
    RenderCancelledError,
    RenderFailedError,
    Scene,
    Storyboard,
    VideoOptions,
    contrast_ratio,
    draw_scene,
    frame_boundaries,
    parse_srt,
    produce_video,
    render_stills,
    storyboard_from_text,
)
from core.video.stills import BACKGROUND, FOREGROUND
from tests.video_helpers import probe, read_video

TINY = VideoOptions(size=(160, 90), fps=8)
SCRIPT = "Herald turns a project into a post\nEvery claim is checked\nAnd the video renders fast"


@pytest.fixture
def board(settings):
    return storyboard_from_text(SCRIPT, settings, title="Herald")


def _mean(frame: np.ndarray) -> float:
    return float(frame.mean())


def test_tiny_render_has_the_right_size_duration_and_pixels(settings, board, tmp_path):
    made = produce_video(board, tmp_path / "out", "clip", settings, TINY)
    meta, frames = read_video(made.mp4)
    bounds = frame_boundaries([s.duration for s in board.scenes], 8)
    assert tuple(meta["size"]) == (160, 90)
    assert meta["fps"] == pytest.approx(8)
    assert len(frames) == bounds[-1]
    assert made.duration_s == pytest.approx(board.duration, abs=1 / 8)
    assert meta["duration"] == pytest.approx(made.duration_s, abs=0.2)
    # fade in from black, fade out to black
    assert _mean(frames[0]) < 8
    assert _mean(frames[-1]) < 20
    # the middle of the first body scene: light text on a dark background
    mid = frames[(bounds[1] + bounds[2]) // 2]
    assert mid.max() > 200
    assert np.median(mid) < 70
    # scenes differ from one another
    mid2 = frames[(bounds[2] + bounds[3]) // 2]
    assert np.abs(mid.astype(int) - mid2.astype(int)).mean() > 1.0
    info = probe(made.mp4)
    assert "h264" in info and "yuv420p" in info
    data = made.mp4.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "faststart puts the index first"
    assert made.thumbnail.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_srt_timings_match_the_storyboard(settings, board, tmp_path):
    made = produce_video(board, tmp_path, "clip", settings, TINY)
    cues = parse_srt(made.srt.read_text(encoding="utf-8"))
    starts = board.starts()
    body = [i for i, s in enumerate(board.scenes) if s.kind == "scene"]
    assert [c.text.replace("\n", " ") for c in cues] == board.lines()
    for cue, i in zip(cues, body, strict=True):
        assert cue.start == pytest.approx(starts[i], abs=1 / 8)
        assert cue.end == pytest.approx(starts[i] + board.scenes[i].duration, abs=1 / 8)
    assert cues[-1].end <= made.duration_s + 1e-6


def test_vertical_render(settings, board, tmp_path):
    made = produce_video(board, tmp_path, "v", settings, VideoOptions(aspect="9:16", size=(90, 160), fps=4))
    meta, frames = read_video(made.mp4)
    assert tuple(meta["size"]) == (90, 160)
    assert frames[0].shape == (160, 90, 3)


def test_burnt_captions_draw_a_band_at_the_bottom(settings):
    scene = Scene("Captions are drawn on the still", 3.0, "scene")
    plain = np.asarray(draw_scene(scene, (320, 180), settings).image)
    burnt = np.asarray(draw_scene(scene, (320, 180), settings, caption=True).image)
    band = slice(int(180 * 0.72), int(180 * 0.88))
    assert np.abs(plain[band].astype(int) - burnt[band].astype(int)).mean() > 5


def test_text_contrast_is_well_above_wcag_aa():
    assert min(contrast_ratio(FOREGROUND, bg) for bg in BACKGROUND) > 7


def test_emoji_and_non_latin_render_with_a_note(settings, tmp_path):
    board = storyboard_from_text("Ship it 🚀🎉\nПривет мир\nनमस्ते दुनिया\n你好世界", settings, title="Ω")
    made = produce_video(board, tmp_path, "intl", settings, VideoOptions(size=(160, 90), fps=4))
    assert made.mp4.exists()
    notes = " ".join(made.notes)
    assert "emoji" in notes and "🚀" in notes
    assert "CJK" in notes
    assert "Noto" in notes or not Path("/usr/share/fonts/truetype/noto").exists()


def test_a_giant_word_is_shortened_on_screen_with_a_note(settings, tmp_path):
    board = storyboard_from_text("x" * 10_000, settings)
    made = produce_video(board, tmp_path, "long", settings, VideoOptions(size=(160, 90), fps=4))
    assert any("shortened" in n for n in made.notes)
    assert read_video(made.mp4)[1]


def test_a_whitespace_line_does_not_become_a_black_scene(settings, tmp_path):
    board = storyboard_from_text("one\n   \ntwo", settings)
    assert board.lines() == ["one", "two"]


def test_non_writable_output_folder_is_a_clear_error(settings, board, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputNotWritableError, match="not writable"):
        produce_video(board, blocker / "videos", "clip", settings, TINY)


def test_cancelled_render_leaves_no_files(settings, board, tmp_path):
    out = tmp_path / "out"
    calls = []

    def should_cancel() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(RenderCancelledError):
        produce_video(board, out, "clip", settings, TINY, should_cancel=should_cancel)
    assert list(out.iterdir()) == []


def test_failed_ffmpeg_leaves_no_file(tmp_path):
    bad = tmp_path / "not-an-image.png"
    bad.write_text("garbage")
    with pytest.raises(RenderFailedError, match="ffmpeg failed"):
        render_stills([bad], [1.0], tmp_path / "x.mp4", fps=4, size=(16, 16))
    assert not (tmp_path / "x.mp4").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["not-an-image.png"]


def test_frame_boundaries_do_not_drift():
    bounds = frame_boundaries([1 / 3] * 30, 24)
    assert bounds[-1] == 240
    assert all(b2 > b1 for b1, b2 in zip(bounds, bounds[1:], strict=False))


@pytest.mark.parametrize(
    ("preference", "engine"),
    [("espeak", "espeak-ng"), pytest.param("piper", "piper", marks=pytest.mark.slow)],
)
def test_voice_over_adds_aac_and_stretches_scenes(settings, tmp_path, preference, engine):
    from dataclasses import replace

    from core.video import voice_engine

    if voice_engine(preference) != engine:
        pytest.fail(f"{engine} is not installed: run make system-deps / make setup")
    text = "This sentence is long enough that speaking it takes longer than its minimum time on screen"
    board = Storyboard(
        scenes=(Scene("Voice", 2.0, "title"), Scene(text, 2.0, "scene"), Scene("End", 2.0, "end")),
        title="Voice",
    )
    settings = replace(settings, video_voice_engine=preference)
    made = produce_video(board, tmp_path, "voice", settings, VideoOptions(size=(160, 90), fps=4, voice=True))
    info = probe(made.mp4)
    assert "Audio: aac" in info
    assert made.board.scenes[1].duration > 2.0
    assert made.duration_s == pytest.approx(made.board.duration, abs=0.25)
    assert any(f"Voice-over by {engine}" in n for n in made.notes)
