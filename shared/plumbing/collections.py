"""How a collection is registered (Feature.collections), and the two every conversation
has: the user's profile and their session, both keyed by the user key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

USERS: Final = "users"
SESSIONS: Final = "sessions"


def user_path(user_key: str) -> str:
    return f"{USERS}/{user_key}"


def session_path(user_key: str) -> str:
    return f"{SESSIONS}/{user_key}"


class Erase(StrEnum):
    """How "delete my data" finds a user's documents in a collection."""

    BY_FIELD = "user_id"  # every document carries the user's key in `user_id`
    BY_KEY = "key"  # the document id is the user's key
    NOTHING = "nothing"  # no personal data (or none that names a user): TTL only


@dataclass(frozen=True)
class Collection:
    name: str
    erase: Erase
    # Every full write of a document here by a job is also archived as JSON in the
    # private bucket, for clinical review (plumbing/jobkit.py).
    archive: bool = False
    # BY_FIELD: more fields that name a user whose erasure removes the document too
    # (a care-circle link names its patient in user_id and its caregiver here).
    also: tuple[str, ...] = ()
