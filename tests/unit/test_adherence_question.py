import pytest

from shared.medication.adherence import asks_for_adherence
from tests.unit import medication_corpus as corpus


@pytest.mark.parametrize("text", ["how did I do this week?", "How am I doing?", "my adherence",
                                  "Как я справился за неделю?", "итоги за неделю",
                                  "這週的服藥狀況如何？", "我這週吃得怎麼樣"])
def test_adherence_questions_in_three_languages(text):
    assert asks_for_adherence(text)


def test_no_schedule_command_of_the_corpus_reads_as_an_adherence_question():
    texts = [case.text for case in corpus.CASES]
    assert len(texts) > 800
    assert [t for t in texts if asks_for_adherence(t)] == []
