"""Core conversation: welcome, menu, help, UI language, "delete my data", retry."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.core.dialog import DIALOG, CoreDialog
from shared.plumbing.features import Feature, Supplies
from shared.plumbing.turns import Handler


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    registry = supplies.registry
    return CoreDialog(registry.menu, registry.dialog.states).actions()


FEATURE = Feature(name="core", dialog=DIALOG, handlers=_handlers)
