"""Errors that refuse a whole file, with a message meant for the operator (in French)."""


class FileRejected(Exception):
    """The file cannot be loaded at all; nothing from it is written. The message says why."""


def log_name(name: str) -> str:
    """A file name safe on one log line: control characters (newline, carriage return, escape…)
    and backslashes written as Python escapes (``a\\nb.csv``), every other character as is."""
    return "".join(repr(c)[1:-1] if c == "\\" or not c.isprintable() else c for c in name)
