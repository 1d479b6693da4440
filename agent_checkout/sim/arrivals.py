"""When shoppers arrive, in virtual seconds from the start of the run."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class ArrivalProfile:
    """``poisson``: exponential gaps at ``rate_per_minute``; ``constant``: evenly spaced."""

    process: Literal["poisson", "constant"]
    rate_per_minute: float
    sessions: int

    def gaps(self, rng: random.Random) -> Iterator[float]:
        """Seconds to wait before each arrival; the first arrival comes after the first gap."""
        rate_per_second = self.rate_per_minute / 60.0
        for _ in range(self.sessions):
            if self.process == "poisson":
                yield rng.expovariate(rate_per_second)
            else:
                yield 1.0 / rate_per_second
