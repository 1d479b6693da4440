"""Whether a run converts like a real shop, and what to tell the user when it does not.

Real shops convert 1.6% of visits on average, Shopify's top fifth above 3.2% (docs/sources.md,
"e-commerce conversion rate"). A population of shoppers who all came ready to buy converts far
more: that tests a checkout path, it is not a market, and every revenue figure read from it is
off by an order of magnitude. A scenario that means to do this says why in ``conversion_note``;
the run then prints the note beside its figures instead of a warning.
"""

from __future__ import annotations

#: Above this share of sessions converting, no published shop average comes close.
REAL_CONVERSION_CEILING = 0.10


def conversion_remark(conversion_rate: float, note: str | None) -> str | None:
    """The line to print under a run's figures, or None when its conversion is plausible."""
    if conversion_rate <= REAL_CONVERSION_CEILING:
        return None
    lead = (
        f"note: conversion {conversion_rate:.2%} is far above real shops' 1-3% "
        "(docs/sources.md, 'e-commerce conversion rate')"
    )
    if note:
        return f"{lead}: {' '.join(note.split())}"
    return (
        f"{lead}: every session here is a shopper ready to buy; give the scenario `channels:` "
        "for a realistic population, or say why in `conversion_note`"
    )
