"""What the bot says, independent of the platform that carries it.

Adapters render these as LINE messages (quick replies, flex carousels, audio) or
Telegram messages (inline keyboards, link lists, voice).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from shared.domain.channels import BUTTON_DATA_BYTES


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


class Text(BaseModel):
    type: Literal["text"] = "text"
    text: str
    buttons: list[Button] = Field(default_factory=list)


class Audio(BaseModel):
    type: Literal["audio"] = "audio"
    url: str  # signed, expiring HTTPS URL of an m4a (LINE) or ogg/mp3 (Telegram) file
    duration_ms: int
    mime: str = "audio/mp4"
    buttons: list[Button] = Field(default_factory=list)


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
    buttons: list[Button] = Field(default_factory=list)
    suggestions: list[Card] = Field(default_factory=list)
    suggestions_title: str = ""


OutMessage = Annotated[Text | Audio | Cards, Field(discriminator="type")]
