"""Deterministic parser of medication commands in English, Russian and Traditional Chinese.

`parse_command(text, known_names)` returns a `ParsedCommand` only when it is sure, and None
otherwise (the caller then asks Gemini or the user). A wrong schedule is a safety problem,
so every word of a message must be accounted for: a command verb from the templates, a
medication name, a time, a dosage, a schedule phrase (add only), a separator or a filler.
Anything else - negation, "after meals", "all", a stray number, an unknown symbol - means
None.

Semantics of the result:

* add: one item per medication, with its times (sorted, unique), an optional dosage and
  its schedule (schedules.py, models.CommandItem): rrule (None = every day, e.g.
  "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=HOURLY;INTERVAL=8", "FREQ=DAILY;COUNT=5"), as_needed
  with max_per_day, doses_per_day and start. Times may be missing only when the schedule
  says something ("weekly", "three times a day", "every 8 hours"): the dialog asks. A
  message that states a weekly frequency never yields a daily item. A name that matches
  a known one (case, inflection, one unambiguous slip: names.py) comes back in its stored
  form; a new name is kept as typed (trimmed), with Russian oblique forms put back in the
  nominative ("но-шпу" -> "но-шпа", "2 таблетки аспирина" -> "аспирин"). A known name
  with more words is a new product ("aspirin forte" when "aspirin" is known); a name one
  edit from a known one that is not a safe slip (阿斯匹林 for 阿斯匹靈) gives None: a
  slip or another product, only the patient can say.
* delete: known medications without times, or exactly one medication with the times to
  drop ("delete aspirin at 10" -> [aspirin, ["10:00"]]).
* done: known medications, each with at most one time (the dose that was taken).
* last_taken: known medications, nothing else ("when did I last take ibuprofen?").
* time_change: one known medication; times = [old, new] when the old time is given,
  [new] otherwise ("change aspirin from 10 to 11" -> ["10:00", "11:00"]).
* dose_change: one known medication with the new dosage and no times.
* timezone_change: no items; timezone is an IANA name or a "+HH:MM"/"-HH:MM" offset.
* list, help: no items.
* unknown: only for a greeting or thanks with nothing else ("hi", "спасибо", "謝謝"), so
  the caller can answer without Gemini. Never for anything that mentions a medication.

Names for delete, done, time_change and dose_change always come from `known_names` (case,
Russian inflection or one typing slip in one long Latin or Cyrillic word are tolerated when
only one known name fits; never a different number, suffix or Chinese character: another
product is never taken for a known one). Times are "HH:MM" on the 24 h clock; a lone hour
1..6 ("at 3") is refused as ambiguous, other lone hours are read on the 24 h clock ("at 8"
-> 08:00).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from shared.medication.drafts import Draft, check_rules_apply, read_drafts, share_times
from shared.medication.lexicon import (
    GENERIC_NAMES,
    MAX_CJK_NAME_CHARS,
    MAX_NAME_WORDS,
    MIN_CJK_NAME_CHARS,
    POLITE_PREFIXES,
    POLITE_SUFFIXES,
)
from shared.medication.models import CommandItem, CommandKind, ParsedCommand
from shared.medication.names import NameMatcher, ru_nominative
from shared.medication.scanner import Token, TokenKind, scan
from shared.medication.schedules import build_schedule
from shared.medication.templates import TEMPLATES, Template
from shared.medication.text import (
    MAX_TEXT_CHARS,
    alternation,
    clean,
    fold,
    fold_key,
    has_cyrillic,
    is_cjk,
    is_letter,
)
from shared.medication.times import ClockTime, Unsure, check_item_times
from shared.medication.timezones import resolve_zone

__all__ = ["CommandItem", "ParsedCommand", "parse_command"]

# Kinds a question may ask for ("what do I take?"). "Did I take aspirin?" is not a report.
_QUESTION_KINDS: frozenset[CommandKind] = frozenset({"list", "help", "unknown", "last_taken"})
_QUESTION_END = re.compile(r"(?:[?？]|嗎|吗)$")
_POLITE_START = re.compile(rf"^(?:{alternation(POLITE_PREFIXES)})(?:[\s,，]+|(?=[^\sa-z]))")
_POLITE_END = re.compile(rf"[\s,，]+(?:{alternation(POLITE_SUFFIXES)})$")
_EDGE_PUNCTUATION = re.compile(r"^[\s.,!?;~…。！？，、]+|[\s.,!?;~…。！？，、]+$")
_COLON_NOT_IN_TIME = re.compile(r"(?<!\d)[:：]|[:：](?!\d)")
_BOT_COMMAND = re.compile(r"^(/[a-z]+)@\w+")


@dataclass(frozen=True)
class _Request:
    """A message after cleaning: `text` keeps the user's case, `folded` is for matching."""

    text: str
    folded: str
    question: bool
    polite: bool


@dataclass(frozen=True)
class _Context:
    """What every handler needs besides the match."""

    text: str
    matcher: NameMatcher
    today: date


