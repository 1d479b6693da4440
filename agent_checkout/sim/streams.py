"""Named random streams derived from one root seed.

Each component draws from its own stream (``arrivals``, ``shopper`` of session 17, ``latency``
of session 17, ``declines``...), seeded by a hash of the root seed and the stream's name. Changing
how one component draws leaves every other stream as it was, and session ``i`` meets the same
shopper in every variant of a comparison: common random numbers by construction.

A ``random.Random`` holds 2.5 KB of Mersenne Twister state. A session keeps two streams for
its whole life (its shopper's and its merchant latencies'), so 20,000 sessions in flight would
hold 100 MB of generator state while they wait. :meth:`RandomStreams.resumable` gives such a
stream as a :class:`ResumableStream`: only the most recently used ones keep their state; the
others keep their seed and how far they had drawn, and rebuild their state on the next draw.
The numbers are the very same either way.
"""

from __future__ import annotations

import hashlib
import random
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: The largest root seed: the ledger stores seeds as a signed 64-bit integer (DuckDB BIGINT).
#: Seeds run from 0 to SEED_MAX inclusive, in scenario files and on the command line alike.
SEED_MAX = 2**63 - 1

#: How many resumable streams of one :class:`RandomStreams` keep their state at once: enough
#: that a run with a few hundred sessions in flight never rebuilds one.
LIVE_STREAMS = 1_024


class _CountedRandom(random.Random):
    """A ``random.Random`` that counts the 32-bit words it has drawn from its generator.

    Every draw goes through :meth:`random` (two words) or :meth:`getrandbits` (one word per 32
    bits, none for zero bits), so the count says exactly how far the generator has moved.
    """

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.words = 0

    def random(self) -> float:
        self.words += 2
        return super().random()

    def getrandbits(self, k: int) -> int:
        self.words += (k + 31) // 32
        return super().getrandbits(k)


class ResumableStream:
    """A named stream that can put its generator state down and pick it up again.

    Call its ``random.Random`` methods directly (``rng.random()``, ``rng.choices(...)``); a
    bound method kept across draws would keep drawing from a state the stream may have put
    down. While live it holds a generator; parked, only its seed, the words drawn and the
    pending Gaussian, and the next draw rebuilds the generator (seeded, then advanced).
    """

    __slots__ = ("seed", "_live", "_words", "_gauss_next", "_pool")

    def __init__(self, seed: int, pool: _LivePool) -> None:
        self.seed, self._pool = seed, pool
        self._live: _CountedRandom | None = None
        self._words = 0
        self._gauss_next: float | None = None

    @property
    def live(self) -> bool:
        """Whether the stream holds its generator state now."""
        return self._live is not None

    def __getattr__(self, name: str) -> Any:
        # Only attributes the stream lacks come here: the generator's methods.
        if name.startswith("_"):  # not the generator's to answer (copying, unpickling)
            raise AttributeError(name)
        live = self._live
        if live is None:
            live = self._live = _CountedRandom(self.seed)
            if self._words:
                live.getrandbits(32 * self._words)  # exactly ``_words`` words: as far as before
            live.gauss_next = self._gauss_next
        self._pool.used(self)
        return getattr(live, name)

    def park(self) -> None:
        """Keep where the stream stands; drop its generator state."""
        live = self._live
        if live is not None:
            self._words, self._gauss_next = live.words, live.gauss_next
            self._live = None


class _LivePool:
    """The resumable streams holding state, least recently used first; the oldest is parked
    when there are more than ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._streams: OrderedDict[int, ResumableStream] = OrderedDict()

    def used(self, stream: ResumableStream) -> None:
        key = id(stream)
        streams = self._streams
        if key in streams:
            streams.move_to_end(key)
            return
        streams[key] = stream
        if len(streams) > self.size:
            streams.popitem(last=False)[1].park()

    def __len__(self) -> int:
        return len(self._streams)


#: Either kind of stream: the methods of ``random.Random``, called directly.
Stream = random.Random | ResumableStream


class RandomStreams:
    def __init__(self, root_seed: int, *, live_streams: int = LIVE_STREAMS) -> None:
        self.root_seed = root_seed
        self._pool = _LivePool(live_streams)

    def seed_for(self, name: str, *keys: object) -> int:
        label = ":".join([str(self.root_seed), name, *map(str, keys)])
        return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "big")

    def stream(self, name: str, *keys: object) -> random.Random:
        """A fresh ``random.Random`` for ``name`` (and keys), the same every time it is asked."""
        return random.Random(self.seed_for(name, *keys))

    def resumable(self, name: str, *keys: object) -> ResumableStream:
        """The numbers of :meth:`stream`, for a stream kept over a session's life: only the
        ``live_streams`` most recently used hold their generator state."""
        return ResumableStream(self.seed_for(name, *keys), self._pool)

    def draws(self, name: str, *keys: object) -> Callable[[], float]:
        """``stream(name, *keys).random``, with the stream made at the first draw: the same
        numbers, but a session that never draws (most never back off) never pays for the hash
        and the seeding."""
        stream: random.Random | None = None

        def draw() -> float:
            nonlocal stream
            if stream is None:
                stream = self.stream(name, *keys)
            return stream.random()

        return draw
