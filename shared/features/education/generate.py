"""Health-education leaflets: grounded generation (Gemini + Google Search), then
modify, translate and printable handouts, all in the generate worker (Job.GENERATE,
dispatched on the task's `kind`):

kind        model calls   what it stores
leaflet     1, grounded   leaflets/{id} (version 1); session.leaflet_id
modify      1, grounded   leaflets/{new id} (version n+1, parent_id); session.leaflet_id
translate   1             leaflets/{tid} (kind translation, original_id); the original
                          keeps `translations` {language: tid} and `last_translation`
handout     0             handouts/<user>/<leaflet id>.html and .pdf (signed links)

The original stays the session's leaflet; a translation never replaces it. Read aloud
(`tts:leaflet`, the speech feature) and e-mail (the email feature) are other workers.

A grounded leaflet keeps its Google Search Suggestions (`search`: each query with its
results link, and the searchEntryPoint HTML exactly as received) next to its sources,
and every showing of it carries them: the chat message with the sources, the original
shown again, its translations, the e-mail, the handout page and its PDF. The terms of
Grounding with Google Search require them wherever the grounded answer is shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from shared.domain import leaflet_format, prompts
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, Card, Cards, OutMessage, Text
from shared.domain.signatures import stable_id
from shared.domain.speech_text import spoken_text
from shared.features.education.leaflets import handout_html
from shared.features.education.views import (
    MAX_REFERENCES,
    latest_translation,
    leaflet_buttons,
    leaflet_message,
    leaflet_path,
    leaflet_view,
    own_leaflet,
    reference_cards,
)
from shared.features.translation.conversation import TAIGI
from shared.features.translation.taigi_ask import (
    TAIGI_SPOKEN_WEIGHT,
    taigi_request,
    with_taigi_note,
)
from shared.jobs import Job
from shared.plumbing.collections import session_path
from shared.plumbing.files import user_file_key
from shared.plumbing.jobkit import RETENTION, JobKit, Task, buttons_last, emergency, language
from shared.plumbing.runner import Outcome
from shared.plumbing.work import TaskRef
from shared.ports import BlobStore, Doc, LlmText, PdfRenderer, Source, Transaction

log = logging.getLogger(__name__)

NOT_HEALTH: Final = "NOT_HEALTH"


@dataclass(frozen=True)
class _Missing:
    """The leaflet a task refers to is gone (erased, expired) or not the user's."""


@dataclass(frozen=True)
class _Handout:
    html_key: str
    pdf_key: str


