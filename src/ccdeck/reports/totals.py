"""Token and cost totals of the reports: `models.Totals`, the one accumulator (runs use it too, from below)."""

from __future__ import annotations

from ccdeck.models import Totals

__all__ = ["Totals"]
