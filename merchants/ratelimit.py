"""Platform rate limits as pure state machines: the caller says what time it is.

A limiter answers one question, "may this key make a request at ``now``?", and keeps only what
it needs to answer the next one. Nothing reads a clock, so a simulation's virtual time and an
HTTP server's real time drive the same code. A refused request is not counted against the key,
as on the real platforms: retrying after ``retry_after`` seconds is enough to get through.

Keys are client credentials (an access token, an API key, or the client's address when it sent
none), so one client's burst never spends another's budget. A limiter keeps at most ``max_keys``
keys: past that, the key idle longest is forgotten (it starts afresh if it comes back), so any
number of distinct keys leaves memory bounded.

Times are tz-aware datetimes; arithmetic is exact (``timedelta`` microseconds, ``Fraction``
bucket levels), so a test can expect "allowed again after exactly 0.5 s". Per key, ``now`` should
not go backwards; if it does (a real clock stepping back), the limiter treats it as the latest
time it has seen for that key rather than refunding capacity.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Protocol

_MICROSECOND = timedelta(microseconds=1)

#: Keys a limiter remembers at most; the one idle longest goes first.
MAX_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class Admission:
    """The answer to one request: allowed or not, when to retry, and the platform's headers.

    ``retry_after`` is the exact time in seconds until a retry would be admitted (0.0 when
    allowed); ``headers`` are what the platform would put on the response, allowed or refused.
    """

    allowed: bool
    retry_after: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter(Protocol):
    """Anything that admits or refuses a keyed request at a given time."""

    def try_acquire(self, key: str, now: datetime) -> Admission: ...


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def _seconds(delta: timedelta) -> Fraction:
    return Fraction(delta // _MICROSECOND, 1_000_000)


class LeakyBucket:
    """Shopify REST Admin API's limit: a bucket of ``capacity`` requests leaking at a fixed rate.

    Each admitted request adds one to the key's bucket; the bucket drains continuously at
    ``leak_per_second``. A request that would overflow it is refused. Shopify answers a refusal
    with a constant ``Retry-After: 2.0``; this class computes the true wait instead, the time
    until one slot has leaked, ``(level + 1 - capacity) / leak_per_second`` (0.5 s on a full
    Standard bucket), so a client that honours it retries exactly when it would succeed. The
    ``Retry-After`` header carries that wait rounded up to Shopify's one-decimal form.
    """

    HEADER = "X-Shopify-Shop-Api-Call-Limit"

    def __init__(
        self, capacity: int = 40, leak_per_second: float = 2.0, *, max_keys: int = MAX_KEYS
    ) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, got {max_keys}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if leak_per_second <= 0:
            raise ValueError(f"leak_per_second must be positive, got {leak_per_second}")
        self.capacity = capacity
        self.leak_per_second = leak_per_second
        self._rate = Fraction(leak_per_second)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[Fraction, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Keys remembered now (never more than ``max_keys``)."""
        return len(self._buckets)

    def level(self, key: str, now: datetime) -> Fraction:
        """How full ``key``'s bucket is at ``now``, after leaking; does not change state."""
        with self._lock:
            return self._leaked(key, _aware(now))[0]

    def try_acquire(self, key: str, now: datetime) -> Admission:
        with self._lock:
            level, at = self._leaked(key, _aware(now))
            if level + 1 <= self.capacity:
                level += 1
                self._store(key, (level, at))
                return Admission(True, 0.0, self._headers(level))
            self._store(key, (level, at))
            wait = (level + 1 - self.capacity) / self._rate
            headers = self._headers(level)
            headers["Retry-After"] = f"{math.ceil(wait * 10) / 10:.1f}"
            return Admission(False, float(wait), headers)

    def _store(self, key: str, state: tuple[Fraction, datetime]) -> None:
        self._buckets[key] = state
        self._buckets.move_to_end(key)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # idle longest

    def _leaked(self, key: str, now: datetime) -> tuple[Fraction, datetime]:
        state = self._buckets.get(key)
        if state is None:
            return Fraction(0), now
        level, last = state
        if now <= last:
            return level, last
        return max(Fraction(0), level - _seconds(now - last) * self._rate), now

    def _headers(self, level: Fraction) -> dict[str, str]:
        # A partly drained slot still counts as used, as Shopify reports whole calls.
        return {self.HEADER: f"{math.ceil(level)}/{self.capacity}"}


