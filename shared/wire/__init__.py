"""What the platforms receive, as pure data: LINE Messaging API JSON, Telegram Bot API
calls, RFC 5322 e-mail (no SDK, no I/O). The adapters send exactly this, and the
in-memory fakes check exactly this against the platforms' rules, so a flow test on the
fakes fails where the real platform would refuse a message."""
