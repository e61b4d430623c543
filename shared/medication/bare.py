"""Commands that name no medication: "done", "took it", "delete the medicine".

The parser (parser.py) refuses them on purpose: they do not say WHICH medication. The
medication service reads them here so it can ask back with buttons instead of guessing
(or, worse, sending the sentence to a model).
"""

from __future__ import annotations

import re
from typing import Final

from shared.medication.models import ParsedCommand
from shared.medication.text import clean, fold

_EN_MED: Final = r"(?:medicine|medication|medications|meds|med|pill|pills|tablet|tablets|dose)"
_RU_MED: Final = r"(?:лекарство|лекарства|таблетку|таблетки|препарат|дозу)"

_DONE: Final = re.compile(
    "^(?:"
    # English
    r"done|all done|ok done|taken|took|took (?:it|them|both)|i took (?:it|them|both)"
    rf"|(?:i ?)?(?:took|have taken|'ve taken|ve taken) (?:my |the )?{_EN_MED}"
    r"|i(?: have|'ve|ve) taken (?:it|them)|just took (?:it|them)"
    # Russian
    rf"|(?:я |мы )?(?:уже )?(?:выпил|выпила|выпили|принял|приняла|приняли)"
    rf"(?: (?:{_RU_MED}|его|их|все))?"
    r"|(?:уже )?(?:принято|выпито)(?: все)?|(?:все|всё) (?:принято|выпито)"
    r"|готово|сделано"
    # Traditional Chinese
    r"|(?:我)?(?:已經|已)?(?:吃了|吃過了|吃完了|吃藥了|服用了|服藥了)|已服用|已吃|完成"
    ")$"
)

_DELETE: Final = re.compile(
    "^(?:"
    rf"(?:delete|remove|cancel)(?: (?:the|my|a|this|that))?(?: (?:{_EN_MED}|reminder|it))?"
    rf"|(?:удали|удалить|удалите|убери|уберите)(?: (?:{_RU_MED}|напоминание|его))?"
    r"|(?:請)?(?:刪除|刪掉|移除|取消)(?:這個)?(?:藥|藥物|藥品|提醒)?"
    ")$"
)


def bare_command(text: str) -> ParsedCommand | None:
    """'done' or 'delete' without a medication, or None."""
    folded = " ".join(fold(clean(text)).split()).strip(" .!?。！？")
    if _DONE.match(folded):
        return ParsedCommand(kind="done")
    if _DELETE.match(folded):
        return ParsedCommand(kind="delete")
    return None
