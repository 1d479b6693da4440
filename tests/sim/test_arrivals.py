"""Arrival curves: exact rates, counts for evenly spaced arrivals, and thinning for Poisson."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from agent_checkout.sim.arrivals import ArrivalProfile, Diurnal, Ramp, Spike


def _profile(**kwargs) -> ArrivalProfile:
    return ArrivalProfile.model_validate({"rate_per_minute": 60, **kwargs})


def test_constant_piecewise_counts_exactly():
    profile = _profile(
        process="constant",
        duration_minutes=2,
        curve={"kind": "piecewise", "points": [[0, 1.0], [1, 2.0]]},
    )
    times = list(profile.times(random.Random(0)))
    # One a second up to t = 60 s, where the rate doubles: then one every half second,
    # 60.5 .. 119.5, until minute 2.
    assert len(times) == 60 + 119
    assert times[:3] == [1.0, 2.0, 3.0] and times[-1] == pytest.approx(119.5)


def test_sessions_or_duration_bound_the_run():
    assert len(list(_profile(sessions=25).times(random.Random(1)))) == 25
    assert (
        len(
            list(
                _profile(sessions=25, duration_minutes=0.25, process="constant").times(
                    random.Random(1)
                )
            )
        )
        == 14
    )  # t = 1..14 s; 15 s is the horizon
    with pytest.raises(ValidationError, match="give sessions, duration_minutes, or both"):
        _profile()


def test_curve_shapes():
    spike = Spike(at_minute=10, multiplier=20, half_life_minutes=5)
    assert (spike.at(9.99), spike.at(10), spike.at(15), spike.peak()) == (1.0, 20.0, 10.5, 20)
    ramp = Ramp(to_multiplier=3, over_minutes=60)
    assert (ramp.at(0), ramp.at(30), ramp.at(90)) == (1.0, 2.0, 3.0)
    day = Diurnal(peak_hour=20, trough_ratio=0.3)
    assert day.at(20 * 60) == pytest.approx(1.0) and day.at(8 * 60) == pytest.approx(0.3)


def test_flash_sale_spike_concentrates_poisson_arrivals():
    profile = _profile(
        duration_minutes=30,
        curve={"kind": "spike", "at_minute": 10, "multiplier": 20, "half_life_minutes": 2},
    )
    times = list(profile.times(random.Random(7)))
    before = sum(1 for t in times if 540 <= t < 600)  # minute 9: about 60
    during = sum(1 for t in times if 600 <= t < 660)  # minute 10: about 60 x 17.9
    assert 40 < before < 85 and 900 < during < 1250
    assert times == sorted(times)
    assert times == list(profile.times(random.Random(7)))  # same stream, same arrivals
