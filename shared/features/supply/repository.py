"""Where supplies are stored: supplies/{medication id} (the only module that knows it).

One document per medication: the count on hand, when it was set, the last refills, the
slots already counted (idempotency), and whether the patient was told it runs low.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, Final

from shared.features.supply.model import Refilled, Supply
from shared.ports import Doc, DocumentStore, Filter

SUPPLIES: Final = "supplies"

Write = tuple[str, Doc | None]


def supply_path(medication_id: str) -> str:
    return f"{SUPPLIES}/{medication_id}"


def supply_doc(supply: Supply) -> Doc:
    count: Any = int(supply.count) if supply.count.denominator == 1 else float(supply.count)
    return {"user_id": supply.user_id, "medication_id": supply.medication_id,
            "name": supply.name, "count": count, "set_at": supply.set_at,
            "warn_days": supply.warn_days,
            "refills": [{"at": r.at, "count": r.count} for r in supply.refills],
            "counted": list(supply.counted), "warned": supply.warned,
            "out_said": supply.out_said}


def supply_from_doc(medication_id: str, doc: Doc) -> Supply:
    refills = [Refilled(r["at"], int(r.get("count") or 0))
               for r in doc.get("refills") or [] if isinstance(r, dict)
               and isinstance(r.get("at"), datetime)]
    return Supply(medication_id, str(doc.get("user_id")), str(doc.get("name") or ""),
                  Fraction(str(doc.get("count") or 0)).limit_denominator(100),
                  doc["set_at"], int(doc.get("warn_days") or 7), refills,
                  [str(k) for k in doc.get("counted") or []], bool(doc.get("warned")),
                  bool(doc.get("out_said")))


@dataclass
class SupplyRepository:
    store: DocumentStore

    def get(self, medication_id: str, user: str) -> Supply | None:
        """The user's supply of that medication (None: none, or not theirs)."""
        doc = self.store.get(supply_path(medication_id))
        if doc is None or doc.get("user_id") != user or not isinstance(doc.get("set_at"),
                                                                        datetime):
            return None
        return supply_from_doc(medication_id, doc)

    def of_user(self, user: str) -> list[Supply]:
        return [supply_from_doc(path.split("/", 1)[1], doc)
                for path, doc in self.store.query(SUPPLIES, [Filter("user_id", "==", user)])
                if isinstance(doc.get("set_at"), datetime)]

    @staticmethod
    def write(supply: Supply) -> Write:
        return supply_path(supply.medication_id), supply_doc(supply)
