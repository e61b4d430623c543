"""The feature registry: every feature loads, together they answer every event and run
every job kind, and anything two features both declare fails at start-up, naming both."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.bootstrap import FEATURES, registry
from shared.domain.buttons import ID, ButtonKind
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, Step
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, FeatureClash, MenuEntry, Registry, load
from shared.plumbing.files import HANDOUTS
from shared.plumbing.turns import Reply
from tests.support import fake_container


def test_the_registered_features_load_and_run_every_job_kind():
    features = registry()
    assert [f.name for f in features.features] == ["plumbing", *FEATURES]
    assert set(features.jobs) == set(Job) - {Job.DIALOG}
    c = fake_container()
    for job in features.jobs:
        assert callable(c.job_handlers[job])
    assert c.dialog.handlers.keys() == features.dialog.handlers


def test_the_menu_lists_the_modes_in_registry_order():
    # The three modes, then the report for the doctor (issue 15).
    assert [m.data for m in registry().menu] == ["mode:edu", "mode:tr", "mode:med", "rp"]


def real() -> list[Feature]:
    return list(registry().features[1:])  # without the plumbing's own registration


def _other(name: str, **changes: object) -> Feature:
    intent = f"{name}.go"
    feature = Feature(name=name, dialog=DialogPart(
        states={f"{name}.mode": None}, kinds={ButtonKind(f"{name}v"): intent},
        rows={(ANY, intent): Step(f"{name}_go", f"{name}.mode")}),
        handlers=lambda _: {f"{name}_go": lambda turn: Reply()})
    return replace(feature, **changes)  # type: ignore[arg-type]


def test_two_distinct_features_join():
    joined = Registry.of([*real(), _other("a"), _other("b")])
    assert joined.dialog.step("a.mode", Intent.TEXT).handler == "not_understood"
    assert joined.dialog.kinds[ButtonKind("bv")] == "b.go"


# Each case: what feature "b" declares that "a" already declares.
B_GO = {(ANY, "b.go"): Step("b_go")}
CLASHES = {
    "state": DialogPart(states={"a.mode": None}),
    "button verb": DialogPart(kinds={ButtonKind("av", (ID,)): "b.go"}, rows=B_GO),
    "reading": DialogPart(readings={"request:a": "b.go"}, rows=B_GO),
    "screen": DialogPart(screens={"a.mode": ScreenOf()}, rows=B_GO),
    "deep link": DialogPart(links={"a_": "b.go"}, rows=B_GO),
    "transition": DialogPart(rows={(ANY, "a.go"): Step("b_go")}),
    "handler": DialogPart(kinds={ButtonKind("bv"): "b.go"}, rows={(ANY, "b.go"): Step("a_go")}),
}


@pytest.mark.parametrize("kind", sorted(CLASHES))
def test_a_dialog_name_two_features_declare_fails_at_start_up(kind):
    a = _other("a", dialog=DialogPart(
        states={"a.mode": None}, kinds={ButtonKind("av"): "a.go"},
        readings={"request:a": "a.go"}, screens={"a.mode": ScreenOf()}, links={"a_": "a.go"},
        rows={(ANY, "a.go"): Step("a_go", "a.mode")}))
    b = _other("b", dialog=CLASHES[kind])
    with pytest.raises(FeatureClash, match=f"{kind} .* is declared by both a and b"):
        Registry.of([*real(), a, b])


@pytest.mark.parametrize(("kind", "declared"), [
    ("job kind", {"jobs": {Job.TTS: lambda wiring: None}}),
    ("collection", {"collections": (Collection("leaflets", Erase.BY_FIELD),)}),
    ("storage area", {"files": (HANDOUTS,)}),
])
def test_a_job_collection_or_area_two_features_claim_fails_at_start_up(kind, declared):
    intruder = replace(_other("intruder"), **declared)
    with pytest.raises(FeatureClash, match=f"{kind} .* is declared by both .* and intruder"):
        Registry.of([*real(), intruder])


def test_an_incomplete_table_fails_at_start_up():
    lost = _other("a", dialog=DialogPart(kinds={ButtonKind("av"): "a.go"}))  # no ANY row
    with pytest.raises(FeatureClash, match="without a row for ANY state"):
        Registry.of([*real(), lost])
    nowhere = _other("a", dialog=DialogPart(rows={(ANY, "a.go"): Step("a_go", "a.nowhere")}))
    with pytest.raises(FeatureClash, match="undeclared state"):
        Registry.of([*real(), nowhere])


def test_a_job_kind_no_feature_runs_or_an_area_no_feature_owns_fails():
    without_speech = [f for f in real() if f.name != "speech"]
    with pytest.raises(FeatureClash, match="no feature runs the job kinds \\['tts'\\]"):
        Registry.of(without_speech)
    handouts_forgotten = [replace(f, files=()) for f in real()]
    # (medication owns calendar/, issue 14; supply owns reports/, issue 15)
    with pytest.raises(FeatureClash,
                       match="storage areas \\['handouts', 'calendar', 'reports'\\]"):
        Registry.of(handouts_forgotten)


def test_a_feature_must_build_exactly_the_handlers_its_rows_name():
    broken = [replace(f, handlers=lambda _: {}) if f.name == "speech" else f for f in real()]
    with pytest.raises(FeatureClash, match="speech: its rows name the handlers"):
        Registry.of(broken).handlers(fake_container())


def test_a_feature_registered_twice_or_not_a_feature_package_fails():
    with pytest.raises(FeatureClash, match="registered twice: \\['core'\\]"):
        load([*FEATURES, "core"])
    with pytest.raises(FeatureClash, match="must export FEATURE"):
        load(["core.dialog"])  # a module, not a feature package
    assert MenuEntry("menu.education", "mode:edu") in registry().menu


def test_a_deep_link_reaches_the_feature_that_claims_its_prefix():
    """"/start <payload>" (Telegram deep links): a feature declares the prefix of its
    payloads (the care circle's invites will), and its intent gets the payload; any
    other payload starts the bot as plain /start does."""
    from shared.domain.channels import Channel
    from shared.domain.events import InboundEvent

    # A stand-in feature (the real care circle claims "cg_": tests/functions/test_circle.py).
    circle = _other("linked", dialog=DialogPart(
        links={"invite_": "circle.go"}, rows={(ANY, "circle.go"): Step("circle_go")}))
    table = Registry.of([*real(), circle]).dialog

    def follow(payload: str | None) -> tuple[str, str]:
        return table.read(InboundEvent(channel=Channel.TELEGRAM, event_id="1", user_id="1",
                                       chat_id="1", kind="follow", data=payload))

    assert follow("invite_Ab-9") == ("circle.go", "invite_Ab-9")
    assert follow("promo_x") == (Intent.START, "promo_x")
    assert follow(None) == (Intent.START, "")
    typed = InboundEvent(channel=Channel.LINE, event_id="1", user_id="U" + "0" * 32,
                         chat_id="1", kind="text", text="/start invite_Ab-9")
    assert table.read(typed) == ("circle.go", "invite_Ab-9")
