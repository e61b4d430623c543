"""Read aloud: a leaflet or a translation as speech (Gemini TTS, espeak-ng offline)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.speech.read_aloud import DIALOG, SpeechService, read_aloud
from shared.jobs import Job
from shared.plumbing.features import Feature, Supplies
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler


def _handlers(_: Supplies) -> Mapping[str, Handler]:
    return {"read_aloud": read_aloud}


def _tts(supplies: Supplies) -> JobHandler:
    # The speaker and PyAV are built here, on the tts worker's first task only.
    return SpeechService(supplies.kit(Job.TTS), supplies.speaker, supplies.encoder,
                         supplies.bucket(signs_urls=True),
                         signed_url_ttl_s=supplies.settings.signed_url_ttl_s).tts


FEATURE = Feature(name="speech", dialog=DIALOG, handlers=_handlers, starts=(Job.TTS,),
                  jobs={Job.TTS: _tts})
