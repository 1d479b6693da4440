"""Named random streams derived from one root seed.

Each component draws from its own stream (``arrivals``, ``shopper`` of session 17, ``latency``
of session 17, ``declines``...), seeded by a hash of the root seed and the stream's name. Changing
how one component draws leaves every other stream as it was, and session ``i`` meets the same
shopper in every variant of a comparison: common random numbers by construction.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable

#: The largest root seed: the ledger stores seeds as a signed 64-bit integer (DuckDB BIGINT).
#: Seeds run from 0 to SEED_MAX inclusive, in scenario files and on the command line alike.
SEED_MAX = 2**63 - 1


class RandomStreams:
    def __init__(self, root_seed: int) -> None:
        self.root_seed = root_seed

    def seed_for(self, name: str, *keys: object) -> int:
        label = ":".join([str(self.root_seed), name, *map(str, keys)])
        return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "big")

    def stream(self, name: str, *keys: object) -> random.Random:
        """A fresh ``random.Random`` for ``name`` (and keys), the same every time it is asked."""
        return random.Random(self.seed_for(name, *keys))

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
