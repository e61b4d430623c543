"""Where the care circle keeps its state (the only module that knows these paths).

care_circles/{patient}   the patient's own circle: link ids (no caregiver keys) and
                         their alert delay; read by the reminder send to know whether
                         to plan an alert at all (one read)
care_links/{link id}     one per patient-caregiver pair: user_id = patient,
                         caregiver_id = caregiver (erased with either)
care_invites/{digest}    an invite, keyed by the code's hash (the code is never stored)
care_alerts/{alert id}   one per dose slot and caregiver: created once, holds the sent
                         message ids and who handled it
care_tries/{user}        wrong codes in the current hour (brute-force limit)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from shared.features.circle.model import DEFAULT_SHARES, Invite, Link, Share
from shared.ports import Doc, DocumentStore, Filter, Transaction

CIRCLES: Final = "care_circles"
LINKS: Final = "care_links"
INVITES: Final = "care_invites"
ALERTS: Final = "care_alerts"
TRIES: Final = "care_tries"
CAREGIVER_FIELD: Final = "caregiver_id"


def circle_path(patient: str) -> str:
    return f"{CIRCLES}/{patient}"


def link_path(link: str) -> str:
    return f"{LINKS}/{link}"


def invite_path(digest: str) -> str:
    return f"{INVITES}/{digest}"


def alert_path(alert: str) -> str:
    return f"{ALERTS}/{alert}"


def tries_path(user: str) -> str:
    return f"{TRIES}/{user}"


def link_doc(link: Link) -> Doc:
    return {"user_id": link.patient, CAREGIVER_FIELD: link.caregiver,
            "patient_name": link.patient_name, "caregiver_label": link.caregiver_label,
            "shares": sorted(s.value for s in link.shares), "created_at": link.created_at}


def link_from(link_id: str, doc: Doc) -> Link:
    shares = doc.get("shares")
    known = {s.value for s in Share}
    return Link(
        id=link_id, patient=str(doc.get("user_id") or ""),
        caregiver=str(doc.get(CAREGIVER_FIELD) or ""),
        patient_name=str(doc.get("patient_name") or ""),
        caregiver_label=str(doc.get("caregiver_label") or ""),
        shares=frozenset(Share(s) for s in shares if s in known)
        if isinstance(shares, list) else DEFAULT_SHARES,
        created_at=doc.get("created_at") if isinstance(doc.get("created_at"), datetime) else None)


def invite_doc(invite: Invite) -> Doc:
    doc: Doc = {"user_id": invite.patient, "name": invite.name,
                "expires_at": invite.expires_at, "used": invite.used}
    if invite.claimed_by:
        doc[CAREGIVER_FIELD] = invite.claimed_by
    return doc


def invite_from(doc: Doc | None) -> Invite | None:
    if doc is None or not isinstance(doc.get("expires_at"), datetime):
        return None
    return Invite(patient=str(doc.get("user_id") or ""), name=str(doc.get("name") or ""),
                  expires_at=doc["expires_at"], used=bool(doc.get("used")),
                  claimed_by=str(doc.get(CAREGIVER_FIELD) or ""))


class CircleRepository:
    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def links_of_patient(self, patient: str) -> list[Link]:
        rows = self.store.query(LINKS, [Filter("user_id", "==", patient)], limit=50)
        return sorted((link_from(path.rsplit("/", 1)[1], doc) for path, doc in rows),
                      key=_created)

    def links_of_caregiver(self, caregiver: str) -> list[Link]:
        rows = self.store.query(LINKS, [Filter(CAREGIVER_FIELD, "==", caregiver)], limit=50)
        return sorted((link_from(path.rsplit("/", 1)[1], doc) for path, doc in rows),
                      key=_created)

    def link(self, link_id: str) -> Link | None:
        doc = self.store.get(link_path(link_id))
        return link_from(link_id, doc) if doc is not None else None

    def alerts_of_group(self, group: str) -> list[tuple[str, Doc]]:
        rows = self.store.query(ALERTS, [Filter("group", "==", group)], limit=50)
        return [(path.rsplit("/", 1)[1], doc) for path, doc in rows]

    @staticmethod
    def live_links(txn: Transaction, patient: str) -> list[Link]:
        """The patient's links, read in a transaction through their circle document
        (a link erased with its caregiver drops out here)."""
        circle = txn.get(circle_path(patient)) or {}
        found = []
        for lid in circle.get("links") or []:
            doc = txn.get(link_path(str(lid)))
            if doc is not None:
                found.append(link_from(str(lid), doc))
        return sorted(found, key=_created)

    @staticmethod
    def circle_doc(patient: str, links: Iterable[Link], before: Doc | None) -> Doc:
        return {**(before or {}), "links": [link.id for link in links]}


def _created(link: Link) -> float:
    return link.created_at.timestamp() if link.created_at else 0.0
