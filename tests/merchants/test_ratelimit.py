"""Rate limits driven by ``now``: Shopify's leaky bucket, Etsy's per-second and per-day windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from merchants.ratelimit import (
    EtsyLimits,
    LeakyBucket,
    platform_limiter,
    shopify_bucket,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LIMIT = "X-Shopify-Shop-Api-Call-Limit"


def test_bucket_refuses_the_41st_request_and_admits_after_one_slot_leaks():
    bucket = LeakyBucket()
    answers = [bucket.try_acquire("shop", T0) for _ in range(40)]
    assert all(a.allowed and a.retry_after == 0.0 for a in answers)
    assert [a.headers[LIMIT] for a in answers[:2]] == ["1/40", "2/40"]
    assert answers[-1].headers == {LIMIT: "40/40"}

    refused = bucket.try_acquire("shop", T0)
    assert not refused.allowed
    assert refused.retry_after == 0.5
    assert refused.headers == {LIMIT: "40/40", "Retry-After": "0.5"}
    # A refusal is not counted: the wait does not grow.
    assert bucket.try_acquire("shop", T0).retry_after == 0.5

    almost = bucket.try_acquire("shop", T0 + timedelta(seconds=0.4))
    assert not almost.allowed and almost.retry_after == pytest.approx(0.1)
    assert almost.headers["Retry-After"] == "0.1"
    assert almost.headers[LIMIT] == "40/40"  # 39.2 calls: a part-drained slot still counts

    later = T0 + timedelta(seconds=0.5)
    assert bucket.try_acquire("shop", later).allowed
    assert bucket.try_acquire("shop", later).retry_after == 0.5


def test_bucket_drains_to_empty_and_keys_are_separate():
    bucket = LeakyBucket(capacity=40, leak_per_second=2.0)
    for _ in range(40):
        bucket.try_acquire("a", T0)
    assert bucket.try_acquire("b", T0).headers[LIMIT] == "1/40"
    assert bucket.level("a", T0 + timedelta(seconds=5)) == 30
    assert bucket.level("a", T0 + timedelta(seconds=60)) == 0
    assert bucket.try_acquire("a", T0 + timedelta(seconds=60)).headers[LIMIT] == "1/40"


def test_bucket_ignores_time_going_backwards():
    bucket = LeakyBucket(capacity=2, leak_per_second=1.0)
    bucket.try_acquire("k", T0)
    bucket.try_acquire("k", T0)
    refused = bucket.try_acquire("k", T0 - timedelta(seconds=10))
    assert not refused.allowed and refused.retry_after == 1.0


@pytest.mark.parametrize(
    ("plan", "rate", "wait"),
    [("basic", 2.0, 0.5), ("grow", 2.0, 0.5), ("advanced", 4.0, 0.25), ("Plus", 20.0, 0.05)],
)
def test_shopify_plans(plan, rate, wait):
    bucket = shopify_bucket(plan)
    assert (bucket.capacity, bucket.leak_per_second) == (40, rate)
    for _ in range(40):
        assert bucket.try_acquire("shop", T0).allowed
    assert bucket.try_acquire("shop", T0).retry_after == pytest.approx(wait)
    assert bucket.try_acquire("shop", T0 + timedelta(seconds=wait)).allowed


def test_unknown_plan_and_bad_arguments():
    with pytest.raises(ValueError, match="unknown Shopify plan 'gold'"):
        shopify_bucket("gold")
    with pytest.raises(ValueError, match="leak_per_second"):
        LeakyBucket(leak_per_second=0)
    with pytest.raises(ValueError, match="timezone-aware"):
        LeakyBucket().try_acquire("k", datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="platform 'amazon'"):
        platform_limiter("amazon")
    assert isinstance(platform_limiter("etsy"), EtsyLimits)
    assert platform_limiter("shopify", "advanced").leak_per_second == 4.0


def test_etsy_eleventh_request_in_one_second_is_refused():
    limits = EtsyLimits()
    answers = [limits.try_acquire("app", T0 + timedelta(milliseconds=50 * n)) for n in range(10)]
    assert all(a.allowed for a in answers)
    assert answers[0].headers == {
        "x-limit-per-second": "10",
        "x-remaining-this-second": "9",
        "x-limit-per-day": "10000",
        "x-remaining-today": "9999",
    }
    assert answers[-1].headers["x-remaining-this-second"] == "0"
    assert answers[-1].headers["x-remaining-today"] == "9990"

    at = T0 + timedelta(milliseconds=900)
    refused = limits.try_acquire("app", at)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(0.1)  # the first request leaves the window at 1 s
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["x-remaining-this-second"] == "0"
    assert refused.headers["x-remaining-today"] == "9990"  # refusals are not counted

    back = limits.try_acquire("app", T0 + timedelta(seconds=1))
    assert back.allowed
    assert back.headers["x-remaining-this-second"] == "0"  # 9 still in the window, plus this one
    assert back.headers["x-remaining-today"] == "9989"
    assert limits.try_acquire("other", at).allowed


def test_etsy_rolling_day_refuses_then_recovers_exactly_24h_after_the_first_request():
    limits = EtsyLimits(per_second=10, per_day=30)
    first = T0
    for n in range(30):
        assert limits.try_acquire("app", first + timedelta(minutes=10 * n)).allowed
    last = first + timedelta(minutes=290)

    refused = limits.try_acquire("app", last + timedelta(hours=1))
    assert not refused.allowed
    assert refused.headers["x-remaining-today"] == "0"
    expected = (first + timedelta(days=1) - (last + timedelta(hours=1))).total_seconds()
    assert refused.retry_after == expected == 65_400.0  # 24 h - 5 h 50 min
    assert refused.headers["retry-after"] == "65400"

    just_before = first + timedelta(days=1) - timedelta(microseconds=1)
    early = limits.try_acquire("app", just_before)
    assert not early.allowed
    assert early.retry_after == pytest.approx(1e-6) and early.headers["retry-after"] == "1"

    recovered = limits.try_acquire("app", first + timedelta(days=1))
    assert recovered.allowed
    assert recovered.headers["x-remaining-today"] == "0"  # the slot freed is used at once
    assert not limits.try_acquire("app", first + timedelta(days=1)).allowed
    assert limits.try_acquire("app", first + timedelta(days=1, minutes=10)).allowed


def test_etsy_waits_for_the_later_window_when_both_are_full():
    limits = EtsyLimits(per_second=2, per_day=2)
    assert limits.try_acquire("app", T0).allowed
    assert limits.try_acquire("app", T0).allowed
    refused = limits.try_acquire("app", T0)
    assert refused.retry_after == 86_400.0 and refused.headers["retry-after"] == "86400"


@pytest.mark.parametrize("limiter", [LeakyBucket(), EtsyLimits()], ids=["shopify", "etsy"])
def test_any_number_of_keys_leaves_the_key_map_at_its_cap(limiter):
    assert limiter.max_keys == 10_000
    for n in range(100_000):
        assert limiter.try_acquire(f"key-{n}", T0).allowed
    assert len(limiter) == 10_000


def test_the_key_idle_longest_is_forgotten_first():
    bucket = LeakyBucket(capacity=2, max_keys=2)
    for key in ("a", "a", "b"):
        bucket.try_acquire(key, T0)
    assert not bucket.try_acquire("a", T0).allowed  # "a" is full, and now the latest used
    bucket.try_acquire("c", T0)  # over the cap: "b", idle longest, goes
    assert len(bucket) == 2
    assert bucket.level("b", T0) == 0 and bucket.level("a", T0) == 2
    etsy = EtsyLimits(per_second=1, max_keys=1)
    assert etsy.try_acquire("a", T0).allowed and not etsy.try_acquire("a", T0).allowed
    assert etsy.try_acquire("b", T0).allowed and len(etsy) == 1
    assert etsy.try_acquire("a", T0).allowed  # forgotten, so it starts afresh
    with pytest.raises(ValueError, match="max_keys must be at least 1"):
        LeakyBucket(max_keys=0)
