"""The video service: items, renders registered in SQLite, background jobs, ratings, improvements, CLI."""

from __future__ import annotations

import json
import time

import pytest

from chains.providers import FallbackChain, Provider
from chains.types import Completion
from core.cli import main
from core.errors import ExportRefusedError, InvalidInputError
from core.services import build_services
from core.video import VideoOptions
from core.video.service import (
    accept_improvement,
    dismiss_improvement,
    job_queue,
    list_videos,
    pending_improvement,
    prepare_video,
    rate_video,
    render_item_video,
    render_result,
    save_storyboard,
    storyboard_of,
    submit_render,
)
from tests.seed import seed_item
from tests.video_helpers import read_video

TINY = VideoOptions(size=(160, 90), fps=6)
SCRIPT = "Herald turns a project into a post\nEvery claim is checked against the files\nVideos render fast"


class ScriptedProvider(Provider):
    """Answers storyboard requests with queued texts and records them."""

    name = "scripted"
    model = "scripted-1"

    def __init__(self):
        self.answers: list[str] = []
        self.history = []

    def generate(self, request):
        self.history.append(request)
        return Completion(text=self.answers.pop(0), model=self.model)


@pytest.fixture
def provider():
    return ScriptedProvider()


@pytest.fixture
def services(settings, provider):
    s = build_services(settings, chain=FallbackChain([provider]))
    yield s
    if "jobs" in s.extras:
        s.extras["jobs"].shutdown(wait=True, cancel_running=True)


def test_render_a_script_creates_a_video_item_and_registers_the_files(services, tmp_path):
    result = render_item_video(services, SCRIPT, TINY, out_dir=tmp_path / "out", title="Herald")
    item = services.store.get_item(result.item_id)
    assert item.kind == "video" and item.title == "Herald"
    version = services.store.get_version(result.version_id)
    assert version.data["storyboard"]["scenes"][1]["text"] == "Herald turns a project into a post"
    meta, frames = read_video(result.mp4)
    assert tuple(meta["size"]) == (160, 90) and frames
    registered = list_videos(services, result.item_id)
    assert [v.mp4 for v in registered] == [result.mp4]
    assert registered[0].video_id == result.video_id
    events = [json.loads(line) for line in services.events.path.read_text().splitlines()]
    assert any(e["step"] == "video_render" and e["outcome"] == "ok" for e in events)


def test_render_a_post_item_makes_a_linked_video_item(services, tmp_path):
    post, _ = seed_item(
        services.store, "Line one of the post\nLine two\n\n#python #video", title="Post", status="ready"
    )
    result = render_item_video(services, post.id, TINY, out_dir=tmp_path)
    assert result.item_id != post.id
    assert services.store.latest_version(result.item_id).data["from_item"] == post.id
    assert storyboard_of(services, result.item_id).lines() == ["Line one of the post", "Line two"]


def test_empty_script_and_unknown_item_are_refused(services):
    with pytest.raises(InvalidInputError, match="empty"):
        render_item_video(services, "  \n ", TINY)
    with pytest.raises(Exception, match="No item"):
        render_item_video(services, 999, TINY)


def test_edited_storyboard_is_a_new_version(services):
    draft = prepare_video(services, script=SCRIPT)
    board = draft.storyboard
    assert save_storyboard(services, draft.item_id, board).id == draft.version_id
    edited = board.__class__(scenes=board.scenes[:2] + board.scenes[-1:], aspect="16:9", title=board.title)
    version = save_storyboard(services, draft.item_id, edited)
    assert version.number == 2 and version.origin == "edit"
    assert storyboard_of(services, draft.item_id) == edited


def test_background_render_through_the_job_queue(services, tmp_path):
    job_id = submit_render(services, SCRIPT, TINY, out_dir=tmp_path)
    status = job_queue(services).wait(job_id, timeout=60)
    assert status.state == "done", status.error
    result = render_result(services, job_id)
    assert read_video(result.mp4)[1]
    row = services.store.query("SELECT job_id FROM videos WHERE id = ?", (result.video_id,))[0]
    assert row["job_id"] == job_id


def test_cancelled_background_render_registers_nothing(services, tmp_path):
    queue = job_queue(services)
    long_script = "\n".join(f"Scene number {i} of a long video" for i in range(40))
    job_id = submit_render(
        services, long_script, VideoOptions(size=(320, 180), fps=24), out_dir=tmp_path / "o"
    )
    for _ in range(200):
        if queue.status(job_id).state == "running":
            break
        time.sleep(0.02)
    queue.cancel(job_id)
    assert queue.wait(job_id, timeout=60).state == "cancelled"
    assert services.store.query("SELECT COUNT(*) AS n FROM videos")[0]["n"] == 0
    leftovers = list((tmp_path / "o").iterdir()) if (tmp_path / "o").exists() else []
    assert leftovers == []


