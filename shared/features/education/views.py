"""How a leaflet is shown and found: the buttons under it, its reference cards with
the Google Search suggestions, and the user's own leaflet by id (shared by the
education dialog, the generate worker and the e-mail feature)."""

from __future__ import annotations

import re
from typing import Any, Final

from shared.domain.buttons import ID, ButtonKind, one_of
from shared.domain.i18n import TARGET_LANGUAGES, t
from shared.domain.messages import Button, Card, Cards, Leaflet, OutMessage
from shared.features.education.leaflets import LeafletView
from shared.ports import Doc

COLLECTION: Final = "leaflets"
MAX_REFERENCES: Final = 10
_LEAFLET_ID = re.compile(r"^[0-9a-f]{40}$")


def leaflet_path(leaflet_id: str) -> str:
    return f"{COLLECTION}/{leaflet_id}"


# The buttons under a leaflet carry its id (domain/buttons.py), so each acts on the
# leaflet it was under, or says that leaflet is gone; never on a newer one.
MODIFY: Final = ButtonKind("lfmod", (ID,))
TRANSLATE_ASK: Final = ButtonKind("lftr", (ID,))
TRANSLATE_TO: Final = ButtonKind("lfto", (ID, one_of(TARGET_LANGUAGES)))
ORIGINAL: Final = ButtonKind("lforig", (ID,))
HANDOUT: Final = ButtonKind("lfpdf", (ID,))
EMAIL: Final = ButtonKind("lfmail", (ID,))


def is_leaflet_id(value: object) -> bool:
    return isinstance(value, str) and bool(_LEAFLET_ID.match(value))


def leaflet_buttons(lang: str, leaflet_id: object, translation_id: str | None = None, *,
                    read_aloud: bool = True) -> list[Button]:
    """The actions under a leaflet (or under its translation: `translation_id`), each
    carrying the leaflet's id; only the menu when there is no valid id. A Taigi
    translation has no "read aloud": iVoice's speech of it comes by itself."""
    menu = Button(label=t(lang, "button.menu"), data="menu")
    if not is_leaflet_id(leaflet_id):
        return [menu]
    assert isinstance(leaflet_id, str)
    read = f"tts:leaflet:{translation_id or leaflet_id}"
    buttons = [
        Button(label=t(lang, "education.button.modify"), data=MODIFY.data(leaflet_id)),
        Button(label=t(lang, "education.button.translate"),
               data=TRANSLATE_ASK.data(leaflet_id)),
        *([Button(label=t(lang, "education.button.read_aloud"), data=read)]
          if read_aloud else []),
        Button(label=t(lang, "education.button.email"), data=EMAIL.data(leaflet_id)),
        Button(label=t(lang, "education.button.handout"), data=HANDOUT.data(leaflet_id)),
        menu,
    ]
    if translation_id is not None:
        buttons.insert(0, Button(label=t(lang, "education.button.original"),
                                 data=ORIGINAL.data(leaflet_id)))
    return buttons


def leaflet_message(lang: str, text: str, *, lead: str = "",
                    buttons: list[Button] | None = None) -> Leaflet:
    """A leaflet (or its translation) as a chat message: `lead` above it (the offline
    label, "Translation (English)"), shown per platform at send time within its cap,
    and, when cut, ending with the note that the handout and the e-mail have it all."""
    return Leaflet(text=text, lead=lead.strip(), shortened=t(lang, "education.shortened"),
                   buttons=buttons or [])


def reference_cards(lang: str, sources: list[Doc],
                    search: Doc | None = None) -> list[OutMessage]:
    """Grounding sources as one Cards message (deduplicated by URL, at most 10), with
    the answer's Google Search Suggestions in the same message."""
    seen: set[str] = set()
    cards: list[Card] = []
    for source in sources:
        url = str(source.get("url") or "")
        if not url or url in seen:
            continue
        seen.add(url)
        cards.append(Card(title=str(source.get("title") or url), url=url))
        if len(cards) == MAX_REFERENCES:
            break
    suggestions = suggestion_cards(search)
    if not cards and not suggestions:
        return []
    return [Cards(alt_text=t(lang, "education.references") if cards
                  else t(lang, "education.search_suggestions"),
                  cards=cards, suggestions=suggestions,
                  suggestions_title=t(lang, "education.search_suggestions"))]


def suggestion_cards(search: Doc | None) -> list[Card]:
    """The stored suggestions as cards: title = the query as given, url = its link."""
    found = (search or {}).get("suggestions") or []
    return [Card(title=str(s["query"]), url=str(s["url"]))
            for s in found if isinstance(s, dict) and s.get("query") and s.get("url")]


def own_leaflet(store_get: Any, task: Doc, leaflet_id: object) -> Doc | None:
    """The task user's leaflet `leaflet_id`, or None (missing, malformed or not theirs)."""
    if not isinstance(leaflet_id, str) or not _LEAFLET_ID.match(leaflet_id):
        return None
    doc: Doc | None = store_get(leaflet_path(leaflet_id))
    if doc is None or doc.get("user_id") != task["user"]:
        return None
    return doc


def latest_translation(store_get: Any, task: Doc, leaflet: Doc) -> Doc | None:
    code = leaflet.get("last_translation")
    tid = (leaflet.get("translations") or {}).get(code) if isinstance(code, str) else None
    return own_leaflet(store_get, task, tid)


def leaflet_view(leaflet: Doc, translation: Doc | None, offline_note: str = "") -> LeafletView:
    doc = dict(leaflet)
    if translation is not None:
        doc["translations"] = {translation["language"]: {"text": translation["text"]}}
        doc["last_translation"] = translation["language"]
    else:
        doc.pop("last_translation", None)
    return LeafletView.from_doc(doc, offline_note)
