"""Named random streams derived from one root seed.

Each component draws from its own stream (``arrivals``, ``shopper`` of session 17, ``latency``
of session 17, ``declines``...), seeded by a hash of the root seed and the stream's name. Changing
how one component draws leaves every other stream as it was, and session ``i`` meets the same
shopper in every variant of a comparison: common random numbers by construction.
"""

from __future__ import annotations

import hashlib
import random

#: The largest root seed: the ledger stores a run's seed as a signed 64-bit integer.
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
