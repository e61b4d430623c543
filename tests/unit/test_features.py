"""The feature registry: every feature loads, together they answer every event and run
every job kind, and anything two features both declare fails at start-up, naming both."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.bootstrap import FEATURES, registry
from shared.domain.dialog import ANY, DialogPart, Intent, Step
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
    assert [m.data for m in registry().menu] == ["mode:edu", "mode:tr", "mode:med"]


def real() -> list[Feature]:
    return list(registry().features[1:])  # without the plumbing's own registration


def _other(name: str, **changes: object) -> Feature:
    intent = f"{name}.go"
    feature = Feature(name=name, dialog=DialogPart(
        states={f"{name}.mode": None}, verbs={f"{name}v": intent},
        rows={(ANY, intent): Step(f"{name}_go", f"{name}.mode")}),
        handlers=lambda _: {f"{name}_go": lambda turn: Reply()})
    return replace(feature, **changes)  # type: ignore[arg-type]


def test_two_distinct_features_join():
    joined = Registry.of([*real(), _other("a"), _other("b")])
    assert joined.dialog.step("a.mode", Intent.TEXT).handler == "not_understood"
    assert joined.dialog.verbs["bv"] == "b.go"


# Each case: what feature "b" declares that "a" already declares.
B_GO = {(ANY, "b.go"): Step("b_go")}
CLASHES = {
    "state": DialogPart(states={"a.mode": None}),
    "button verb": DialogPart(verbs={"av": "b.go"}, rows=B_GO),
    "button": DialogPart(buttons={"a:now": "b.go"}, rows=B_GO),
    "command word": DialogPart(words={"  Go  A ": "b.go"}, rows=B_GO),  # as normalised
    "transition": DialogPart(rows={(ANY, "a.go"): Step("b_go")}),
    "handler": DialogPart(verbs={"bv": "b.go"}, rows={(ANY, "b.go"): Step("a_go")}),
}


@pytest.mark.parametrize("kind", sorted(CLASHES))
def test_a_dialog_name_two_features_declare_fails_at_start_up(kind):
    a = _other("a", dialog=DialogPart(
        states={"a.mode": None}, verbs={"av": "a.go"}, buttons={"a:now": "a.go"},
        words={"go a": "a.go"}, rows={(ANY, "a.go"): Step("a_go", "a.mode")}))
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
    lost = _other("a", dialog=DialogPart(verbs={"av": "a.go"}))  # no ANY row for a.go
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
    with pytest.raises(FeatureClash, match="storage areas \\['handouts'\\]"):
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