def parse_command(
    text: str, known_names: Sequence[str] = (), *, today: date | None = None
) -> ParsedCommand | None:
    """The command in `text`, or None when the parser is not sure (see module docstring).

    `today` is the patient's local date, for relative days ("starting tomorrow", "until
    Friday"); without it the machine's date is used.
    """
    request = _prepare(text)
    if request is None:
        return None
    context = _Context(request.text, NameMatcher(known_names), today or date.today())
    results: dict[str, ParsedCommand] = {}
    for template in TEMPLATES:
        if request.question and not request.polite and template.kind not in _QUESTION_KINDS:
            continue
        match = template.pattern.fullmatch(request.folded)
        if match is None:
            continue
        try:
            result = _HANDLERS[template.kind](template, match, context)
        except Unsure:
            continue
        if result is not None:
            results[result.model_dump_json()] = result
    # Two readings that disagree mean the sentence is ambiguous.
    return next(iter(results.values())) if len(results) == 1 else None


def _prepare(text: str) -> _Request | None:
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return None
    cleaned = clean(text)
    question = bool(_QUESTION_END.search(cleaned))
    cleaned = _BOT_COMMAND.sub(r"\1", cleaned)
    cleaned = _COLON_NOT_IN_TIME.sub(" ", cleaned)
    polite = False
    previous = None
    while previous != cleaned:  # "please, could you add ..." has two layers
        previous = cleaned
        cleaned = _EDGE_PUNCTUATION.sub("", cleaned)
        folded = fold(cleaned)
        start = _POLITE_START.match(folded)
        end = _POLITE_END.search(folded)
        if start and start.end() < len(cleaned):
            cleaned, polite = cleaned[start.end() :], True
        elif end and end.start() > 0:
            cleaned = cleaned[: end.start()]
    cleaned = " ".join(cleaned.split())
    if not any(is_letter(c) or is_cjk(c) or c.isdigit() for c in fold(cleaned)):
        return None
    return _Request(cleaned, fold(cleaned), question, polite)


def _span(match: re.Match[str], text: str, group: str) -> str | None:
    """The user's own text of a template group (same indices as the folded text)."""
    if match.groupdict().get(group) is None:
        return None
    start, end = match.span(group)
    return text[start:end].strip()


# ---------------------------------------------------------------- commands without slots


