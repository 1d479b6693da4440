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
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: The largest root seed: the ledger stores seeds as a signed 64-bit integer (DuckDB BIGINT).
#: Seeds run from 0 to SEED_MAX inclusive, in scenario files and on the command line alike.
SEED_MAX = 2**63 - 1

#: How many resumable streams of one :class:`RandomStreams` keep their state at once: enough
#: that a run with a few hundred sessions in flight never parks one.
LIVE_STREAMS = 1_024


_BLOCK = 624  # 32-bit words of Mersenne Twister state, drawn between two twists


def _words_drawn(seed: int, live: random.Random) -> int:
    """How many 32-bit words ``live`` has drawn since it was seeded with ``seed``.

    Its state's position gives the count modulo the block; a fresh generator advanced that far
    (then a block at a time) until the states match gives the rest. Parking pays for this, so a
    draw pays nothing.
    """
    state = live.getstate()[1]
    fresh = random.Random(seed)
    words = state[-1] % _BLOCK
    fresh.getrandbits(32 * words)  # exactly ``words`` words (none for zero bits)
    while fresh.getstate()[1] != state:
        fresh.getrandbits(32 * _BLOCK)
        words += _BLOCK
    return words


class ResumableStream:
    """A named stream that can put its generator state down and pick it up again.

    Call its ``random.Random`` methods directly (``rng.random()``, ``rng.choices(...)``); a
    bound method kept across draws would keep drawing from a state the stream may have put
    down. While live it holds a generator; parked, only its seed, the words drawn and the
    pending Gaussian, and the next draw rebuilds the generator (seeded, then advanced).
    """

    __slots__ = ("seed", "_live", "_words", "_gauss_next", "_pool", "__weakref__")

    def __init__(self, seed: int, pool: _LivePool) -> None:
        self.seed, self._pool = seed, pool
        self._live: random.Random | None = None
        self._words = 0
        self._gauss_next: float | None = None

    @property
    def live(self) -> bool:
        """Whether the stream holds its generator state now."""
        return self._live is not None

    def _revive(self) -> random.Random:
        """The generator, rebuilt where the stream stood when it was parked (or fresh)."""
        live = self._live = random.Random(self.seed)
        if self._words:
            live.getrandbits(32 * self._words)  # exactly ``_words`` words: as far as before
        live.gauss_next = self._gauss_next
        self._pool.went_live(self)
        return live

    # The draws a simulation makes most, spelled out: an attribute the stream lacks goes
    # through ``__getattr__`` after a failed lookup, which costs more than the draw itself.
    def random(self) -> float:
        return (self._live or self._revive()).random()

    def choice(self, seq: Any) -> Any:
        return (self._live or self._revive()).choice(seq)

    def choices(self, population: Any, weights: Any = None, **kwargs: Any) -> list:
        return (self._live or self._revive()).choices(population, weights, **kwargs)

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        return (self._live or self._revive()).gauss(mu, sigma)

    def lognormvariate(self, mu: float, sigma: float) -> float:
        return (self._live or self._revive()).lognormvariate(mu, sigma)

    def expovariate(self, lambd: float = 1.0) -> float:
        return (self._live or self._revive()).expovariate(lambd)

    def __getattr__(self, name: str) -> Any:
        # Only attributes the stream lacks come here: the generator's other methods.
        if name.startswith("_"):  # not the generator's to answer (copying, unpickling)
            raise AttributeError(name)
        return getattr(self._live or self._revive(), name)

    def park(self) -> None:
        """Keep where the stream stands; drop its generator state."""
        live = self._live
        if live is not None:
            self._words, self._gauss_next = _words_drawn(self.seed, live), live.gauss_next
            self._live = None


class _LivePool:
    """The resumable streams holding state, in the order they took it up: past ``size``, the
    oldest is parked. A stream nobody holds any more (its session ended) leaves by itself, so
    only a crowd of streams in use at once is ever parked."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._streams: OrderedDict[int, weakref.ref[ResumableStream]] = OrderedDict()

    def went_live(self, stream: ResumableStream) -> None:
        streams, key = self._streams, id(stream)
        streams[key] = weakref.ref(stream, lambda _gone: streams.pop(key, None))
        while len(streams) > self.size:
            oldest = streams.popitem(last=False)[1]()
            if oldest is not None:
                oldest.park()

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
