"""Etsy's timestamps are Unix seconds; ours are tz-aware datetimes handed in as ``now``."""

from __future__ import annotations

from datetime import datetime


def epoch(moment: datetime) -> int:
    """Whole Unix seconds; a naive datetime is refused, since its instant is unknown."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return int(moment.timestamp())