def _plain(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand:
    return ParsedCommand(kind=template.kind)


def _timezone(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand | None:
    zone = resolve_zone(_span(match, ctx.text, "zone") or "")
    return None if zone is None else ParsedCommand(kind="timezone_change", timezone=zone)


# ---------------------------------------------------------------- add / delete / done


def _body_tokens(match: re.Match[str], ctx: _Context, schedules: bool = False) -> list[Token]:
    """Tokens of the body; schedule phrases are read only where a command can hold them
    (add): elsewhere "every Monday" is a word the parser cannot place, so it gives up."""
    pieces = [_span(match, ctx.text, g) for g in ("pre", "mid", "body")]
    today = ctx.today if schedules else None
    return scan(" ".join(p for p in pieces if p), ctx.matcher, today=today)


def _times_text(times: list[ClockTime], sort: bool) -> list[str]:
    check_item_times(times)
    texts = [t.text() for t in times]
    if len(set(texts)) != len(texts):
        raise Unsure("the same time twice")
    return sorted(texts) if sort else texts


def _is_generic(name: str) -> bool:
    return fold_key(name) in GENERIC_NAMES


def _known_name(token: Token, matcher: NameMatcher) -> str:
    name = token.known or matcher.resolve(token.text)
    if name is None or _is_generic(token.text):
        raise Unsure("not one of the user's medications")
    return name


def _new_name(draft: Draft, matcher: NameMatcher) -> str:
    token = draft.name
    # Adding times to a medication the user already has: its stored name, even when
    # typed with one slip ("asprin"); an unknown name is kept as typed.
    if token.known:
        return token.known
    close = matcher.candidates(token.text)
    if len(close) > 1:
        raise Unsure("the new name is close to several known ones")
    if close:
        return close.pop()
    if matcher.near(token.text):
        # One character or letter from a known name: a slip (adding it would double the
        # reminders) or another product (阿斯匹林/阿斯匹靈, "xr"/"cr")? Ask.
        raise Unsure("the new name is one edit from a known one")
    name = token.text
    words = name.split(" ")
    cjk_chars = sum(1 for c in name if is_cjk(c))
    too_long = len(words) > MAX_NAME_WORDS or cjk_chars > MAX_CJK_NAME_CHARS
    if _is_generic(name) or too_long or 0 < cjk_chars < MIN_CJK_NAME_CHARS:
        raise Unsure("not a medication name")
    if has_cyrillic(name):
        restored = ru_nominative(name, genitive=draft.after_dose)
        if restored is None:
            raise Unsure("cannot put the Russian name back in the nominative")
        name = restored
    return name


def _unique_names(items: list[CommandItem]) -> list[CommandItem]:
    if len({i.name for i in items}) != len(items):
        raise Unsure("the same medication twice")
    return items


def _add(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand:
    drafts = read_drafts(_body_tokens(match, ctx, schedules=True))
    share_times(drafts)
    check_rules_apply(drafts)
    items: list[CommandItem] = []
    for draft in drafts:
        schedule = build_schedule(draft.rule, draft.times, ctx.today)
        items.append(
            CommandItem(
                name=_new_name(draft, ctx.matcher),
                times=_times_text(list(schedule.times), sort=True),
                dosage=draft.dose,
                rrule=schedule.rrule,
                as_needed=schedule.as_needed,
                max_per_day=schedule.max_per_day,
                doses_per_day=schedule.doses_per_day,
                start=schedule.start,
            )
        )
    return ParsedCommand(kind="add", items=_unique_names(items))


def _delete(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand:
    drafts = read_drafts(_body_tokens(match, ctx))
    if any(d.dose for d in drafts):
        raise Unsure("a dose in a delete command")
    if any(d.times for d in drafts) and len(drafts) > 1:
        raise Unsure("time slots of several medications")
    items = [
        CommandItem(name=_known_name(d.name, ctx.matcher), times=_times_text(d.times, sort=True))
        for d in drafts
    ]
    return ParsedCommand(kind="delete", items=_unique_names(items))


def _done(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand:
    drafts = read_drafts(_body_tokens(match, ctx))
    share_times(drafts)
    if any(len(d.times) > 1 for d in drafts):
        raise Unsure("one dose is taken at one time")
    items = [
        CommandItem(
            name=_known_name(d.name, ctx.matcher),
            times=_times_text(d.times, sort=False),
            dosage=d.dose,
        )
        for d in drafts
    ]
    return ParsedCommand(kind="done", items=_unique_names(items))


def _last_taken(template: Template, match: re.Match[str], ctx: _Context) -> ParsedCommand:
    drafts = read_drafts(_body_tokens(match, ctx))
    if any(d.times or d.dose for d in drafts):
        raise Unsure("a time or a dose in a question about the last dose")
    items = [CommandItem(name=_known_name(d.name, ctx.matcher)) for d in drafts]
    return ParsedCommand(kind="last_taken", items=_unique_names(items))


# ---------------------------------------------------------------- time / dose change


def _only(tokens: list[Token], kind: TokenKind) -> Token:
    if len(tokens) != 1 or tokens[0].kind is not kind:
        raise Unsure(f"expected one {kind.value}")
    return tokens[0]


def _name_slot(
    slot: str | None, matcher: NameMatcher, allow_time: bool
) -> tuple[str, ClockTime | None]:
    """The known medication of a slot, and the time written with it ("aspirin at 10")."""
    tokens = scan(slot or "", matcher)
    times = [t.time for t in tokens if t.time is not None]
    rest = [t for t in tokens if t.time is None]
    if len(times) > (1 if allow_time else 0):
        raise Unsure("unexpected time next to the name")
    name = _known_name(_only(rest, TokenKind.NAME), matcher)
    return name, times[0] if times else None


def _time_slot(slot: str | None, matcher: NameMatcher) -> ClockTime | None:
    if slot is None:
        return None
    time = _only(scan(slot, matcher, allow_bare=True), TokenKind.TIME).time
    if time is None:
        raise Unsure("no time")
    return time


def _time_change(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand:
    text, matcher = ctx.text, ctx.matcher
    name, old_with_name = _name_slot(_span(match, text, "name"), matcher, allow_time=True)
    old_slot = _time_slot(_span(match, text, "old"), matcher)
    if old_with_name and old_slot:
        raise Unsure("two old times")
    old = old_with_name or old_slot
    new = _time_slot(_span(match, text, "new"), matcher)
    if new is None:
        raise Unsure("no new time")
    if not (template.time_implied or old or new.clock_form):
        raise Unsure("a lone number may be a dose here")  # "change aspirin to 20"
    times = [old, new] if old else [new]
    texts = _times_text(times, sort=False)
    return ParsedCommand(kind="time_change", items=[CommandItem(name=name, times=texts)])


def _dose_change(
    template: Template, match: re.Match[str], ctx: _Context
) -> ParsedCommand:
    text, matcher = ctx.text, ctx.matcher
    name, _ = _name_slot(_span(match, text, "name"), matcher, allow_time=False)
    dose = _only(scan(_span(match, text, "dose") or "", matcher), TokenKind.DOSE).text
    return ParsedCommand(kind="dose_change", items=[CommandItem(name=name, dosage=dose)])


_Handler = Callable[[Template, "re.Match[str]", _Context], "ParsedCommand | None"]
_HANDLERS: dict[CommandKind, _Handler] = {
    "add": _add,
    "delete": _delete,
    "done": _done,
    "last_taken": _last_taken,
    "list": _plain,
    "help": _plain,
    "unknown": _plain,
    "time_change": _time_change,
    "dose_change": _dose_change,
    "timezone_change": _timezone,
}
