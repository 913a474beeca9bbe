"""Video studio: storyboards, stills, the fast ffmpeg render path, captions, thumbnail, voice-over.

Heavy libraries (Pillow, imageio-ffmpeg, fontTools) are imported inside
functions, so importing this package is cheap. The app's side of video (items,
render jobs, ratings) is in `service.py`, `items.py` and `ratings.py`, which
this package does not import: import them from their modules.
"""

from core.video.captions import Cue, parse_srt, srt_from_storyboard
from core.video.produce import ProducedVideo, VideoOptions, frame_size, produce_video
from core.video.render import (
    OutputNotWritableError,
    RenderCancelledError,
    RenderFailedError,
    RenderOutcome,
    check_writable,
    frame_boundaries,
    render_stills,
)
from core.video.stills import StillSet, contrast_ratio, draw_scene, draw_stills, font_chain
from core.video.storyboard import (
    ASPECTS,
    SCENE_KINDS,
    Scene,
    Storyboard,
    storyboard_from_rows,
    storyboard_from_text,
)
from core.video.thumbnail import write_thumbnail
from core.video.tts import VoiceUnavailableError, voice_engine

__all__ = [
    "ASPECTS",
    "SCENE_KINDS",
    "Cue",
    "OutputNotWritableError",
    "ProducedVideo",
    "RenderCancelledError",
    "RenderFailedError",
    "RenderOutcome",
    "Scene",
    "StillSet",
    "Storyboard",
    "VideoOptions",
    "VoiceUnavailableError",
    "check_writable",
    "contrast_ratio",
    "draw_scene",
    "draw_stills",
    "font_chain",
    "frame_boundaries",
    "frame_size",
    "parse_srt",
    "produce_video",
    "render_stills",
    "srt_from_storyboard",
    "storyboard_from_rows",
    "storyboard_from_text",
    "voice_engine",
    "write_thumbnail",
]
