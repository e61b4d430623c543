"""The intent reader: what a typed message means on the screen it was typed at, read in
a fixed order of layers before any mode sees it (reader.py), with no model call."""

from shared.domain.reading.model import (
    TAKEN,
    Action,
    Command,
    CommandParser,
    Global,
    Layer,
    Mode,
    Question,
    Reading,
    Request,
    Screen,
    Showing,
)
from shared.domain.reading.reader import read_text

__all__ = ["TAKEN", "Action", "Command", "CommandParser", "Global", "Layer", "Mode",
           "Question", "Reading", "Request", "Screen", "Showing", "read_text"]
