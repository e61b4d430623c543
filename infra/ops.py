"""MedBot operator CLI (run by Cloud Build, or by hand).

    python -m infra.ops telegram-webhook --url URL         # setWebhook with secret_token,
                                                           # the command menu per language
    python -m infra.ops line-webhook-url [--url URL | --file FILE]
    python -m infra.ops line-rich-menu                     # the rich menu of each language
    python -m infra.ops reminders pause|resume|run [--project P] [--region R] [--job J]
    python -m infra.ops dose-shards
    python -m infra.ops usage --day YYYY-MM-DD [--days N] [--json]
    python -m infra.ops models

models checks, with the functions' own settings (GEMINI_BACKEND, GCP_PROJECT,
GEMINI_LOCATION or GEMINI_API_KEY, GEMINI_MODEL, GEMINI_TTS_MODEL), that the backend
serves each configured model (models.get); a missing one makes it exit 1, naming the
variable to change.

telegram-webhook reads TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET from the
environment (Cloud Build maps them from Secret Manager) and never prints them; after the
webhook it sets the command menu (setMyCommands for zh, en, ru and a default list, and
the menu button: shared/domain/navigation.py). line-rich-menu reads
LINE_CHANNEL_ACCESS_TOKEN the same way, draws each UI language's rich-menu image
(infra/menu_image.py; needs fonts-noto-cjk), creates the menus, points the aliases
medbot-zh-tw / medbot-en / medbot-ru at them, makes zh-TW the default and deletes the
menus they replace; running it again replaces them.
usage reads the per-user daily counters (`usage/{day}_{user}`, shared/domain/usage.py)
through the same store the functions use (STORE_BACKEND=firestore, GCP_PROJECT):
counts only, never a message.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, TextIO

from shared.domain import usage

DEFAULT_JOB: Final = "medbot-reminder-tick"  # scheduler.tf: "${var.name_prefix}-reminder-tick"
# Telegram: secret_token is 1-256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class OpsError(Exception):
    """A problem the operator can fix (missing variable, bad argument); exit code 2."""


# --------------------------------------------------------------------------- webhooks
def telegram_webhook(args: argparse.Namespace, out: TextIO) -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    if not token or not secret:
        raise OpsError("set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET in the environment")
    if not _SECRET_TOKEN.match(secret):
        raise OpsError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Za-z0-9_-")
    url = args.url.strip()
    if not url.startswith("https://") and not args.api_base_url:
        raise OpsError("Telegram only delivers to https:// webhook URLs")
    from shared.adapters.operator_admin import TELEGRAM_UPDATES, set_telegram_webhook

    try:
        accepted = set_telegram_webhook(token, url, secret, base_url=args.api_base_url or "")
    except Exception as error:  # telegram.error.*: the type says enough, no echo of the token
        raise OpsError(f"setWebhook failed: {type(error).__name__}") from None
    if not accepted:
        raise OpsError("Telegram refused setWebhook")
    print(f"Telegram webhook set: {url} (with secret_token; updates: "
          f"{', '.join(TELEGRAM_UPDATES)})", file=out)
    return telegram_menu(token, args.api_base_url or "", out)


def telegram_menu(token: str, base_url: str, out: TextIO) -> int:
    from shared.adapters.operator_admin import set_telegram_commands
    from shared.domain.navigation import telegram_command_lists

    lists = telegram_command_lists()
    try:
        set_telegram_commands(token, lists, base_url=base_url)
    except Exception as error:  # telegram.error.*: the type says enough
        raise OpsError(f"setMyCommands failed: {type(error).__name__}: {error}") from None
    codes = ", ".join(entry.language_code or "default" for entry in lists)
    print(f"Telegram command menu set for {codes}; menu button: commands", file=out)
    return 0


def install_rich_menus(token: str, api_base_url: str, data_api_base_url: str) -> list[Any]:
    """Each UI language's rich menu, drawn and installed (also what `make dev` runs
    against the simulator); InstalledMenu records."""
    from infra.menu_image import FontMissing, render
    from shared.adapters.operator_admin import install_line_rich_menus
    from shared.domain.navigation import DEFAULT_RICH_MENU_LANGUAGE, rich_menu_layouts

    try:
        menus = [(layout, render(layout)) for layout in rich_menu_layouts()]
    except FontMissing as error:
        raise OpsError(str(error)) from None
    try:
        return install_line_rich_menus(
            token, menus, default_language=DEFAULT_RICH_MENU_LANGUAGE,
            api_base_url=api_base_url, data_api_base_url=data_api_base_url)
    except Exception as error:  # linebot ApiException: its status and LINE's message
        raise OpsError(f"rich menu not installed: {type(error).__name__}: "
                       f"{getattr(error, 'status', '')} {getattr(error, 'body', '')}") from None


def line_rich_menu(args: argparse.Namespace, out: TextIO) -> int:
    token = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "")
    if not token:
        raise OpsError("set LINE_CHANNEL_ACCESS_TOKEN in the environment")
    installed = install_rich_menus(token, args.api_base_url, args.data_api_base_url)
    for menu in installed:
        note = " (default)" if menu.default else ""
        replaced = f", replaced {menu.replaced}" if menu.replaced else ""
        print(f"{menu.language}: {menu.alias} -> {menu.rich_menu_id}{note}{replaced}", file=out)
    return 0


def line_webhook_url(args: argparse.Namespace, out: TextIO) -> int:
    url = args.url or _terraform_output(Path(args.file), "line_webhook_url")
    print(url, file=out)
    print("Set it in the LINE Developers console: Messaging API > Webhook settings > "
          "Webhook URL, press Verify, and turn on 'Use webhook'.", file=out)
    return 0


def _terraform_output(path: Path, name: str) -> str:
    """The value from `terraform output -raw NAME > FILE` or `terraform output -json`."""
    if not path.is_file():
        raise OpsError(f"no such file: {path} (run `terraform output -raw {name} > {path}`)")
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        data = json.loads(text)
        value = data.get(name, {})
        text = str(value.get("value", "") if isinstance(value, dict) else value)
    if not text.startswith("https://"):
        raise OpsError(f"{path} holds no https URL for {name}")
    return text


# --------------------------------------------------------------------------- scheduler
SchedulerFactory = Callable[[str, str, str], Any]


def _reminder_job(project: str, region: str, job: str) -> Any:
    from shared.adapters.operator_admin import ReminderJob

    return ReminderJob(project, region, job)


def reminders(args: argparse.Namespace, out: TextIO,
              factory: SchedulerFactory = _reminder_job) -> int:
    if not args.project:
        raise OpsError("give --project (or set GCP_PROJECT)")
    job = factory(args.project, args.region, args.job)
    action = {"pause": job.pause, "resume": job.resume, "run": job.run_now}[args.action]
    state = action()
    print(f"reminder job {args.job}: {args.action} -> {state}", file=out)
    return 0


def dose_shards(args: argparse.Namespace, out: TextIO) -> int:
    """Once, after the deploy that shards doses (issue 16): doses written before it have
    no shard, and the tick finds due doses per shard only."""
    from shared.bootstrap import container
    from shared.features.medication.repository import MedicationRepository

    patients, written = MedicationRepository(container().store).add_shards()
    print(f"dose shards: {patients} patients, {written} doses given their shard", file=out)
    return 0


# --------------------------------------------------------------------------- usage
def usage_docs(day: str) -> list[dict[str, Any]]:
    from shared.bootstrap import container
    from shared.ports import Filter

    rows = container().store.query(usage.COLLECTION, [Filter("day", "==", day)])
    return [doc for _, doc in rows]


SUMMARY: Final = (
    ("active", None), ("users", None), ("actions", "action."),
    ("llm_calls", usage.LLM_CALLS), ("llm_fail", usage.LLM_FAILURES),
    ("tokens_in", usage.LLM_INPUT_TOKENS), ("tokens_out", usage.LLM_OUTPUT_TOKENS),
    ("rem_sent", usage.REMINDERS_SENT), ("rem_taken", usage.reminder_counter("taken")),
    ("rem_skip", usage.reminder_counter("skipped")), ("rem_missed", usage.REMINDERS_MISSED),
    # Patients who blocked or unfollowed the bot (issue 13), and reminders not sent to them.
    ("unreachable", None), ("rem_withheld", usage.REMINDERS_WITHHELD),
)


def summary_rows(day: str, daily: dict[str, Any]) -> list[list[str]]:
    counts: dict[str, int] = daily["counts"]
    channels = sorted(set(daily["users"]) | {k.split(".", 1)[0] for k in counts})
    rows = []
    for channel in channels:
        row = [day, channel]
        for column, counter in SUMMARY:
            if column == "active":
                value = daily["active_users"].get(channel, 0)
            elif column == "users":
                value = daily["users"].get(channel, 0)
            elif column == "unreachable":
                value = daily.get("unreachable_users", {}).get(channel, 0)
            elif counter == "action.":
                value = sum(v for k, v in counts.items() if k.startswith(f"{channel}.action."))
            else:
                value = counts.get(f"{channel}.{counter}", 0)
            row.append(str(value))
        rows.append(row)
    return rows


def action_rows(days: dict[str, dict[str, Any]]) -> list[list[str]]:
    """(channel, mode, action, count) over all days: actions per mode and channel."""
    totals: Counter[tuple[str, str, str]] = Counter()
    for daily in days.values():
        for key, value in daily["counts"].items():
            channel, _, rest = key.partition(".")
            if rest.startswith("action."):
                mode, _, action = rest.removeprefix("action.").partition(".")
                totals[(channel, mode, action)] += value
    return [[c, m, a, str(n)] for (c, m, a), n in sorted(totals.items())]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    for row in rows:
        lines.append("  ".join(
            (cell.rjust(w) if cell.isdigit() else cell.ljust(w))
            for cell, w in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def usage_report(args: argparse.Namespace, out: TextIO,
                 read: Callable[[str], list[dict[str, Any]]] = usage_docs) -> int:
    try:
        first = date.fromisoformat(args.day)
    except ValueError:
        raise OpsError("--day must be YYYY-MM-DD") from None
    if not 1 <= args.days <= 366:
        raise OpsError("--days must be 1..366")
    days = {d: usage.report(read(d)) for d in
            ((first + timedelta(days=i)).isoformat() for i in range(args.days))}
    if args.json:
        print(json.dumps(days, indent=2, sort_keys=True), file=out)
        return 0
    header = ["day", "channel", *(column for column, _ in SUMMARY)]
    rows = [row for d, daily in days.items() for row in summary_rows(d, daily)]
    print(f"MedBot usage per day (UTC), {args.day} + {args.days - 1} day(s)", file=out)
    print(table(header, rows) if rows else "(no usage recorded)", file=out)
    actions = action_rows(days)
    if actions:
        print("\nactions per mode and channel", file=out)
        print(table(["channel", "mode", "action", "count"], actions), file=out)
    return 0


# --------------------------------------------------------------------------- models
ModelChecker = Callable[[str], bool]  # model id -> served?
MODEL_VARIABLES: Final = (("GEMINI_MODEL", "gemini_model"),
                          ("GEMINI_TTS_MODEL", "gemini_tts_model"))


def models(args: argparse.Namespace, out: TextIO,
           checker: Callable[[], tuple[str, ModelChecker]] | None = None) -> int:
    """Which configured models the backend serves; exit 1 naming a missing one."""
    from shared.bootstrap import Container
    from shared.ports import LlmError
    from shared.settings import load_settings

    settings = load_settings()
    if checker is None:
        container = Container(settings)
        gemini = container.gemini
        if gemini is None:
            raise OpsError("no Gemini backend is configured (GEMINI_BACKEND=offline, or "
                           "api-key without GEMINI_API_KEY): set GEMINI_BACKEND=vertex and "
                           "GCP_PROJECT, or GEMINI_API_KEY")
        where = ", ".join(f"{k} {v}" for k, v in container.describe_model().items()
                          if k in ("backend", "project", "location"))
        found: tuple[str, ModelChecker] = (where, gemini.available)
    else:
        found = checker()
    where, available = found
    print(f"models served by {where}:", file=out)
    missing: list[str] = []
    for variable, field in MODEL_VARIABLES:
        model = str(getattr(settings, field))
        try:
            ok = available(model)
        except LlmError as error:
            raise OpsError(f"could not check {variable}={model}: {error}") from None
        print(f"  {variable:<17} {model:<32} {'ok' if ok else 'NOT FOUND'}", file=out)
        if not ok:
            missing.append(f"{variable}={model}")
    if missing:
        print(f"error: not served by this backend: {', '.join(missing)}; set the variable "
              "to a current model (Gemini API models and deprecations pages)", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- CLI
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m infra.ops", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    tg = sub.add_parser("telegram-webhook", help="register the Telegram webhook (setWebhook)")
    tg.add_argument("--url", required=True, help="the telegram_webhook_url Terraform output")
    tg.add_argument("--api-base-url", default="",
                    help="Bot API base URL, e.g. http://127.0.0.1:8090/bot (tests, local)")

    line = sub.add_parser("line-webhook-url", help="print the LINE webhook URL to configure")
    source = line.add_mutually_exclusive_group()
    source.add_argument("--url", default="")
    source.add_argument("--file", default="line_webhook_url",
                        help="`terraform output -raw line_webhook_url` (or -json) saved here")

    rich = sub.add_parser("line-rich-menu",
                          help="create the LINE rich menu of each UI language (aliases, default)")
    rich.add_argument("--api-base-url", default="https://api.line.me",
                      help="Messaging API host, e.g. the simulator http://127.0.0.1:8090")
    rich.add_argument("--data-api-base-url", default="https://api-data.line.me",
                      help="the content host (rich-menu images)")

    rem = sub.add_parser("reminders", help="pause, resume or run now the reminder tick job")
    rem.add_argument("action", choices=["pause", "resume", "run"])
    rem.add_argument("--project", default=os.environ.get("GCP_PROJECT", ""))
    rem.add_argument("--region", default=os.environ.get("GCP_REGION", "asia-east1"))
    rem.add_argument("--job", default=DEFAULT_JOB)

    sub.add_parser("dose-shards", help="give doses written before the deploy that shards "
                                       "them their shard (once; idempotent)")

    use = sub.add_parser("usage", help="usage per day from the counters in Firestore")
    use.add_argument("--day", required=True, help="first day, YYYY-MM-DD (UTC)")
    use.add_argument("--days", type=int, default=1)
    use.add_argument("--json", action="store_true", help="print the aggregated counters")

    sub.add_parser("models", help="check that the backend serves GEMINI_MODEL and "
                                  "GEMINI_TTS_MODEL (exit 1 naming a missing one)")
    return p


COMMANDS: Final[dict[str, Callable[[argparse.Namespace, TextIO], int]]] = {
    "telegram-webhook": telegram_webhook,
    "line-webhook-url": line_webhook_url,
    "line-rich-menu": line_rich_menu,
    "reminders": reminders,
    "dose-shards": dose_shards,
    "usage": usage_report,
    "models": models,
}


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, out)
    except OpsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
