"""The methodology document (docs/methodologie.md), shown by the dashboard's Méthodologie page."""

from __future__ import annotations

from pathlib import Path

METHODOLOGY = Path(__file__).resolve().parent.parent / "docs" / "methodologie.md"
