"""A command's body read into one draft per medication: which times, dose and schedule
phrase belong to which name. Anything that could belong to two places raises Unsure: the
parser then gives up rather than guess (parser.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.medication.scanner import Token, TokenKind
from shared.medication.schedule_slots import Fragment
from shared.medication.times import ClockTime, Unsure


@dataclass
class Draft:
    """One medication while its sentence is being read."""

    name: Token
    times: list[ClockTime] = field(default_factory=list)
    dose: str | None = None
    after_dose: bool = False  # "2 таблетки аспирина": the name is in the genitive
    rule: Fragment | None = None  # what schedule phrases said ("every Monday", "需要時")

    def add_rule(self, fragment: Fragment | None) -> None:
        if fragment is not None:
            self.rule = fragment if self.rule is None else self.rule.merge(fragment)



def check_separators(tokens: list[Token]) -> None:
    """A separator word stands between two things it joins. "aspirin plus" and "aspirin
    plus at 9" name no second medication: "plus" is part of a product's name there
    ("Aspirin Plus"), or the sentence is cut short. Russian "и в 9, и в 21" ("both at 9
    and at 21") repeats the word and is fine."""
    for index, token in enumerate(tokens):
        if token.kind is not TokenKind.SEP or not token.text:
            continue
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if after is None:
            raise Unsure("a separator that ends the sentence")
        before = tokens[index - 1] if index else None
        repeated = any(t.kind is TokenKind.SEP and t.text == token.text
                       for t in tokens[index + 1 :])
        if (
            before is not None
            and before.kind is TokenKind.NAME
            and after.kind not in (TokenKind.NAME, TokenKind.DOSE)
            and not repeated
        ):
            raise Unsure("a separator between a name and no other medication")


def segments(tokens: list[Token]) -> list[list[Token]]:
    """Pieces about one medication each: split at separators, and where a name follows
    the times of another ("阿斯匹靈 早上7點 普拿疼 晚上7點")."""
    check_separators(tokens)
    segments: list[list[Token]] = [[]]
    for token in tokens:
        current = segments[-1]
        if token.kind is TokenKind.SEP:
            segments.append([])
            continue
        follows_times = bool(current) and current[-1].kind in (TokenKind.TIME, TokenKind.RULE)
        if token.kind is TokenKind.NAME and follows_times and has_name(current):
            segments.append([])
        segments[-1].append(token)
    return [s for s in segments if s]


def has_name(segment: list[Token]) -> bool:
    return any(t.kind is TokenKind.NAME for t in segment)


def read_drafts(tokens: list[Token]) -> list[Draft]:
    """One draft per medication; a segment without a name continues the previous one
    ("aspirin at 10 and 18")."""
    drafts: list[Draft] = []
    leading: list[Token] = []  # "at 7 and 19 take aspirin": times before the first name
    for segment in segments(tokens):
        if not drafts and not has_name(segment):
            leading += segment
            continue
        if leading and not drafts:
            segment, leading = leading + segment, []
        names = [t for t in segment if t.kind is TokenKind.NAME]
        doses = [t for t in segment if t.kind is TokenKind.DOSE]
        times = [t.time for t in segment if t.time is not None]
        rules = [t.rule for t in segment if t.rule is not None]
        if len(names) > 1 or len(doses) > 1:
            raise Unsure("two names or two doses without a separator")
        dose = doses[0].text if doses else None
        if not names:
            if not drafts or (dose and drafts[-1].dose):
                raise Unsure("times or dose that belong to no medication")
            drafts[-1].times += times
            drafts[-1].dose = drafts[-1].dose or dose
            for rule in rules:
                drafts[-1].add_rule(rule)
            continue
        index = segment.index(names[0])
        after_dose = index > 0 and segment[index - 1].kind is TokenKind.DOSE
        draft = Draft(names[0], times, dose, after_dose)
        for rule in rules:
            draft.add_rule(rule)
        drafts.append(draft)
    if not drafts:
        raise Unsure("no medication named")
    return drafts


def share_times(drafts: list[Draft]) -> None:
    """Names listed without times take the next times and schedule ("aspirin and
    paracetamol every Monday at 9")."""
    waiting: list[Draft] = []
    for draft in drafts:
        if not draft.times and draft.rule is None:
            waiting.append(draft)
            continue
        for other in waiting:
            other.times, other.rule = list(draft.times), draft.rule
        waiting = []


def check_rules_apply(drafts: list[Draft]) -> None:
    """With several medications, a schedule phrase said for one of them may be meant for
    all ("aspirin at 9 and paracetamol at 10 every Monday"): refuse the mix, and a
    schedule without times before another medication's times."""
    with_rule = [d for d in drafts if d.rule is not None]
    if with_rule and len(with_rule) != len(drafts):
        raise Unsure("a schedule phrase for some medications only")
    if len(drafts) > 1 and any(not d.times for d in drafts) and any(d.times for d in drafts):
        raise Unsure("times for some medications only")