@dataclass
class EducationService:
    kit: JobKit
    blobs: BlobStore | None = None
    pdf: PdfRenderer | None = None
    signed_url_ttl_s: int = 3600

    def generate(self, task: Task) -> Outcome:
        kind = str(task.get("kind") or "leaflet")
        handler = {"leaflet": self._new, "modify": self._modify,
                   "translate": self._translate, "handout": self._handout}.get(kind)
        if handler is None:
            return self.kit.unavailable(Job.GENERATE, task)
        return handler(task)

    # ------------------------------------------------------------------ new leaflet
    def _new(self, task: Task) -> Outcome:
        lang = language(task)
        topic = str(task.get("topic", ""))

        def prepare() -> LlmText:
            return self.kit.llm.generate(prompts.leaflet_system(lang),
                                         prompts.leaflet_prompt(topic), grounded=True)

        def decide(txn: Transaction, result: LlmText) -> Decision:
            session = txn.get(session_path(str(task["user"])))
            if _is_not_health(result):
                return self._not_health(task)
            leaflet_id = stable_id("leaflet", str(task["id"]))
            search = _search(result)
            text = leaflet_format.normalize(result.text)
            self._store_version(txn, task, leaflet_id, session, {
                "topic": topic, "language": lang, "text": text,
                "sources": _sources(result.sources), "search": search,
                "model": result.model, "version": 1,
            })
            return self._show(task, text, self.kit.label(lang), _sources(result.sources),
                              search, leaflet_buttons(lang, leaflet_id))

        return self.kit.run(Job.GENERATE, task, prepare, decide)

    # ------------------------------------------------------------------ modify
    def _modify(self, task: Task) -> Outcome:
        lang = language(task)
        request = str(task.get("request", ""))

        def prepare() -> tuple[Doc, LlmText] | _Missing:
            base = own_leaflet(self.kit.store.get, task, task.get("leaflet_id"))
            if base is None:
                return _Missing()
            result = self.kit.llm.generate(
                prompts.leaflet_system(str(base.get("language", lang))),
                prompts.leaflet_modify_prompt(str(base["text"]), request,
                                              str(base.get("topic") or "") or None),
                grounded=True)
            return base, result

        def decide(txn: Transaction, prepared: tuple[Doc, LlmText] | _Missing) -> Decision:
            session = txn.get(session_path(str(task["user"])))
            if isinstance(prepared, _Missing):
                return self._no_leaflet(task)
            base, result = prepared
            if _is_not_health(result):
                return self._not_health(task, keep_buttons=True)
            # New grounding replaces the references and their search suggestions; none
            # (offline) keeps the old ones together.
            if result.sources or result.suggestions:
                sources, search = _sources(result.sources), _search(result)
            else:
                sources, search = list(base.get("sources") or []), base.get("search")
            leaflet_id = stable_id("leaflet", str(task["id"]))
            version = int(base.get("version") or 1) + 1
            text = leaflet_format.normalize(result.text)
            self._store_version(txn, task, leaflet_id, session, {
                "topic": base.get("topic", ""), "language": base.get("language", lang),
                "text": text, "sources": sources, "search": search,
                "model": result.model, "version": version, "parent_id": task["leaflet_id"],
            })
            lead = self.kit.label(lang) + t(lang, "education.modified", version=version)
            return self._show(task, text, lead, sources, search, leaflet_buttons(lang, leaflet_id))

        return self.kit.run(Job.GENERATE, task, prepare, decide)

    # ------------------------------------------------------------------ translate
    def _translate(self, task: Task) -> Outcome:
        lang = language(task)
        target = str(task.get("target", "en"))

        def prepare() -> tuple[Doc, LlmText] | _Missing:
            base = own_leaflet(self.kit.store.get, task, task.get("leaflet_id"))
            if base is None:
                return _Missing()
            result = self.kit.llm.generate(prompts.leaflet_translation_system(target),
                                           prompts.leaflet_translation_prompt(str(base["text"])),
                                           thinking="minimal")
            return base, result

        def decide(txn: Transaction, prepared: tuple[Doc, LlmText] | _Missing) -> Decision:
            if isinstance(prepared, _Missing):
                return self._no_leaflet(task)
            base_id = str(task["leaflet_id"])
            base = txn.get(leaflet_path(base_id))  # fresh, for its translations map
            if base is None:
                return self._no_leaflet(task)
            _, result = prepared
            tid = stable_id("leaflet-translation", str(task["id"]))
            now = self.kit.clock.now()
            text = leaflet_format.normalize(result.text)
            txn.set(leaflet_path(tid), {
                "user_id": task["user"], "kind": "translation", "original_id": base_id,
                "topic": base.get("topic", ""), "language": target, "text": text,
                "sources": list(base.get("sources") or []), "search": base.get("search"),
                "model": result.model,
                "prompt_version": prompts.PROMPT_VERSION,
                "created_at": now, "expires_at": now + RETENTION,
            })
            translations = {**(base.get("translations") or {}), target: tid}
            txn.set(leaflet_path(base_id), {"translations": translations,
                                             "last_translation": target}, merge=True)
            heading = t(lang, "education.translation_heading", target=t(lang, f"lang.{target}"))
            # The translated grounded leaflet keeps the original's sources and search
            # suggestions beside it.
            sources, search = list(base.get("sources") or []), base.get("search")
            if target != TAIGI:
                return self._show(task, text, self.kit.label(lang) + heading, sources, search,
                                  leaflet_buttons(lang, base_id, tid))
            # Taigi: iVoice gives the TLPA and the speech, as in the translation chat
            # (its "read aloud" is that speech).
            buttons = leaflet_buttons(lang, base_id, tid, read_aloud=False)
            decision = self.kit.decision(task, with_taigi_note(
                lang, Channel(task["channel"]),
                self._messages(task, text, self.kit.label(lang) + heading, sources, search,
                               buttons)))
            title = leaflet_format.parse(text).title or str(base.get("topic") or "")
            spoken = spoken_text(text, TAIGI_SPOKEN_WEIGHT)
            decision.jobs = [taigi_request(
                TaskRef(Job.GENERATE, str(task["id"])), task, spoken.text,
                title=t(lang, "taigi.title_leaflet", title=title), buttons=buttons,
                document=leaflet_path(tid), placeholder=decision.send_key,
                note=t(lang, "speech.truncated") if spoken.truncated else "")]
            return decision

        return self.kit.run(Job.GENERATE, task, prepare, decide)

    # ------------------------------------------------------------------ handout
    def _handout(self, task: Task) -> Outcome:
        lang = language(task)

        def prepare() -> _Handout | _Missing:
            if self.blobs is None or self.pdf is None:
                raise RuntimeError("handouts need a blob store and a PDF renderer")
            leaflet_id = task.get("leaflet_id")
            base = own_leaflet(self.kit.store.get, task, leaflet_id)
            if base is None:
                return _Missing()
            view = leaflet_view(base, latest_translation(self.kit.store.get, task, base),
                                self.kit.label(lang).strip())
            page = handout_html(lang, view, emergency=emergency(task))
            user = str(task["user"])
            handout = _Handout(user_file_key("handouts", user, f"{leaflet_id}.html"),
                               user_file_key("handouts", user, f"{leaflet_id}.pdf"))
            # The PDF shows the search suggestions as links (paper cannot hold chips).
            pdf = self.pdf.render(handout_html(lang, view, printable=True,
                                               emergency=emergency(task)))
            self.blobs.put(handout.html_key, page.encode(), "text/html; charset=utf-8")
            self.blobs.put(handout.pdf_key, pdf, "application/pdf")
            log.info("handout rendered", extra={"html_bytes": len(page), "pdf_bytes": len(pdf)})
            return handout

        def decide(_txn: Transaction, prepared: _Handout | _Missing) -> Decision:
            if isinstance(prepared, _Missing):
                return self._no_leaflet(task)
            assert self.blobs is not None
            ttl = self.signed_url_ttl_s
            cards = Cards(
                # The Text before it explains the links; this names the list (it is the
                # heading of Telegram's link list and LINE's notification text).
                alt_text=t(lang, "education.button.handout"),
                cards=[Card(title=t(lang, "education.handout_page"),
                            url=self.blobs.signed_url(prepared.html_key, ttl)),
                       Card(title=t(lang, "education.handout_pdf"),
                            url=self.blobs.signed_url(prepared.pdf_key, ttl))],
                buttons=leaflet_buttons(lang, task.get("leaflet_id")))
            return self.kit.decision(task, [
                Text(text=t(lang, "education.handout_ready", count=ttl // 60)), cards])

        # No model call: exactly once, nothing to count.
        return self.kit.once(Job.GENERATE, task, decide, prepare=prepare)

    # ------------------------------------------------------------------ helpers
    def _store_version(self, txn: Transaction, task: Task, leaflet_id: str,
                       session: Doc | None, fields: Doc) -> None:
        now = self.kit.clock.now()
        txn.set(leaflet_path(leaflet_id), {
            "user_id": task["user"], **fields, "prompt_version": prompts.PROMPT_VERSION,
            "created_at": now, "expires_at": now + RETENTION,
        })
        if session:
            txn.set(session_path(str(task["user"])), {"leaflet_id": leaflet_id}, merge=True)

    def _show(self, task: Task, text: str, lead: str, sources: list[Doc], search: Doc | None,
              buttons: list[Button]) -> Decision:
        return self.kit.decision(task, buttons_last(
            self._messages(task, text, lead, sources, search, buttons)))

    @staticmethod
    def _messages(task: Task, text: str, lead: str, sources: list[Doc], search: Doc | None,
                  buttons: list[Button]) -> list[OutMessage]:
        """The leaflet (formatted per platform at send time), then its references and
        search suggestions."""
        lang = language(task)
        return [leaflet_message(lang, text, lead=lead, buttons=buttons),
                *reference_cards(lang, sources, search)]

    def _not_health(self, task: Task, *, keep_buttons: bool = False) -> Decision:
        lang = language(task)
        buttons = (leaflet_buttons(lang, task.get("leaflet_id")) if keep_buttons
                   else [Button(label=t(lang, "button.menu"), data="menu")])
        return self.kit.decision(task, [Text(text=t(lang, "education.not_health"),
                                             buttons=buttons)])

    def _no_leaflet(self, task: Task) -> Decision:
        lang = language(task)
        return self.kit.decision(task, [Text(text=t(lang, "education.no_leaflet"), buttons=[
            Button(label=t(lang, "menu.education"), data="mode:edu"),
            Button(label=t(lang, "button.menu"), data="menu")])])


def _is_not_health(result: LlmText) -> bool:
    return result.text.strip().strip(".").upper() == NOT_HEALTH


def _search(result: LlmText) -> Doc | None:
    """The answer's Google Search Suggestions as stored with the leaflet."""
    if not result.suggestions and not result.search_html:
        return None
    return {"suggestions": [{"query": s.query, "url": s.url} for s in result.suggestions],
            "html": result.search_html}


def _sources(sources: tuple[Source, ...]) -> list[Doc]:
    """Grounding sources to store: deduplicated by URL, at most MAX_REFERENCES."""
    unique = {s.url: s for s in reversed(sources) if s.url}  # first occurrence wins
    ordered = [unique[url] for url in dict.fromkeys(s.url for s in sources if s.url)]
    return [{"title": s.title, "url": s.url} for s in ordered[:MAX_REFERENCES]]
