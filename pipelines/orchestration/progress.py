"""Progress of long loads: a bar on a terminal, a log line every tenth otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable

BAR_WIDTH = 30


class ProgressReporter:
    """Called as ``reporter(file_name, done_bytes, total_bytes)`` while a file is scanned."""

    def __init__(self, log: Callable[[str], None], stream=None) -> None:
        self._log = log
        self._stream = stream if stream is not None else sys.stderr
        self._last_tenth: dict[str, int] = {}

    def __call__(self, file_name: str, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if self._stream.isatty():
            filled = int(fraction * BAR_WIDTH)
            bar = "█" * filled + "·" * (BAR_WIDTH - filled)
            end = "\n" if done >= total else ""
            self._stream.write(f"\r{file_name} [{bar}] {fraction:4.0%}{end}")
            self._stream.flush()
        tenth = int(fraction * 10)
        if tenth > self._last_tenth.get(file_name, 0):
            self._last_tenth[file_name] = tenth
            self._log(f"{file_name} : {tenth * 10} % parcouru")
