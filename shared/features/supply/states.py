"""The supply feature's states and intents (its part of the conversation).

    supply.count  how many do you have now? (data: the medication's id), inside
                  medication mode: its rows apply there too, so a typed command still
                  works while the question waits.
    supply.email  which e-mail address gets the report? (data: the report's id)
"""

from __future__ import annotations

from enum import StrEnum


class SupplyState(StrEnum):
    COUNT = "supply.count"
    EMAIL = "supply.email"  # which address gets the report? (data: the report's id)


class SupplyIntent(StrEnum):
    REFILL = "supply.refill"  # "I have 30 tablets of metformin" (medication:refill)
    BUTTON = "supply.button"  # rf:done:<med id> (asks the count), rf:set:<med id>:<n>
    REPORT = "supply.report"  # "report for my doctor", the menu entry (rp)
    REPORT_EMAIL = "supply.report.email"  # rp:mail:<report id>: ask the address
