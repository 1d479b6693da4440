"""Shared fixtures: small scenarios written to a temporary folder.

Tests see no terminal size: pytest-xdist's workers inherit ``COLUMNS`` and ``LINES``, and rich
fixes a module-level console's width from them at import, so tests that set ``COLUMNS`` for one
command would print at another width on a worker than in a plain run.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

import pytest
import yaml

SMALL_SCENARIO = {
    "name": "small",
    "seed": 11,
    "merchants": ["northwind-outfitters", "juniper-handmade"],
    "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 150},
    "shoppers": {"outside_utility": 1.0},
    "payments": {"decline_rates": {"generic_decline": 0.05}},
}

#: Intent mixes and in-chat acceptance as built in before ``calibrate --channels`` refitted them.
FIXED_CHANNELS = {
    "ai_in_chat": {
        "intents": {
            "researching": 0.89,
            "comparing": 0.08,
            "gift_with_deadline": 0.015,
            "ready_to_buy": 0.015,
        },
        "in_chat_acceptance": 0.3,
    },
    "ai_link_out": {
        "intents": {
            "researching": 0.89,
            "comparing": 0.08,
            "gift_with_deadline": 0.015,
            "ready_to_buy": 0.015,
        },
    },
    "direct": {
        "intents": {
            "researching": 0.838,
            "comparing": 0.11,
            "gift_with_deadline": 0.022,
            "ready_to_buy": 0.03,
        },
    },
    "affiliate": {
        "intents": {
            "researching": 0.792,
            "comparing": 0.13,
            "gift_with_deadline": 0.028,
            "ready_to_buy": 0.05,
        },
    },
}


def fixed_channels(shares: dict[str, float]) -> dict[str, dict]:
    """A ``channels`` section whose channels keep fixed intent mixes (:data:`FIXED_CHANNELS`),
    so tests pinning a run's exact figures do not move when the built-in defaults are refitted."""
    return {name: {"share": share, **FIXED_CHANNELS[name]} for name, share in shares.items()}


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write a scenario dict (default: a 150-session run of both merchants) and return its path."""

    def write(data: dict | None = None, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(SMALL_SCENARIO if data is None else data))
        return path

    return write
