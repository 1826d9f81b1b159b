"""Errors that refuse a whole file, with a message meant for the operator (in French)."""


class FileRejected(Exception):
    """The file cannot be loaded at all; nothing from it is written. The message says why."""
