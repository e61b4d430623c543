"""Usage counters (shared/domain/usage.py) and the operator CLI's report on them
(infra/ops.py usage, scheduler commands with a fake scheduler client)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from infra import ops
from shared.adapters.operator_admin import ReminderJob
from shared.domain import usage

AT = datetime(2026, 1, 5, 23, 59, tzinfo=UTC)


def test_bump_creates_then_adds_and_never_stores_zeroes() -> None:
    doc = usage.bump(None, user_key="line-U1", channel="line", at=AT,
                     counts={"action.menu.show_menu": 1, usage.LLM_CALLS: 0})
    assert doc["user_id"] == "line-U1" and doc["day"] == "2026-01-05"
    assert doc["counts"] == {"action.menu.show_menu": 1}
    assert doc["expires_at"] == AT + usage.RETENTION
    again = usage.bump(doc, user_key="line-U1", channel="line", at=AT,
                       counts={"action.menu.show_menu": 2, usage.REMINDERS_SENT: 1})
    assert again["counts"] == {"action.menu.show_menu": 3, usage.REMINDERS_SENT: 1}
    assert doc["counts"] == {"action.menu.show_menu": 1}  # the input is not changed


def test_paths_and_counter_names() -> None:
    assert usage.usage_path("telegram-42", AT) == "usage/2026-01-05_telegram-42"
    assert usage.action_counter("translation.language", "set_target_language") == (
        "action.translation.set_target_language")
    assert usage.reminder_counter("taken") == "reminders.taken"
    assert usage.llm_counts(1, 10, 0, failed=True) == {
        usage.LLM_CALLS: 1, usage.LLM_INPUT_TOKENS: 10, usage.LLM_FAILURES: 1}


def docs() -> list[dict[str, Any]]:
    return [
        {"user_id": "line-U1", "channel": "line", "counts": {
            "action.education.request_leaflet": 2, usage.LLM_CALLS: 2,
            usage.LLM_INPUT_TOKENS: 300, usage.LLM_OUTPUT_TOKENS: 900}},
        {"user_id": "line-U2", "channel": "line", "counts": {usage.REMINDERS_SENT: 3,
                                                             usage.REMINDERS_MISSED: 1}},
        {"user_id": "telegram-7", "channel": "telegram", "counts": {
            "action.medication.medication_command": 1, "action.menu.reminder_taken": 1,
            "reminders.taken": 1, usage.REMINDERS_SENT: 1}},
    ]


def test_report_counts_active_users_per_channel_and_totals() -> None:
    result = usage.report(docs())
    # U2 only received reminders: a user, but not an active one.
    assert result["active_users"] == {"line": 1, "telegram": 1}
    assert result["users"] == {"line": 2, "telegram": 1}
    assert result["counts"]["line.llm.output_tokens"] == 900
    assert result["counts"]["line.reminders.sent"] == 3
    assert result["counts"]["telegram.reminders.taken"] == 1


def run(argv: list[str], **kwargs: Any) -> tuple[int, str]:
    out = io.StringIO()
    args = ops.parser().parse_args(argv)
    command = ops.COMMANDS[args.command]
    code = command(args, out, **kwargs)  # type: ignore[call-arg]
    return code, out.getvalue()


def test_usage_table_per_day_channel_and_actions_per_mode() -> None:
    read = {"2026-01-05": docs(), "2026-01-06": docs()[:1]}
    code, out = run(["usage", "--day", "2026-01-05", "--days", "3"],
                    read=lambda day: read.get(day, []))
    assert code == 0
    lines = out.splitlines()
    header = lines[1].split()
    assert header[:4] == ["day", "channel", "active", "users"]
    row = dict(zip(header, next(ln for ln in lines if ln.startswith("2026-01-05  line")).split(),
                   strict=True))
    assert row["active"] == "1" and row["users"] == "2"
    assert row["llm_calls"] == "2" and row["tokens_out"] == "900"
    assert row["rem_sent"] == "3" and row["rem_missed"] == "1"
    tg = dict(zip(header, next(ln for ln in lines if ln.startswith("2026-01-05  telegram"))
                  .split(), strict=True))
    assert tg["rem_taken"] == "1" and tg["actions"] == "2"
    assert not any(ln.startswith("2026-01-07") for ln in lines)  # a day without usage
    actions = lines[lines.index("actions per mode and channel") + 2:]
    assert ["line", "education", "request_leaflet", "4"] in [a.split() for a in actions]
    assert ["telegram", "menu", "reminder_taken", "1"] in [a.split() for a in actions]


def test_usage_counts_users_who_blocked_or_unfollowed_the_bot() -> None:
    """Issue 13: `ops usage` shows unreachable patients and the reminders withheld."""
    away = [
        {"user_id": "telegram-1", "channel": "telegram", "counts": {usage.UNREACHABLE: 1}},
        {"user_id": "telegram-2", "channel": "telegram",
         "counts": {usage.REMINDERS_WITHHELD: 3}},
        {"user_id": "line-U3", "channel": "line", "counts": {usage.REMINDERS_SENT: 1}},
    ]
    assert usage.report(away)["unreachable_users"] == {"telegram": 2}
    code, out = run(["usage", "--day", "2026-01-05"], read=lambda day: away)
    assert code == 0
    lines = out.splitlines()
    header = lines[1].split()
    rows = {ln.split()[1]: dict(zip(header, ln.split(), strict=True))
            for ln in lines[2:] if ln.startswith("2026-01-05")}
    assert rows["telegram"]["unreachable"] == "2" and rows["telegram"]["rem_withheld"] == "3"
    assert rows["line"]["unreachable"] == "0"


def test_usage_json_and_bad_arguments() -> None:
    code, out = run(["usage", "--day", "2026-01-05", "--json"], read=lambda day: docs())
    assert code == 0
    assert json.loads(out)["2026-01-05"]["users"] == {"line": 2, "telegram": 1}
    assert ops.main(["usage", "--day", "05.01.2026"]) == 2
    assert ops.main(["usage", "--day", "2026-01-05", "--days", "0"]) == 2


class FakeScheduler:
    """The three CloudSchedulerClient methods ReminderJob calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def _job(self, method: str, name: str, state: str) -> Any:
        self.calls.append((method, name))
        return SimpleNamespace(state=SimpleNamespace(name=state))

    def pause_job(self, *, name: str) -> Any:
        return self._job("pause", name, "PAUSED")

    def resume_job(self, *, name: str) -> Any:
        return self._job("resume", name, "ENABLED")

    def run_job(self, *, name: str) -> Any:
        return self._job("run", name, "ENABLED")


