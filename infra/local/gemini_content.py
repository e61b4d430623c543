"""What the local Gemini-protocol server says when a test has scripted nothing (pure).

* The topic of a request: the data the prompt quotes (a `topic` value first, else the
  first line of the longest value), else the prompt's first words. The server's
  search queries and its sources are about that topic, as a real grounded answer's
  are about what the model searched for: a diabetes leaflet gets diabetes pages.
* Sources: grounding chunks as the reference describes them (`web.uri` a redirect
  through vertexaisearch.cloud.google.com, `web.title` "the title of the retrieved web
  page"; `web.domain` only on Vertex AI, "only populated when using the Vertex AI
  Gemini API"), one of them twice, as real answers repeat a page that supports two
  parts of the text.
* Text: a short answer about the topic that says it comes from the local server, in
  light Markdown, as real models often answer even when asked for plain text (so the
  local stack shows MedBot cleaning it). It never repeats the prompt.
"""

from __future__ import annotations

import json
import re
from typing import Final

from infra.local import gemini_wire as wire

Source = tuple[str, str, str]  # (uri, title, domain)

LOCAL_ANSWER_MARK: Final = "Local Gemini answer"
_DATA_BLOCK: Final = re.compile(r"<data>(.*?)</data>", re.DOTALL)
_MARKUP: Final = re.compile(r"^[\s#>*■•\-]+|[*_`]+")
_TOPIC_CHARS: Final = 60
# Reputable sites and how their page titles read, for any topic.
_SITES: Final = (
    ("who.int", "{topic} - World Health Organization (WHO)"),
    ("medlineplus.gov", "{topic} | MedlinePlus"),
    ("hpa.gov.tw", "{topic} - 衛生福利部國民健康署"),
)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        clean = _MARKUP.sub("", line).strip()
        if clean:
            return clean
    return ""


def topic_of(prompt: str) -> str:
    """What a prompt is about: its quoted topic, else the first line of its longest
    quoted value, else its first words."""
    match = _DATA_BLOCK.search(prompt)
    values: dict[str, str] = {}
    if match:
        try:
            data = json.loads(match.group(1))
        except ValueError:
            data = None
        if isinstance(data, dict):
            values = {k: v for k, v in data.items() if isinstance(v, str) and v.strip()}
    if "topic" in values:
        found = " ".join(values["topic"].split())
    elif values:
        found = _first_line(max(values.values(), key=len))
    else:
        found = " ".join(prompt.split())
    return found[:_TOPIC_CHARS] or "health"


def sources_for(topic: str) -> tuple[Source, ...]:
    """(uri, title, domain) of the grounding chunks for a search about `topic`; the
    first page appears twice. Each topic gets its own links."""
    pages = [(wire.redirect_uri(index, f"{site} {topic}"), title.format(topic=topic), site)
             for index, (site, title) in enumerate(_SITES)]
    return (pages[0], pages[1], pages[0], pages[2])


def local_answer(topic: str) -> str:
    """The server's own answer about `topic`, labelled as local."""
    return (f"# {topic}\n\n**{LOCAL_ANSWER_MARK}** about {topic}: the local Gemini-protocol "
            "server wrote this, not a model.\n\n"
            "## Overview\n* A real model would explain the topic here.\n\n"
            "## What to do now\n1. Ask your care team about your own situation.\n\n"
            "This is general information, not medical advice.")
