"""Everything both fake platforms know, and what simulated users do.

PlatformState holds the configuration (secrets, tokens, webhook URLs, users, clock), the
chats as the page shows them, the API calls the bot made, the webhooks posted and the
faults to inject. Each platform's own behaviour lives in its module (line.py,
telegram.py: `state.line`, `state.telegram`); the methods of the original single-module
server (`line_push`, `telegram_call`, ...) stay here as one-line delegations, so tests and
tools keep one object to drive.

Thread-safe: one re-entrant lock (`lock`) guards every record; webhooks are posted
outside it, because the bot may call the API back while its webhook is running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import requests

from infra.local.platforms.groups import GroupChats, SimGroup
from infra.local.platforms.line import LinePlatform
from infra.local.platforms.line_menus import LineRichMenus
from infra.local.platforms.records import (
    DEFAULT_USERS,
    ApiCall,
    ChannelName,
    ChatConflict,
    ChatEntry,
    ClockNow,
    Fault,
    Json,
    Media,
    SimUser,
    Webhook,
    WebhookResult,
    line_id,
)
from infra.local.platforms.telegram import TelegramPlatform
from infra.local.platforms.telegram_menus import TelegramMenus
from shared.fakes.platform_rules import MediaLookup

MEDIA_FETCH_TIMEOUT_S = 5.0


class PlatformState:
    """Everything both fake platforms know. Thread-safe; webhooks are posted outside
    the lock, because the bot may call the API back while its webhook is running."""

    def __init__(
        self,
        *,
        # Local-only defaults: this server is never exposed and guards nothing real.
        line_channel_secret: str = "local-line-channel-secret",  # noqa: S107
        line_access_token: str = "local-line-access-token",  # noqa: S107
        telegram_token: str = "123456789:LOCAL-telegram-token",  # noqa: S107
        telegram_secret: str = "local-telegram-secret",  # noqa: S107
        line_webhook_url: str | None = None,
        telegram_webhook_url: str | None = None,
        users: Sequence[SimUser] = DEFAULT_USERS,
        clock_now: ClockNow | None = None,
        webhook_timeout_s: float = 30.0,
        media: MediaLookup | None = None,
        https_origins: Sequence[str] = (),
    ) -> None:
        self.line_channel_secret = line_channel_secret
        self.line_access_token = line_access_token
        self.line_bot_user_id = line_id("medbot-bot")
        self.telegram_token = telegram_token
        self.telegram_secret = telegram_secret
        self.line_webhook_url = line_webhook_url
        self.telegram_webhook_url = telegram_webhook_url
        self.users = {u.key: u for u in users}
        self.clock_now = clock_now
        self.webhook_timeout_s = webhook_timeout_s
        # How the platforms get at the files the bot links to (None: not fetchable).
        self.media = media
        # Plain-HTTP origins that stand for HTTPS here (the local stack has no TLS).
        self.https_origins = tuple(https_origins)

        self.calls: list[ApiCall] = []
        self.webhooks: list[WebhookResult] = []
        self.answered_callbacks: list[str] = []
        self.version = 0  # bumps on every change the page should show
        self.lock = threading.RLock()
        self._entries: list[ChatEntry] = []
        self._entry_seq = 0
        self._loading_until: dict[tuple[ChannelName, str], float] = {}
        self._last_webhook: dict[ChannelName, tuple[str, bytes, dict[str, str]]] = {}
        self._faults: list[Fault] = []
        self._blocked: set[tuple[ChannelName, str]] = set()  # (channel, chat id)
        self._released = threading.Event()  # set on stop: hung requests give up
        self.groups = GroupChats(self)
        # Last: the platforms read the records above.
        self.line = LinePlatform(self)
        self.line_menus = LineRichMenus(self)
        self.telegram = TelegramPlatform(self)
        self.telegram_menus = TelegramMenus(self)

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        """Unix seconds on the simulated clock if one is given (timestamps, 48 h rule);
        reply-token expiry uses real monotonic time, as LINE's servers do."""
        return self.clock_now().timestamp() if self.clock_now else time.time()

    def bump(self) -> None:
        self.version += 1

    # ------------------------------------------------------------------ users
    def user(self, key: str | SimUser) -> SimUser:
        if isinstance(key, SimUser):
            return key
        if key in self.users:
            return self.users[key]
        for user in self.users.values():
            if key in (user.line_user_id, str(user.telegram_id)):
                return user
        raise KeyError(f"unknown simulated user {key!r}")

    def chat_id(self, channel: ChannelName, user: str | SimUser) -> str:
        who = self.user(user)
        return who.line_user_id if channel == "line" else str(who.telegram_id)

    def _resolve_chat(self, channel: ChannelName, chat: str | SimUser) -> str:
        try:
            return self.chat_id(channel, chat)
        except KeyError:
            return str(chat)

    # ------------------------------------------------------------------ reading (tests)
    def entries(self, channel: ChannelName, chat: str | SimUser) -> list[ChatEntry]:
        """The chat's bubbles in order (user and bot). `chat`: user key or chat id."""
        return self.chat_entries(channel, self._resolve_chat(channel, chat))

    def chat_entries(self, channel: ChannelName, chat_id: str) -> list[ChatEntry]:
        """The bubbles of exactly this chat id (no user lookup)."""
        with self.lock:
            return [e for e in self._entries if e.channel == channel and e.chat_id == chat_id]

    def bot_entries(self, channel: ChannelName, chat: str | SimUser) -> list[ChatEntry]:
        return [e for e in self.entries(channel, chat) if e.sender == "bot" and not e.deleted]

    def bot_texts(self, channel: ChannelName, chat: str | SimUser) -> list[str]:
        return [e.text for e in self.bot_entries(channel, chat) if e.kind == "text"]

    def calls_to(self, channel: ChannelName, endpoint: str | None = None) -> list[ApiCall]:
        with self.lock:
            return [
                c for c in self.calls
                if c.channel == channel and (endpoint is None or c.endpoint == endpoint)
            ]

    def calls_of(self, channel: ChannelName, chat: str | SimUser) -> list[ApiCall]:
        """The API calls the bot made for this chat (user key or chat id), in order."""
        chat_id = self._resolve_chat(channel, chat)
        with self.lock:
            return [c for c in self.calls if c.channel == channel and c.chat_id == chat_id]

    def blocked(self, channel: ChannelName, chat: str | SimUser) -> bool:
        """The user has blocked the bot (LINE: unfollowed it; Telegram: stopped it)."""
        chat_id = self._resolve_chat(channel, chat)
        with self.lock:
            return (channel, chat_id) in self._blocked

    def loading(self, channel: ChannelName, chat: str | SimUser) -> bool:
        chat_id = self._resolve_chat(channel, chat)
        with self.lock:
            return self._loading_until.get((channel, chat_id), 0.0) > time.time()

    # ------------------------------------------------------------------ control (tests)
    def fail_next(
        self,
        count: int = 1,
        *,
        mode: Literal["error", "hang"] = "error",
        status: int = 500,
        channel: ChannelName | None = None,
        hang_s: float = 30.0,
        after: int = 0,
        retry_after: int = 1,
    ) -> None:
        """The next `count` API calls (of `channel`, or any) answer `status`, or hang
        for `hang_s` seconds (then 504) so that the client's timeout fires. `after`
        lets that many matching calls succeed first (a failure mid-way through a send).
        A 429 carries `retry_after` seconds, as the platform's hint."""
        with self.lock:
            self._faults.extend(
                Fault(mode, status, channel, hang_s, after if i == 0 else 0, retry_after)
                for i in range(count)
            )

    def take_fault(self, channel: ChannelName) -> Fault | None:
        with self.lock:
            for i, fault in enumerate(self._faults):
                if fault.channel in (None, channel):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    return self._faults.pop(i)
        return None

    def fault_status(self, channel: ChannelName) -> tuple[int, Fault] | None:
        """The status this call fails with, if a fault is due: a hang is held (until
        `hang_s` passes or the server stops) and then answers 504."""
        fault = self.take_fault(channel)
        if fault is None:
            return None
        if fault.mode == "hang":
            self.wait_hung(fault.hang_s)
            return 504, fault
        return fault.status, fault

    def wait_hung(self, seconds: float) -> None:
        self._released.wait(seconds)

    def release(self) -> None:
        self._released.set()

    def clear(self, channel: ChannelName | None = None, chat: str | SimUser | None = None) -> None:
        with self.lock:
            chat_id = self._resolve_chat(channel, chat) if channel and chat else None
            self._entries = [
                e for e in self._entries
                if not ((channel is None or e.channel == channel)
                        and (chat_id is None or e.chat_id == chat_id))
            ]
            self.bump()

    # ------------------------------------------------------------------ recording
    def add_entry(self, **fields: Any) -> ChatEntry:
        with self.lock:
            self._entry_seq += 1
            entry = ChatEntry(id=self._entry_seq, at=self.now(), **fields)
            self._entries.append(entry)
            self.bump()
            return entry

    def record_call(self, call: ApiCall) -> None:
        with self.lock:
            self.calls.append(replace(call, at=self.now()))

    def start_loading(self, channel: ChannelName, chat_id: str, seconds: float) -> None:
        with self.lock:
            self._loading_until[(channel, chat_id)] = time.time() + seconds
            self.bump()

    def stop_loading(self, channel: ChannelName, chat_id: str) -> None:
        """A message from the bot ends the loading animation / typing status."""
        with self.lock:
            self._loading_until.pop((channel, chat_id), None)

    def fetch_media(self, url: str) -> bytes | None:
        """A linked file as the platform would fetch it: through `media`, else over
        plain HTTP from a local origin; None when it cannot be fetched from here."""
        if self.media is not None:
            found = self.media(url)
            if found is not None:
                return found
        if not any(url.startswith(o.rstrip("/") + "/") for o in self.https_origins):
            return None
        try:
            answer = requests.get(url, timeout=MEDIA_FETCH_TIMEOUT_S)
        except requests.RequestException:
            return None
        return answer.content if answer.status_code == 200 else None

    # ================================================================== user side
    def send_text(self, channel: ChannelName, user: str | SimUser, text: str) -> WebhookResult:
        """The user types `text` (Telegram: "/start" is a command like any other). In a
        chat where the user blocked the bot only Telegram's "/start" goes through: the
        app's Restart button unblocks the bot, then sends it."""
        who = self.user(user)
        if channel == "telegram" and text.strip() == "/start" and self.blocked(channel, who):
            self.unblock(channel, who)
        self._check_not_blocked(channel, who)
        return self._deliver(channel, self._platform(channel).send_text(who, text))

    def tap(
        self,
        channel: ChannelName,
        user: str | SimUser,
        data: str,
        *,
        label: str | None = None,
        message_id: int | None = None,
    ) -> WebhookResult:
        """The user taps a button: a LINE postback, or a Telegram callback_query on the
        bot message `message_id` (default: the latest bot message with that data)."""
        who = self.user(user)
        self._check_not_blocked(channel, who)
        hook = self._platform(channel).tap(who, data, label=label, message_id=message_id)
        return self._deliver(channel, hook)

    def send_audio(
        self,
        channel: ChannelName,
        user: str | SimUser,
        data: bytes,
        *,
        mime: str = "audio/x-m4a",
        duration_ms: int = 3000,
    ) -> WebhookResult:
        """The user sends a voice message (LINE audio; Telegram voice if OGG, else audio)."""
        who = self.user(user)
        self._check_not_blocked(channel, who)
        hook = self._platform(channel).send_audio(who, data, mime=mime, duration_ms=duration_ms)
        return self._deliver(channel, hook)

    def follow(self, channel: ChannelName, user: str | SimUser) -> WebhookResult:
        """The user adds the bot (LINE follow event; Telegram '/start'); in a chat where
        they blocked it, this unblocks it (and Telegram's Restart also sends '/start')."""
        who = self.user(user)
        if channel == "telegram":
            return self.send_text(channel, who, "/start")
        if self.blocked(channel, who):
            return self.unblock(channel, who)
        return self._deliver(channel, self.line.follow(who))

    def block(self, channel: ChannelName, user: str | SimUser) -> WebhookResult:
        """The user blocks the bot: LINE posts an unfollow event, Telegram a my_chat_member
        update (member -> kicked). From then on LINE drops what the bot sends them (and
        answers 200, as LINE does) and Telegram refuses it (403 "Forbidden: bot was
        blocked by the user"). ChatConflict if they have blocked it already."""
        who = self.user(user)
        with self.lock:
            key = (channel, self.chat_id(channel, who))
            if key in self._blocked:
                raise ChatConflict("the user has blocked the bot already")
            self._blocked.add(key)
            self.bump()
        return self._deliver(channel, self._platform(channel).block(who))

    def unblock(self, channel: ChannelName, user: str | SimUser) -> WebhookResult:
        """The user unblocks the bot: LINE posts a follow event (follow.isUnblocked),
        Telegram a my_chat_member update (kicked -> member). ChatConflict if the bot is
        not blocked."""
        who = self.user(user)
        with self.lock:
            key = (channel, self.chat_id(channel, who))
            if key not in self._blocked:
                raise ChatConflict("the user has not blocked the bot")
            self._blocked.discard(key)
            self.bump()
        return self._deliver(channel, self._platform(channel).unblock(who))

    def add_to_group(self, channel: ChannelName, user: str | SimUser,
                     title: str = "Family", *, room: bool = False) -> tuple[SimGroup,
                                                                         WebhookResult]:
        """The user adds the bot to a new group chat (LINE: a group, or a room with
        `room`): LINE posts a join event, Telegram my_chat_member and the service
        message that lists the bot in new_chat_members. The group and the last
        webhook's result."""
        who = self.user(user)
        group = self.groups.create(channel, who.key, title, room=room and channel == "line")
        hooks = [self.line.join(who, group)] if channel == "line" \
            else self.telegram.join(who, group)
        results = [self._deliver(channel, hook) for hook in hooks]
        return group, next((r for r in results if r.status != 200), results[-1])

    def say_in_group(self, channel: ChannelName, user: str | SimUser, group_id: str,
                     text: str) -> WebhookResult:
        """The user writes in a group chat the bot is in."""
        who = self.user(user)
        group = self.groups.with_bot(channel, group_id)
        if group is None:
            raise KeyError("no such group with the bot in it")
        platform = self.line if channel == "line" else self.telegram
        return self._deliver(channel, platform.say_in_group(who, group, text))

    def post_soon(self, channel: ChannelName, hook: Webhook) -> None:
        """A webhook the platform sends after answering an API call (the bot left a
        group): posted from another thread, so the bot's call returns first."""
        threading.Thread(target=self._deliver, args=(channel, hook), daemon=True,
                         name="platform-follow-up").start()

    def _check_not_blocked(self, channel: ChannelName, who: SimUser) -> None:
        """A blocked chat has no composer: LINE shows "Unblock", Telegram "Restart"."""
        if self.blocked(channel, who):
            raise ChatConflict("the user has blocked the bot: unblock it first")

    def redeliver_last(self, channel: ChannelName) -> WebhookResult:
        """Post the last webhook again, as a platform retry would (LINE marks it
        isRedelivery; the event id and update_id stay the same)."""
        with self.lock:
            if channel not in self._last_webhook:
                raise KeyError("nothing delivered yet")
            url, body, headers = self._last_webhook[channel]
        return self._post(channel, url, self._platform(channel).redelivery(body, headers))

    def _platform(self, channel: ChannelName) -> LinePlatform | TelegramPlatform:
        return self.line if channel == "line" else self.telegram

    def _deliver(self, channel: ChannelName, hook: Webhook) -> WebhookResult:
        url = self.line_webhook_url if channel == "line" else self.telegram_webhook_url
        return self._post(channel, url, hook)

    def _post(self, channel: ChannelName, url: str | None, hook: Webhook) -> WebhookResult:
        status: int | None = None
        error: str | None = None
        started = time.monotonic()
        if hook.withheld:
            error = "not delivered: the bot did not subscribe to this update type"
        elif url:
            with self.lock:
                self._last_webhook[channel] = (url, hook.body, hook.headers)
            try:
                answer = requests.post(url, data=hook.body, headers=hook.headers,
                                       timeout=self.webhook_timeout_s)
                status = answer.status_code
            except requests.RequestException as exc:
                error = type(exc).__name__
        else:
            error = "no webhook URL configured"
        result = WebhookResult(channel, status, int((time.monotonic() - started) * 1000),
                               hook.body, hook.headers, hook.event_id, hook.reply_token, error)
        with self.lock:
            self.webhooks.append(result)
        return result

    # ================================================ the single-module API, delegated
    def issue_reply_token(self, chat_id: str) -> str:
        """A fresh LINE reply token for chat_id, as a webhook would carry."""
        return self.line.issue_reply_token(chat_id)

    def expire_reply_tokens(self) -> None:
        """Age every issued reply token past LINE's one-minute limit."""
        self.line.expire_reply_tokens()

    def add_line_audio(
        self, data: bytes, *, mime: str = "audio/x-m4a", preparing: int = 0
    ) -> str:
        """Store audio as if a user had sent it on LINE; returns the message id."""
        return self.line.add_audio(data, mime=mime, preparing=preparing)

    def add_telegram_file(self, data: bytes, *, mime: str = "audio/ogg") -> tuple[str, str]:
        """Store a file as if a user had sent it on Telegram; returns (file_id, path)."""
        return self.telegram.add_file(data, mime=mime)

    def line_reply(self, body: Json) -> Json:
        return self.line.reply(body)

    def line_push(self, body: Json, retry_key: str | None) -> Json:
        return self.line.push(body, retry_key)

    def line_loading(self, body: Json) -> None:
        self.line.loading(body)

    def line_content(self, message_id: str) -> Media | None:
        return self.line.content(message_id)

    def line_profile(self, user_id: str) -> Json:
        return self.line.profile(user_id)

    @property
    def telegram_bot_user(self) -> Json:
        return self.telegram.bot_user

    def telegram_call(self, method: str, params: Json, files: Mapping[str, bytes]) -> Any:
        return self.telegram.call(method, params, files)

    def telegram_file(self, path: str) -> Media | None:
        return self.telegram.file(path)

    def telegram_file_by_id(self, file_id: str) -> Media | None:
        return self.telegram.file_by_id(file_id)
