"""Medical translation: plain rewrite + translation of typed or spoken messages, the
conversation's two directions, and Taiwanese speech (NYCU iVoice)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.translation.dialog import DIALOG, TranslationDialog
from shared.features.translation.service import COLLECTION, TranslationService
from shared.features.translation.taigi import TaigiVoiceService
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, MenuEntry, Supplies
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler


def _handlers(_: Supplies) -> Mapping[str, Handler]:
    return TranslationDialog().actions()


def _translate(supplies: Supplies) -> JobHandler:
    # A Taigi target is a follow-up taigi job; its own queue for a rescheduled copy.
    return TranslationService(supplies.kit(Job.TRANSLATE, Job.TAIGI),
                              supplies.settings.max_audio_bytes).translate


def _voice(supplies: Supplies) -> JobHandler:
    # Voice in: transcribe, translate, maybe Taigi.
    return TranslationService(supplies.kit(Job.STT, Job.TAIGI),
                              supplies.settings.max_audio_bytes).voice


def _taigi(supplies: Supplies) -> JobHandler:
    # iVoice and PyAV: only the taigi worker builds them. No model; signed audio links.
    return TaigiVoiceService(supplies.kit(model=False), supplies.taigi_speech,
                             supplies.wav_decoder, supplies.encoder,
                             supplies.bucket(signs_urls=True),
                             link_ttl_s=supplies.settings.signed_url_ttl_s).speak


FEATURE = Feature(
    name="translation",
    dialog=DIALOG,
    handlers=_handlers,
    starts=(Job.TRANSLATE, Job.STT),
    jobs={Job.TRANSLATE: _translate, Job.STT: _voice, Job.TAIGI: _taigi},
    # Kept 365 days and archived (clinical review).
    collections=(Collection(COLLECTION, Erase.BY_FIELD, archive=True),),
    menu=(MenuEntry("menu.translation", "mode:tr"),),
)