@pytest.mark.parametrize(("action", "method", "state"), [
    ("pause", "pause", "PAUSED"), ("resume", "resume", "ENABLED"), ("run", "run", "ENABLED")])
def test_reminder_job_commands(action: str, method: str, state: str) -> None:
    client = FakeScheduler()
    code, out = run(["reminders", action, "--project", "p1", "--region", "europe-west1"],
                    factory=lambda p, r, j: ReminderJob(p, r, j, client=client))
    assert code == 0
    job = "projects/p1/locations/europe-west1/jobs/medbot-reminder-tick"
    assert client.calls == [(method, job)]
    assert out.strip().endswith(f"-> {state}")


def test_reminder_job_needs_a_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GCP_PROJECT", raising=False)
    assert ops.main(["reminders", "pause", "--project", ""]) == 2


def test_line_webhook_url_from_terraform_output(tmp_path: Any) -> None:
    raw = tmp_path / "raw"
    raw.write_text("https://asia-east1-p.cloudfunctions.net/line_webhook\n")
    code, out = run(["line-webhook-url", "--file", str(raw)])
    assert code == 0 and out.splitlines()[0] == "https://asia-east1-p.cloudfunctions.net/line_webhook"
    as_json = tmp_path / "out.json"
    as_json.write_text(json.dumps({"line_webhook_url": {"value": "https://l.example/hook"}}))
    assert run(["line-webhook-url", "--file", str(as_json)])[1].startswith("https://l.example/hook")
    assert ops.main(["line-webhook-url", "--file", str(tmp_path / "missing")]) == 2


def test_telegram_webhook_refuses_without_secrets_or_with_a_bad_secret(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert ops.main(["telegram-webhook", "--url", "https://x.example/tg"]) == 2
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "has spaces!")
    assert ops.main(["telegram-webhook", "--url", "https://x.example/tg"]) == 2
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "ok_secret-1")
    assert ops.main(["telegram-webhook", "--url", "http://x.example/tg"]) == 2  # not https
