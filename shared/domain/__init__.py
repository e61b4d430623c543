"""Pure domain logic: no I/O, no SDK imports, no clock reads."""
