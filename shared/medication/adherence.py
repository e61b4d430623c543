"""Questions that ask for the adherence summary ("how did I do this week?").

Not a schedule command (nothing changes), so the parser does not read them; the
medication service answers them with the weekly summary.
"""

from __future__ import annotations

import re
from typing import Final

from shared.medication.text import clean, fold

_ASKS: Final = re.compile(
    "(?:"
    # English
    r"how (?:did|am|have) i (?:do|doing|done)|how(?:'s| is) my (?:adherence|progress)"
    r"|(?:my )?adherence|(?:weekly|week's) (?:summary|report)|this week's (?:summary|report)"
    # Russian
    r"|как (?:я )?(?:справ(?:ился|илась|ляюсь)|прошла неделя)|(?:итоги|статистика) за неделю"
    r"|как у меня (?:дела )?с (?:лекарствами|приёмом|приемом)"
    # Traditional Chinese
    r"|這(?:週|周|星期)(?:的)?(?:服藥|吃藥)?(?:狀況|情況|紀錄|記錄|表現)"
    r"|(?:服藥|吃藥)(?:的)?(?:狀況|情況|紀錄|記錄|表現)|我(?:這週|這周|這星期)?(?:做得|吃得)(?:怎麼樣|如何)"
    ")"
)


def asks_for_adherence(text: str) -> bool:
    return bool(_ASKS.search(fold(clean(text))))