def test_a_high_rating_is_stored_without_improvement(services, provider):
    draft = prepare_video(services, script=SCRIPT)
    outcome = rate_video(services, draft.item_id, 5, "great")
    assert outcome.improvement is None and provider.history == []
    assert services.store.ratings(draft.item_id)[0].stars == 5


def test_a_low_rating_proposes_a_pending_storyboard_then_accept(services, provider):
    draft = prepare_video(services, script=SCRIPT)
    provider.answers.append(
        "1. Herald turns any project into a grounded post\n2. Every claim is checked against the files\n"
        "3. Videos render fast"
    )
    outcome = rate_video(services, draft.item_id, 1, "the first line is vague")
    assert "the first line is vague" in provider.history[0].user
    pending = outcome.improvement
    assert pending is not None
    assert "-Herald turns a project into a post" in pending.diff
    assert "+Herald turns any project into a grounded post" in pending.diff
    # still pending: the current storyboard is unchanged
    assert storyboard_of(services, draft.item_id).lines()[0] == "Herald turns a project into a post"
    assert services.store.get_version(pending.version_id).state == "pending"
    assert pending_improvement(services, draft.item_id).version_id == pending.version_id
    accepted = accept_improvement(services, pending.version_id)
    assert storyboard_of(services, draft.item_id) == accepted
    assert pending_improvement(services, draft.item_id) is None


def test_dismissing_keeps_the_current_storyboard(services, provider):
    draft = prepare_video(services, script=SCRIPT)
    provider.answers.append(
        "Herald makes posts from projects\nEvery claim is checked against the files\nFast"
    )
    pending = rate_video(services, draft.item_id, 2, "shorter please").improvement
    dismiss_improvement(services, pending.version_id)
    assert storyboard_of(services, draft.item_id) == draft.storyboard
    assert services.store.get_version(pending.version_id).state == "dismissed"


def test_a_failing_chain_keeps_the_rating_and_says_why(settings):
    class Broken(Provider):
        name = "broken"

        def generate(self, request):
            raise RuntimeError("offline")

    services = build_services(settings, chain=FallbackChain([Broken()]))
    draft = prepare_video(services, script=SCRIPT)
    outcome = rate_video(services, draft.item_id, 1, "bad")
    assert outcome.improvement is None and "No improved storyboard" in outcome.notes[0]
    assert len(services.store.ratings(draft.item_id)) == 1


def test_rating_a_post_item_here_is_refused(services):
    post, _ = seed_item(services.store, "A post")
    with pytest.raises(InvalidInputError, match="not a video"):
        rate_video(services, post.id, 1, "x")


# --- CLI ---------------------------------------------------------------------
def test_cli_renders_a_script_to_json(tmp_path, capsys):
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    code = main(
        [
            "video",
            "--script",
            str(script),
            "--out",
            str(tmp_path / "out"),
            "--size",
            "160x90",
            "--fps",
            "6",
            "--aspect",
            "16:9",
            "--burn-captions",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("mp4", "srt", "thumbnail", "duration_s", "width", "height", "render_s"):
        assert key in data
    assert (data["width"], data["height"]) == (160, 90)
    meta, frames = read_video(data["mp4"])
    assert len(frames) == round(data["duration_s"] * 6)


def test_cli_errors_are_clear(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n", encoding="utf-8")
    assert main(["video", "--script", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "script is empty" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["video", "--script", str(empty), "--out", str(blocker / "sub")]) == 2
    assert "not writable" in capsys.readouterr().err
    assert main(["video", "--script", str(tmp_path / "missing.txt"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_rejected_script_is_not_rendered(services, monkeypatch, tmp_path):
    import core.moderation as moderation

    rejected = moderation.Moderation(level="rejected", scores={})
    monkeypatch.setattr(moderation, "moderate", lambda text, settings, **kw: rejected, raising=False)
    with pytest.raises(ExportRefusedError, match="rejected"):
        render_item_video(services, SCRIPT, TINY, out_dir=tmp_path / "out")
    assert services.store.query("SELECT COUNT(*) AS n FROM videos")[0]["n"] == 0


def test_a_video_rating_comment_is_moderated_and_an_abusive_one_never_steers(services, provider):
    draft = prepare_video(services, script=SCRIPT)
    provider.answers.append("1. Herald turns any project into a grounded post\n2. Videos render fast")
    outcome = rate_video(services, draft.item_id, 1, "You are a stupid idiot")
    rows = services.store.query(
        "SELECT level FROM moderations WHERE rating_id = ? AND subject = 'rating_comment'",
        (outcome.rating_id,),
    )
    assert rows and rows[0]["level"] != "approved"
    assert all("stupid" not in req.user for req in provider.history)
