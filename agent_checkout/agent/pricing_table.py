"""What a chat model's tokens cost, so a run can weigh inference against the commission it earns.

Prices are list prices in US dollars per million tokens, standard (not batch, not cached) tier,
as the vendors published them in 2025. They change: pass your own table where one is taken.
Costs come out in integer **micro-dollars** (µUSD, 1e-6 USD): a session's inference is often
well under a cent, which minor units would round to nothing. :func:`micros_to_minor` converts
them into minor units of any currency through an explicit FX table (:mod:`agent_checkout.fees.fx`).
Local models (Ollama) cost nothing per token here; their hardware is not priced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from agent_checkout.fees.fx import REFERENCE_FX, FxTable

MICROS_PER_USD = 1_000_000
TOKENS_PER_PRICE = 1_000_000  # prices are per million tokens


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Price of one million tokens in micro-dollars, so token × price stays an exact integer."""

    input_micros: int
    output_micros: int

    @classmethod
    def usd(cls, input_per_mtok: str, output_per_mtok: str) -> ModelPrice:
        """From dollar strings, e.g. ``ModelPrice.usd("2.50", "10.00")``: exact, no floats."""
        return cls(_micros(input_per_mtok), _micros(output_per_mtok))

    def cost_numerator(self, input_tokens: int, output_tokens: int) -> int:
        """Cost in micro-dollars × ``TOKENS_PER_PRICE``; sum these, divide once at the end."""
        return input_tokens * self.input_micros + output_tokens * self.output_micros


def _micros(usd: str) -> int:
    value = Decimal(usd) * MICROS_PER_USD
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"price {usd!r}: give a non-negative amount with at most 6 decimals")
    return int(value)


# $ per million tokens (input, output). Keys are model names without the provider prefix;
# lookups also match a dated variant by prefix ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini").
PRICES: dict[str, ModelPrice] = {
    # OpenAI, platform.openai.com/docs/pricing
    "gpt-4o": ModelPrice.usd("2.50", "10.00"),
    "gpt-4o-mini": ModelPrice.usd("0.15", "0.60"),
    "gpt-4.1": ModelPrice.usd("2.00", "8.00"),
    "gpt-4.1-mini": ModelPrice.usd("0.40", "1.60"),
    "gpt-5": ModelPrice.usd("1.25", "10.00"),
    "gpt-5-mini": ModelPrice.usd("0.25", "2.00"),
    # Anthropic, docs.anthropic.com pricing
    "claude-sonnet-4-5": ModelPrice.usd("3.00", "15.00"),
    "claude-haiku-4-5": ModelPrice.usd("1.00", "5.00"),
    "claude-opus-4-1": ModelPrice.usd("15.00", "75.00"),
    # Google, ai.google.dev pricing (prompts up to 200k tokens)
    "gemini-2.5-pro": ModelPrice.usd("1.25", "10.00"),
    "gemini-2.5-flash": ModelPrice.usd("0.30", "2.50"),
    # Local inference: no per-token bill.
    "ollama": ModelPrice(0, 0),
    # Test double: round numbers so expected costs are easy to check by hand.
    "fake": ModelPrice.usd("1.00", "2.00"),
}


def price_for(model: str, prices: Mapping[str, ModelPrice] = PRICES) -> ModelPrice | None:
    """The price of ``model`` ("provider:name" or "name"), or ``None`` if the table lacks it.

    Tries the exact name, the name without its provider, a dated or ``-latest`` variant of a
    table key (``claude-haiku-4-5-20251001``; not ``gpt-4.1-nano``, a different model), then the
    provider alone (``"ollama"`` prices every Ollama model).
    """
    provider, _, bare = model.partition(":") if ":" in model else ("", "", model)
    for name in (model, bare):
        if name in prices:
            return prices[name]
    variants = [
        key for key in prices if bare.startswith(key) and _VARIANT.fullmatch(bare[len(key) :])
    ]
    if variants:
        return prices[max(variants, key=len)]
    return prices.get(provider) if provider else None


_VARIANT = re.compile(r"[-@](\d.*|latest)")


def micros_to_minor(micros: int, currency: str = "usd", fx: FxTable = REFERENCE_FX) -> int:
    """Micro-dollars in minor units of ``currency`` (cents for usd, yen for jpy), converted
    through the explicit table ``fx`` and rounded half-even once; never µUSD divided into fen."""
    return fx.micros_usd_to_minor(micros, currency)
