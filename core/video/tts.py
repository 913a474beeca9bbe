"""Optional offline voice-over: espeak-ng speaks each scene, scenes stretch to fit.

`voice_over` synthesises one WAV per scene with Debian's espeak-ng (no network,
no weights to download), lengthens any scene whose speech is longer than its
reading time, and lays the speech on one mono track aligned to the renderer's
frame boundaries; `render.py` encodes it to AAC. Piper voices were looked at
(see docs/readme/video.md) but are not wired in. Off by default.
"""

from __future__ import annotations

import array
import logging
import shutil
import subprocess
import wave
from dataclasses import dataclass, replace
from pathlib import Path

from core.errors import HeraldError
from core.video.render import frame_boundaries
from core.video.storyboard import Storyboard

__all__ = ["VoiceTrack", "VoiceUnavailableError", "voice_engine", "synthesize", "voice_over"]

LOG = logging.getLogger(__name__)
SPEECH_PAD_S = 0.5
WPM = 165


class VoiceUnavailableError(HeraldError):
    """No offline speech engine is installed."""


@dataclass(frozen=True)
class VoiceTrack:
    """The storyboard stretched to fit the speech, and the WAV that goes with it."""

    board: Storyboard
    wav: Path
    engine: str
    stretched: int


def voice_engine() -> str | None:
    """Path of espeak-ng (or espeak), or None when neither is installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def synthesize(text: str, out_wav: Path, *, wpm: int = WPM, voice: str = "en-us") -> float:
    """Speak `text` into a WAV file and return its length in seconds."""
    engine = voice_engine()
    if engine is None:
        raise VoiceUnavailableError(
            "Voice-over needs espeak-ng: apt-get install espeak-ng, or render without voice"
        )
    proc = subprocess.run(
        [engine, "-v", voice, "-s", str(wpm), "-w", str(out_wav), "--", text],
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


def voice_over(board: Storyboard, workdir: Path, *, fps: int) -> VoiceTrack:
    """Speak every card, stretch scenes to fit, and write one WAV aligned to the frames."""
    engine = voice_engine()
    if engine is None:
        raise VoiceUnavailableError(
            "Voice-over needs espeak-ng: apt-get install espeak-ng, or render without voice"
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
        seconds = synthesize(scene.text, wav)
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
    return VoiceTrack(board=new_board, wav=out, engine=Path(engine).name, stretched=stretched)
