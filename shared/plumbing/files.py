"""Where a user's files live in the private bucket: <area>/<user key>/<name>.

The areas are fixed here because each has its own lifecycle rule in Terraform
(infra/terraform/storage.tf: audio kept a day, handouts and reports for their link's
life, archives for clinical review). Features declare which areas they own (Feature.files), and
"delete my data" deletes the user's prefix in every registered area.
"""

from __future__ import annotations

from typing import Final

from shared.domain.storage_keys import validate_key

AUDIO: Final = "audio"
HANDOUTS: Final = "handouts"
ARCHIVE: Final = "archive"
CALENDAR_FILES: Final = "calendar"  # the schedule as .ics, opened through a signed link
REPORTS: Final = "reports"  # the doctor's reports (features/supply)
FILE_AREAS: Final = (AUDIO, HANDOUTS, ARCHIVE, CALENDAR_FILES, REPORTS)


def user_file_key(area: str, user_key: str, name: str) -> str:
    """Where a user's file lives (user_key is validated in channels.user_key)."""
    if area not in FILE_AREAS:
        raise ValueError(f"unknown storage area: {area}")
    return validate_key(f"{area}/{user_key}/{name}")
