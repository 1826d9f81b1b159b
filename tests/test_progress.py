"""Progress of long loads: log lines at each tenth, a bar only on a terminal."""

import io

from pipelines.orchestration.progress import ProgressReporter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_lines_at_each_tenth_without_a_bar():
    lines, stream = [], io.StringIO()
    report = ProgressReporter(lines.append, stream)
    for done in (5, 12, 19, 55, 100):
        report("decp.json", done, 100)
    assert lines == [
        "decp.json : 10 % parcouru",
        "decp.json : 50 % parcouru",
        "decp.json : 100 % parcouru",
    ]
    assert stream.getvalue() == ""


def test_a_bar_is_drawn_on_a_terminal():
    stream = Terminal()
    report = ProgressReporter(lambda _: None, stream)
    report("decp.json", 50, 100)
    report("decp.json", 100, 100)
    assert "█" * 15 in stream.getvalue() and stream.getvalue().endswith("100%\n")
