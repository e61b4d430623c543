"""Medication commands: the deterministic multilingual parser (pure, no I/O)."""

from shared.medication.models import CommandItem, CommandKind, ParsedCommand
from shared.medication.parser import parse_command

__all__ = ["CommandItem", "CommandKind", "ParsedCommand", "parse_command"]
