"""What the bot says, independent of the platform that carries it.

Adapters render these as LINE messages (quick replies, flex carousels, audio) or
Telegram messages (inline keyboards, link lists, voice, formatted leaflets).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from shared.domain.channels import BUTTON_DATA_BYTES, MAX_BUTTONS, TELEGRAM_TEXT_LIMIT
from shared.domain.text_split import utf16_len


class Button(BaseModel):
    """A tap target: LINE quick-reply postback / Telegram inline button."""

    label: str
    data: str = ""  # postback / callback data (when not a link)
    url: str | None = None  # open a link instead of posting back

    @field_validator("data")
    @classmethod
    def _fits_every_platform(cls, value: str) -> str:
        if len(value.encode()) > BUTTON_DATA_BYTES:
            raise ValueError(f"button data over {BUTTON_DATA_BYTES} bytes")
        return value


# At most MAX_BUTTONS per message, so no adapter ever drops an option silently: a longer
# list is offered page by page (shared/domain/paging.py).
Buttons = Annotated[list[Button], Field(max_length=MAX_BUTTONS)]


class Text(BaseModel):
    type: Literal["text"] = "text"
    text: str
    buttons: Buttons = Field(default_factory=list)


class Audio(BaseModel):
    type: Literal["audio"] = "audio"
    url: str  # signed, expiring HTTPS URL of an m4a (LINE) or ogg/mp3 (Telegram) file
    duration_ms: int
    mime: str = "audio/mp4"
    # What it is ("🔊 Read aloud: Diabetes") and which part ("Part 1 of 3"). Telegram
    # shows both as the caption (<= 1024). LINE audio has no caption: a title goes in a
    # text bubble before the audio, unless a text right before it introduces it.
    title: str = ""
    caption: str = ""
    buttons: Buttons = Field(default_factory=list)


class Card(BaseModel):
    title: str
    url: str
    subtitle: str = ""


class Cards(BaseModel):
    """A list of links: a flex carousel on LINE, a link list on Telegram.

    `suggestions` are the Google Search Suggestions of the grounded answer these cards
    are the sources of (title = the query exactly as given, url = its Google results
    page), shown in the same message under `suggestions_title`."""

    type: Literal["cards"] = "cards"
    alt_text: str
    cards: list[Card]
    buttons: Buttons = Field(default_factory=list)
    suggestions: list[Card] = Field(default_factory=list)
    suggestions_title: str = ""


class Leaflet(BaseModel):
    """A health-education leaflet (or its translation) in the plain leaflet form
    (shared/domain/leaflet_format.py). Each platform shows it its own way at send time:
    bold title and headings on Telegram (parse_mode HTML), "■" section lines on LINE,
    in at most leaflet_format.LEAFLET_MAX_PAGES messages; a longer one is cut between
    blocks and ends with `shortened`."""

    type: Literal["leaflet"] = "leaflet"
    text: str
    lead: str = ""  # plain lines above it (the offline label, "Translation (English)")
    shortened: str = ""  # the note (in the user's language) that ends a cut leaflet
    buttons: Buttons = Field(default_factory=list)


OutMessage = Annotated[Text | Audio | Cards | Leaflet, Field(discriminator="type")]


class Edit(BaseModel):
    """A sent message shown anew (Telegram edits it in place). Where it cannot be
    edited (LINE, or a message too old), `fallback` is sent instead, if given."""

    message_id: str
    message: Text
    fallback: Text | None = None


def coalesce(messages: list[OutMessage], limit: int = TELEGRAM_TEXT_LIMIT) -> list[OutMessage]:
    """Consecutive texts as one message, so several confirmations of one patient message
    arrive as one chat bubble (10 medicines added at once: one message, not 10, which
    also keeps Telegram's per-chat rate limit and LINE's message quota). A text joins the
    one before it only if that one has no buttons (they belong under their own question)
    and the two still fit one message of the smaller platform limit."""
    merged: list[OutMessage] = []
    for message in messages:
        last = merged[-1] if merged else None
        if (isinstance(message, Text) and isinstance(last, Text) and not last.buttons
                and utf16_len(last.text) + 2 + utf16_len(message.text) <= limit):
            merged[-1] = Text(text=f"{last.text}\n\n{message.text}", buttons=message.buttons)
        else:
            merged.append(message)
    return merged
