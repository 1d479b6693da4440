"""How sharp a run's arrival curve was: peak arrivals per minute against the base rate, read
from the summary's time series (what a run really drew, not what the curve asked for).

The peak is the busiest bucket; the base is the median bucket over the arrival period (from
the first bucket to the last with an arrival), so a spike that decays within that period
does not lift it. Both are per minute: a bucket's arrivals over its length in minutes.
"""

from __future__ import annotations

from statistics import median


def arrival_peak(timeseries: dict) -> dict | None:
    """``{peak_per_minute, base_per_minute, ratio}`` from ``summary["timeseries"]``, or None
    when nothing arrived. ``ratio`` is None if the base is 0."""
    rows = timeseries["rows"]
    arriving = [i for i, row in enumerate(rows) if row["arrivals"]]
    if not arriving:
        return None
    counts = [row["arrivals"] for row in rows[arriving[0] : arriving[-1] + 1]]
    minutes = timeseries["resolution_seconds"] / 60.0
    peak, base = max(counts) / minutes, median(counts) / minutes
    return {
        "peak_per_minute": round(peak, 3),
        "base_per_minute": round(base, 3),
        "ratio": round(peak / base, 3) if base else None,
    }