#: Shopify REST Admin leak rates by plan, requests per second (bucket of 40 on every plan).
SHOPIFY_LEAK_PER_SECOND = {"basic": 2.0, "grow": 2.0, "advanced": 4.0, "plus": 20.0}


def shopify_bucket(plan: str) -> LeakyBucket:
    """The REST Admin bucket of a Shopify plan: 40 requests, leaking 2, 4 or 20 per second."""
    try:
        rate = SHOPIFY_LEAK_PER_SECOND[plan.lower()]
    except KeyError:
        known = ", ".join(SHOPIFY_LEAK_PER_SECOND)
        raise ValueError(f"unknown Shopify plan {plan!r} (known: {known})") from None
    return LeakyBucket(capacity=40, leak_per_second=rate)


class EtsyLimits:
    """Etsy Open API v3's limits: ``per_second`` in any 1 s and ``per_day`` in any rolling 24 h.

    Both windows are exact sliding windows: a request made at ``t`` counts until ``t + 1 s``
    (respectively ``t + 24 h``) and no longer, so capacity returns exactly then. Each key keeps
    the timestamps of its admitted requests in two deques, at most ``per_second`` and
    ``per_day`` long. A refusal carries ``retry-after`` in whole seconds, rounded up.
    """

    SECOND = timedelta(seconds=1)
    DAY = timedelta(days=1)

    def __init__(
        self, per_second: int = 10, per_day: int = 10_000, *, max_keys: int = MAX_KEYS
    ) -> None:
        if per_second < 1 or per_day < 1:
            raise ValueError(f"limits must be at least 1, got {per_second}/s and {per_day}/day")
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, got {max_keys}")
        self.per_second, self.per_day, self.max_keys = per_second, per_day, max_keys
        self._windows: OrderedDict[str, tuple[deque[datetime], deque[datetime]]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Keys remembered now (never more than ``max_keys``)."""
        return len(self._windows)

    def try_acquire(self, key: str, now: datetime) -> Admission:
        now = _aware(now)
        with self._lock:
            windows = self._windows.get(key)
            if windows is None:
                windows = (deque(maxlen=self.per_second), deque(maxlen=self.per_day))
                self._windows[key] = windows
                if len(self._windows) > self.max_keys:
                    self._windows.popitem(last=False)  # idle longest
            else:
                self._windows.move_to_end(key)
            second, day = windows
            if day and now < day[-1]:
                now = day[-1]
            _expire(second, now - self.SECOND)
            _expire(day, now - self.DAY)
            waits = []
            if len(second) >= self.per_second:
                waits.append(second[0] + self.SECOND - now)
            if len(day) >= self.per_day:
                waits.append(day[0] + self.DAY - now)
            if not waits:
                second.append(now)
                day.append(now)
                return Admission(True, 0.0, self._headers(second, day))
            wait = float(_seconds(max(waits)))
            headers = self._headers(second, day)
            headers["retry-after"] = str(math.ceil(wait))
            return Admission(False, wait, headers)

    def _headers(self, second: deque[datetime], day: deque[datetime]) -> dict[str, str]:
        return {
            "x-limit-per-second": str(self.per_second),
            "x-remaining-this-second": str(self.per_second - len(second)),
            "x-limit-per-day": str(self.per_day),
            "x-remaining-today": str(self.per_day - len(day)),
        }


def _expire(window: deque[datetime], cutoff: datetime) -> None:
    """Drop timestamps at or before ``cutoff``: they are a full window old."""
    while window and window[0] <= cutoff:
        window.popleft()


def platform_limiter(platform: str, plan: str = "basic") -> RateLimiter:
    """The limiter a merchant profile's platform and plan imply."""
    if platform == "shopify":
        return shopify_bucket(plan)
    if platform == "etsy":
        return EtsyLimits()
    raise ValueError(f"no rate limits known for platform {platform!r} (known: etsy, shopify)")
