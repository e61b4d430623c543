"""Features and their registry.

A feature is a package under shared/features that exports one `FEATURE` value: its
part of the conversation (states, intents, transition rows), the dialog handlers those
rows name, the job handlers of the job kinds it runs, the Firestore collections and
storage areas it owns (so "delete my data" finds every trace of a user), and the
entries it adds to the main menu. Handlers are built from a `Supplies` (the ports and
plumbing bootstrap provides), lazily: a worker builds only what it runs.

bootstrap lists the features by name (FEATURES) and `load` joins them. Anything two
features both declare (a state, a transition, a button verb, a handler, a job kind, a
collection, a storage area) fails at start-up with an error naming both.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from shared.clock import CLOCK_DOC
from shared.domain import usage
from shared.domain.dialog import DialogClash, DialogPart, Table
from shared.domain.reading import Command
from shared.jobs import Job
from shared.plumbing import delivery, erasures, limits, ordering, runner
from shared.plumbing.collections import SESSIONS, USERS, Collection, Erase
from shared.plumbing.files import ARCHIVE, AUDIO, FILE_AREAS
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler, Preparer

if TYPE_CHECKING:
    from shared.plumbing.delivery import Delivery
    from shared.plumbing.jobkit import JobKit
    from shared.plumbing.work import UnitOfWork
    from shared.ports import (
        AudioEncoder,
        BlobStore,
        Clock,
        DocumentStore,
        Mailer,
        PdfRenderer,
        Speaker,
        TaigiSpeech,
        TaskQueue,
        WavDecoder,
        ZoneFinder,
    )
    from shared.settings import Settings


@dataclass(frozen=True)
class MenuEntry:
    """A button of the main menu: a catalog key for its label and its data."""

    label: str
    data: str


class Supplies(Protocol):
    """What a feature's handlers are built from (bootstrap's Container). Capabilities
    that need a cloud permission are asked for narrowly (kit, bucket, queue_for,
    later), so each function's permissions follow from what its features ask for
    (shared/wiring.py, tests/unit/test_permissions.py)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def registry(self) -> Registry: ...
    @property
    def store(self) -> DocumentStore: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def mailer(self) -> Mailer: ...
    @property
    def speaker(self) -> Speaker: ...
    @property
    def encoder(self) -> AudioEncoder: ...
    @property
    def wav_decoder(self) -> WavDecoder: ...
    @property
    def taigi_speech(self) -> TaigiSpeech: ...
    @property
    def pdf(self) -> PdfRenderer: ...
    @property
    def delivery(self) -> Delivery: ...
    @property
    def zones(self) -> ZoneFinder: ...
    def kit(self, *enqueues: Job, model: bool = True) -> JobKit:
        """A job worker's frame: the model (or none), the bucket without links, the
        queues of the follow-up jobs it may start."""
        ...
    def bucket(self, *, signs_urls: bool = False) -> BlobStore: ...
    def queue_for(self, *jobs: Job) -> TaskQueue: ...
    def later(self, name: str) -> Callable[[], Any]:
        """An adapter built on first use (e.g. "llm")."""
        ...
    @property
    def work(self) -> UnitOfWork: ...


class CommandReader(Protocol):
    """What the intent reader needs to find medication commands in any mode (the
    medication feature provides it: the plumbing knows no feature)."""

    def names(self, user: str) -> Sequence[str]:
        """The user's medicine names (the parser recognises them)."""
        ...

    def parse(self, text: str, names: Sequence[str]) -> Command | None: ...


HandlerFactory = Callable[[Supplies], Mapping[str, Handler]]
CommandReaderFactory = Callable[[Supplies], CommandReader]
PreparerFactory = Callable[[Supplies], Mapping[str, Preparer]]
JobFactory = Callable[[Supplies], JobHandler]


def no_handlers(_: Supplies) -> Mapping[str, Handler]:
    return {}


def no_preparers(_: Supplies) -> Mapping[str, Preparer]:
    return {}


@dataclass(frozen=True)
class Feature:
    name: str
    dialog: DialogPart = field(default_factory=DialogPart)
    handlers: HandlerFactory = no_handlers
    preparers: PreparerFactory = no_preparers  # by the name of the handler they prepare
    starts: tuple[Job, ...] = ()  # the jobs its dialog handlers may enqueue
    jobs: Mapping[Job, JobFactory] = field(default_factory=dict)
    collections: tuple[Collection, ...] = ()
    files: tuple[str, ...] = ()  # top-level storage areas: <area>/<user key>/...
    menu: tuple[MenuEntry, ...] = ()
    # Medication commands typed in any mode (at most one feature reads them).
    commands: CommandReaderFactory | None = None


