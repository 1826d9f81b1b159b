"""An outsider's differencing attack on the research release (tests/disclosure_audit.py): it must
catch the leaks of the release built under the old rules (a frozen fixture), and find none in the
demo release built by today's code."""

from __future__ import annotations

from pathlib import Path

from tests import disclosure_audit as audit
from tests.conftest import SAMPLE, csf

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ancienne_diffusion"


def test_audit_catches_the_old_release_leaks():
    """The demo release exported before the suppression engine (frozen: youth rows of the count
    indicators, taux_achevement and the 6-month horizon group, the funnel, the clause list and
    the warehouse's true values in verite.csv). That release hid 0/0 rates and zero funnel
    stages, so the audit may not assume a hidden value is non-zero there."""
    truth = audit.truth_from_csv(FIXTURE / "verite.csv")
    report = audit.audit_release(FIXTURE, truth=truth, hidden_nonzero=False)
    print(report.summary())

    # The audit is sound: every true value lies in its interval.
    assert not report.rule("R0"), "\n".join(map(str, report.rule("R0")[:10]))
    assert report.hidden_cells > 1000
    assert len(report.recoverable) >= 30
    pinned = {v.name: v for v in report.recoverable}
    # The funnel: the stage hidden because the previous one counts fewer than 20 clauses comes
    # back by difference (reached − stopped of the row above).
    assert pinned[("F", "a8", "academie", "25", "2022")].lo == 1
    assert pinned[("F", "a9", "academie", "24", "2022")].lo == 3
    # Years against "ensemble", académies against their région académique.
    assert pinned[("I", "taux_achevement.den", "2023", "academie", "25")].lo == 16
    # Counts of 1 to 4 youths (funnel youth stages) pinned exactly.
    small = [
        x for x in report.rule("R1") if x.variable.kind == "effectif" and 1 <= x.variable.value <= 4
    ]
    assert len(small) >= 10, report.summary()
    assert report.rule("R2")


def test_audit_without_truth_reports_intervals_only():
    report = audit.audit_release(FIXTURE, hidden_nonzero=False)
    assert all(v.value is None for v in report.variables)
    assert {v.name for v in report.recoverable} >= {
        ("F", "a8", "academie", "25", "2022"),
        ("F", "a9", "academie", "24", "2022"),
    }
    assert not report.rule("R2")


def test_demo_release_has_no_recoverable_cell(tmp_path):
    home = tmp_path / "home"
    result = csf(home, "run", "--inbox", str(SAMPLE))
    assert result.returncode == 0, result.stderr[-3000:]
    result = csf(home, "export", "--release", "audit-secret")
    assert result.returncode == 0, result.stderr[-3000:]
    truth = audit.truth_from_warehouse(home / "warehouse" / "published.duckdb")
    report = audit.audit_release(home / "exports" / "audit-secret", truth=truth)
    print(report.summary())
    assert not report.violations, (
        report.summary() + "\n" + "\n".join(map(str, report.violations[:30]))
    )
