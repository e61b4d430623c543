"""A local stand-in for the LINE and Telegram platforms, and the chat simulator page.

    records.py     simulated users, chat bubbles, API calls, webhook results, faults
    validators.py  what each platform refuses (shared/fakes/platform_rules.py) in its
                   own error shape, and how what it accepts is shown
    state.py       PlatformState: everything both platforms know, what users do
    groups.py      group chats: the bot added to a group, and leaving it
    line.py        LINE Messaging API (bot side), LINE webhooks (user side), blueprint
    telegram.py    Telegram Bot API (bot side), Telegram updates (user side), blueprint
    simulator.py   the simulator page and its JSON API under /sim/api/
    server.py      create_platform_app and PlatformServer (a background thread)

Bot side: the real SDKs talk to it through their base-URL settings (LINE: the API and
data host is server.url; Telegram: server.telegram_base_url / telegram_file_url).
Requests are validated against the platform rules (shared/fakes/platform_rules.py: 5
messages per call, 5000 UTF-16 units, 13 quick replies with labels of 20, Flex button
labels of 40, flex sizes, HTTPS m4a audio, https/tel/line links; 4096 characters,
captions of 1024, keyboards of 8 a row and 100 buttons, 64-byte callback data, ...) and
answered in the platforms' own error shapes, so adapter bugs show up here, not in prod.
What a platform accepts but degrades is shown degraded: a voice note over 1 MB arrives
as a file (`as_file`), formatting beyond Telegram's 100 entities is dropped, LINE audio
that is not m4a/mp3 is marked `unplayable`. Media are fetched to be checked through
`media` (url -> bytes or None); `https_origins` lists the local plain-HTTP origins that
stand for HTTPS (the local stack has no TLS).

User side: `PlatformState.send_text / tap / send_audio / follow / block / unblock` post
webhooks to the configured URLs, signed as the platforms sign them (LINE
x-line-signature HMAC, Telegram X-Telegram-Bot-Api-Secret-Token), with webhookEventId /
update_id, reply tokens, ids. A user who blocked the bot gets nothing from it (LINE:
200 and dropped; Telegram: 403 "Forbidden: bot was blocked by the user").

Faults: `fail_next(n, mode="error"|"hang")` makes the next n API calls fail (a 429
carries the platform's retry hint: Telegram parameters.retry_after, LINE Retry-After).

Everything the bot sent is kept per chat (`entries`, `bot_texts`, `calls`) for tests and
for the simulator page (GET /), which polls the JSON API under /sim/api/.
Nothing here logs message bodies, audio URLs or tokens (the request log is off because
Telegram's paths contain the bot token).

Standalone: python -m infra.local.platforms --port 8090 --line-webhook URL --telegram-webhook URL
"""

from infra.local.platforms.groups import SimGroup
from infra.local.platforms.line import LINE_REPLY_TOKEN_TTL_S, LinePlatform, line_signature
from infra.local.platforms.records import (
    DEFAULT_USERS,
    WEBHOOK_SLOW_MS,
    ApiCall,
    ApiError,
    ChannelName,
    ChatConflict,
    ChatEntry,
    ClockAdvance,
    ClockNow,
    Json,
    Outbox,
    SimUser,
    WebhookResult,
    ulid,
)
from infra.local.platforms.server import PlatformServer, create_platform_app, main
from infra.local.platforms.simulator import SIMULATOR_DIR
from infra.local.platforms.state import MEDIA_FETCH_TIMEOUT_S, PlatformState
from infra.local.platforms.telegram import (
    TELEGRAM_DELETE_WINDOW_S,
    TELEGRAM_FILE_LIMIT,
    TELEGRAM_UPLOAD_LIMIT,
    TelegramPlatform,
)
from infra.local.platforms.validators import line_message_errors, telegram_segments

__all__ = [
    "DEFAULT_USERS",
    "LINE_REPLY_TOKEN_TTL_S",
    "MEDIA_FETCH_TIMEOUT_S",
    "SIMULATOR_DIR",
    "TELEGRAM_DELETE_WINDOW_S",
    "TELEGRAM_FILE_LIMIT",
    "TELEGRAM_UPLOAD_LIMIT",
    "WEBHOOK_SLOW_MS",
    "ApiCall",
    "ApiError",
    "ChannelName",
    "ChatConflict",
    "ChatEntry",
    "ClockAdvance",
    "ClockNow",
    "Json",
    "LinePlatform",
    "Outbox",
    "PlatformServer",
    "PlatformState",
    "SimGroup",
    "SimUser",
    "TelegramPlatform",
    "WebhookResult",
    "create_platform_app",
    "line_message_errors",
    "line_signature",
    "main",
    "telegram_segments",
    "ulid",
]
