"""The local Gemini-protocol server, unscripted (what `make dev ARGS=--local-gemini`
shows): its references and search suggestions are about the topic asked, shaped like
the real API's, and its own text never repeats the prompt. Through the real adapter."""

from __future__ import annotations

import pytest

from infra.local.gemini_server import GeminiServer, sources_for, topic_of
from shared.adapters.gemini import GeminiModel, VertexTarget
from shared.domain import prompts
from shared.domain.leaflet_format import normalize
from shared.ports import LlmText
from shared.settings import Settings

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"


def developer_api(server: GeminiServer) -> GeminiModel:
    return GeminiModel("test-key", model=Settings().gemini_model,
                       tts_model=Settings().gemini_tts_model, base_url=server.url,
                       timeout_s=5, sleep=lambda _s: None)


def vertex(server: GeminiServer) -> GeminiModel:
    from google.oauth2.credentials import Credentials

    target = VertexTarget("medbot-prod", "global", credentials=Credentials(token="sa-token"))
    return GeminiModel(vertex=target, model=Settings().gemini_model,
                       tts_model=Settings().gemini_tts_model, base_url=server.url,
                       timeout_s=5, sleep=lambda _s: None)


def _leaflet(model: GeminiModel, topic: str, language: str = "en") -> LlmText:
    return model.generate(prompts.leaflet_system(language), prompts.leaflet_prompt(topic),
                          grounded=True)


@pytest.mark.parametrize("topic", ["diabetes", "糖尿病", "астма"])
def test_references_and_suggestions_are_about_the_topic_asked(gemini_server: GeminiServer,
                                                              topic: str) -> None:
    answer = _leaflet(developer_api(gemini_server), topic)

    assert answer.sources and all(topic in s.title for s in answer.sources)
    assert all(s.url.startswith(REDIRECT) for s in answer.sources)
    assert [s.query for s in answer.suggestions] == [topic, f"{topic} patient information"]
    assert topic in answer.search_html
    other = _leaflet(developer_api(gemini_server), "hypertension")
    assert not {s.url for s in answer.sources} & {s.url for s in other.sources}
    assert not any("hypertension" in s.title for s in answer.sources)


def test_the_answer_text_is_about_the_topic_and_never_repeats_the_prompt(
        gemini_server: GeminiServer) -> None:
    answer = _leaflet(developer_api(gemini_server), "diabetes", "zh-TW")

    assert "Local Gemini answer" in answer.text and "diabetes" in answer.text
    for internal in ("<data>", "Write a leaflet", "NOT_HEALTH", '{"topic"'):
        assert internal not in answer.text
    # It answers in Markdown, as models often do: MedBot's leaflet format cleans it.
    assert "**" in answer.text and "**" not in normalize(answer.text)


def test_a_revision_searches_its_topic_not_the_leaflet_text(gemini_server: GeminiServer) -> None:
    model = developer_api(gemini_server)
    answer = model.generate(prompts.leaflet_system("en"),
                            prompts.leaflet_modify_prompt("# Old text\nLong leaflet…",
                                                          "shorter", "asthma"), grounded=True)
    assert answer.suggestions[0].query == "asthma"
    assert all("asthma" in s.title for s in answer.sources)
    translation = model.generate(prompts.leaflet_translation_system("ru"),
                                 prompts.leaflet_translation_prompt("# Asthma\n\nText."))
    assert "Asthma" in translation.text and translation.sources == ()


def test_grounding_chunks_are_shaped_like_the_developer_apis(gemini_server: GeminiServer,
                                                             ) -> None:
    _leaflet(developer_api(gemini_server), "flu")
    metadata = gemini_server.responses[-1].body["candidates"][0]["groundingMetadata"]
    chunks = [c["web"] for c in metadata["groundingChunks"]]
    assert [set(c) for c in chunks] == [{"uri", "title"}] * 4  # no domain outside Vertex AI
    assert chunks[0] == chunks[2]  # one page supports two parts: clients deduplicate
    assert [(c["uri"], c["title"]) for c in chunks] == [(u, t) for u, t, _ in sources_for("flu")]
    assert metadata["webSearchQueries"] == ["flu", "flu patient information"]
    assert "searchEntryPoint" in metadata and metadata["groundingSupports"]


def test_vertex_ai_chunks_also_name_their_domain(gemini_server: GeminiServer) -> None:
    _leaflet(vertex(gemini_server), "flu")
    metadata = gemini_server.responses[-1].body["candidates"][0]["groundingMetadata"]
    domains = [c["web"]["domain"] for c in metadata["groundingChunks"]]
    assert domains == ["who.int", "medlineplus.gov", "who.int", "hpa.gov.tw"]


@pytest.mark.parametrize(("prompt", "topic"), [
    (prompts.leaflet_prompt("back pain"), "back pain"),
    (prompts.leaflet_modify_prompt("■ Flu\nRest.", "shorter"), "Flu"),
    (prompts.leaflet_translation_prompt("**Asthma**\n\nText."), "Asthma"),
    ("Just a question about sleep", "Just a question about sleep"),
    ("<data>not json</data>", "<data>not json</data>"),
    ("", "health"),
])
def test_the_topic_of_a_prompt(prompt: str, topic: str) -> None:
    assert topic_of(prompt) == topic
