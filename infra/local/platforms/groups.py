"""Group chats on the fake platforms: a simulated user adds the bot to a group, the bot
talks there and leaves (LINE leave group / leave room; Telegram leaveChat).

What each platform posts, from its reference:
* LINE: a join event (source {"type": "group", "groupId"} or a room's "roomId", with a
  reply token) when the bot is added; a leave event (no reply token) when it leaves
  ("when your LINE Official Account leaves a group chat or multi-person chat").
* Telegram: a my_chat_member update (left -> member, from the user who added it) and
  the service message with new_chat_members [the bot]; when the bot calls leaveChat, a
  my_chat_member update (member -> left). Calls into a group the bot left answer 403.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from infra.local.platforms.records import ChannelName, Json

if TYPE_CHECKING:
    from infra.local.platforms.state import PlatformState


@dataclass
class SimGroup:
    """A group chat (LINE group or room; Telegram supergroup) with the bot in it, or
    no longer."""

    channel: ChannelName
    chat_id: str  # LINE "C..." / "R..."; Telegram a negative id, as a string
    title: str
    kind: str  # LINE: group | room; Telegram: supergroup
    members: list[str] = field(default_factory=list)  # user keys
    bot_in: bool = True

    def public(self) -> Json:
        return {"channel": self.channel, "id": self.chat_id, "title": self.title,
                "kind": self.kind, "members": list(self.members), "bot_in": self.bot_in}


class GroupChats:
    """The groups of both platforms (under the state's lock)."""

    def __init__(self, state: PlatformState) -> None:
        self._state = state
        self._groups: dict[tuple[ChannelName, str], SimGroup] = {}
        self._seq = itertools.count(1)

    def create(self, channel: ChannelName, member: str, title: str, *,
               room: bool = False) -> SimGroup:
        """A new group with `member` (a user key) in it, and the bot."""
        with self._state.lock:
            n = next(self._seq)
            if channel == "line":
                digest = hashlib.md5(f"{title}/{n}".encode(), usedforsecurity=False)
                chat_id = ("R" if room else "C") + digest.hexdigest()
                kind = "room" if room else "group"
            else:
                chat_id, kind = str(-(1_001_000_000_000 + n)), "supergroup"
            group = SimGroup(channel, chat_id, title, kind, [member])
            self._groups[(channel, chat_id)] = group
            self._state.bump()
            return group

    def get(self, channel: ChannelName, chat_id: object) -> SimGroup | None:
        with self._state.lock:
            return self._groups.get((channel, str(chat_id)))

    def with_bot(self, channel: ChannelName, chat_id: object) -> SimGroup | None:
        """The group, if the bot is still in it."""
        group = self.get(channel, chat_id)
        return group if group is not None and group.bot_in else None

    def remove_bot(self, group: SimGroup) -> bool:
        """The bot leaves; False if it had left already."""
        with self._state.lock:
            was_in, group.bot_in = group.bot_in, False
            self._state.bump()
            return was_in

    def all(self) -> list[SimGroup]:
        with self._state.lock:
            return list(self._groups.values())