# What the plumbing itself stores.
PLUMBING: Final = Feature(
    name="plumbing",
    collections=(
        Collection(USERS, Erase.BY_KEY),  # profile: language, chat, time zone
        Collection(SESSIONS, Erase.BY_KEY),  # the conversation's state and context
        Collection(runner.COLLECTION, Erase.NOTHING),  # task records, a week (TTL)
        Collection(delivery.COLLECTION, Erase.BY_FIELD),
        Collection(ordering.COLLECTION, Erase.BY_FIELD),  # webhook events, per user
        Collection(usage.COLLECTION, Erase.BY_FIELD),
        Collection(limits.COLLECTION, Erase.BY_KEY),
        Collection(CLOCK_DOC.split("/", 1)[0], Erase.NOTHING),  # the local stack's clock
        # "This user was erased" (hashed key, a month: plumbing/erasures.py).
        Collection(erasures.COLLECTION, Erase.NOTHING),
    ),
    files=(AUDIO, ARCHIVE),  # speech (read aloud, Taigi) and the archive copies
)


class FeatureClash(ValueError):
    """Two features declare the same thing, or a feature is incomplete."""


@dataclass(frozen=True)
class Registry:
    features: tuple[Feature, ...]  # PLUMBING first
    dialog: Table
    collections: Mapping[str, Collection]
    files: tuple[str, ...]
    jobs: Mapping[Job, Feature]

    @classmethod
    def of(cls, features: Iterable[Feature]) -> Registry:
        everything = (PLUMBING, *features)
        owners: dict[tuple[str, object], str] = {}

        def claim(kind: str, name: object, owner: str) -> None:
            earlier = owners.setdefault((kind, name), owner)
            if earlier != owner:
                raise FeatureClash(f"{kind} {name!r} is declared by both {earlier} and {owner}")

        names = [f.name for f in everything]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise FeatureClash(f"features registered twice: {twice}")
        for feature in everything:
            for collection in feature.collections:
                claim("collection", collection.name, feature.name)
            for area in feature.files:
                if area not in FILE_AREAS:
                    raise FeatureClash(f"{feature.name}: unknown storage area {area!r}")
                claim("storage area", area, feature.name)
            for job in feature.jobs:
                claim("job kind", job, feature.name)
        try:
            table = Table.of((f.name, f.dialog) for f in everything)
        except DialogClash as clash:
            raise FeatureClash(str(clash)) from None
        readers = [f.name for f in everything if f.commands is not None]
        if len(readers) > 1:
            raise FeatureClash(f"medication commands are read by both {readers[0]} and "
                               f"{readers[1]}")
        unowned = [a for a in FILE_AREAS if not any(a in f.files for f in everything)]
        if unowned:  # "delete my data" would not look there
            raise FeatureClash(f"no feature owns the storage areas {unowned}")
        unrun = sorted(j.value for j in Job if j is not Job.DIALOG
                       and not any(j in f.jobs for f in everything))
        if unrun:
            raise FeatureClash(f"no feature runs the job kinds {unrun}")
        return cls(
            features=everything, dialog=table,
            collections={c.name: c for f in everything for c in f.collections},
            files=tuple(a for f in everything for a in f.files),
            jobs={job: f for f in everything for job in f.jobs},
        )

    @property
    def dialog_jobs(self) -> tuple[Job, ...]:
        """The jobs a dialog turn can start (the dialog worker's queues)."""
        return tuple(sorted({job for f in self.features for job in f.starts}))

    @property
    def archived(self) -> frozenset[str]:
        return frozenset(c.name for c in self.collections.values() if c.archive)

    @property
    def menu(self) -> tuple[MenuEntry, ...]:
        return tuple(entry for f in self.features for entry in f.menu)

    def handlers(self, supplies: Supplies) -> dict[str, Handler]:
        """Every feature's dialog handlers, checked against the rows that name them."""
        built: dict[str, Handler] = {}
        for feature in self.features:
            made = dict(feature.handlers(supplies))
            if made.keys() != feature.dialog.handlers:
                raise FeatureClash(
                    f"{feature.name}: its rows name the handlers "
                    f"{sorted(feature.dialog.handlers)} but it builds {sorted(made)}")
            built.update(made)
        return built

    def command_reader(self, supplies: Supplies) -> CommandReader | None:
        """The reader of medication commands typed in any mode, if a feature has one."""
        for feature in self.features:
            if feature.commands is not None:
                return feature.commands(supplies)
        return None

    def preparers(self, supplies: Supplies) -> dict[str, Preparer]:
        built: dict[str, Preparer] = {}
        for feature in self.features:
            made = dict(feature.preparers(supplies))
            stray = made.keys() - feature.dialog.handlers
            if stray:
                raise FeatureClash(f"{feature.name}: preparers for unknown handlers {stray}")
            built.update(made)
        return built

    def job_handler(self, job: Job, supplies: Supplies) -> JobHandler:
        return self.jobs[job].jobs[job](supplies)


def load(names: Iterable[str]) -> Registry:
    """The registry of the features `shared/features/<name>` (each exports FEATURE)."""
    found: list[Feature] = []
    for name in names:
        module = importlib.import_module(f"shared.features.{name}")
        feature = getattr(module, "FEATURE", None)
        if not isinstance(feature, Feature) or feature.name != name:
            raise FeatureClash(f"shared.features.{name} must export FEATURE named {name!r}")
        found.append(feature)
    return Registry.of(found)
