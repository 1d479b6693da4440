"""Pricing events in sequence: orders, clicks and attributed purchases, with running volume.

:func:`price_order` prices one order on its own. A :class:`FeePricer` prices a stream of them
and remembers each merchant's sales, so running-volume tiers move as a merchant grows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from agent_checkout.fees.context import Click, FeeContext
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.model import FeeModel, price_order
from merchants.orders import PlacedOrder


def price_click(click: Click, models: Sequence[FeeModel]) -> list[FeeLine]:
    """The ``link_clicked`` fee lines (cost per click) of one click on a product link."""
    return [line for model in models for line in model.click_lines(click)]


def price_attributed(
    order: PlacedOrder,
    clicked_at: datetime,
    models: Sequence[FeeModel],
    context: FeeContext | None = None,
) -> list[FeeLine]:
    """The ``purchase_attributed`` lines of an order placed after a click at ``clicked_at``.

    Only components whose attribution window holds the order charge; ``order_completed``
    components are not included (price those with :func:`price_order`).
    """
    return [
        line
        for model in models
        for line in model.fee_lines(order, context, "purchase_attributed", clicked_at)
    ]


class FeePricer:
    """Prices orders in sequence, keeping each merchant's running volume for volume tiers.

    ``models`` is one list for every merchant, or a mapping from merchant id to its list (as the
    simulation keeps it). Each order is priced against the volume before it, then recorded.
    """

    def __init__(
        self,
        models: Sequence[FeeModel] | Mapping[str, Sequence[FeeModel]],
        context: FeeContext | None = None,
    ) -> None:
        self.models = models
        self.context = context if context is not None else FeeContext()

    def models_for(self, merchant_id: str) -> Sequence[FeeModel]:
        if isinstance(self.models, Mapping):
            try:
                return self.models[merchant_id]
            except KeyError:
                raise KeyError(f"no fee models for merchant {merchant_id!r}") from None
        return self.models

    def price(self, order: PlacedOrder, *, clicked_at: datetime | None = None) -> list[FeeLine]:
        """Every fee of a completed order, plus attributed fees when it followed a click."""
        models = self.models_for(order.merchant_id)
        lines = price_order(order, list(models), self.context)
        if clicked_at is not None:
            lines += price_attributed(order, clicked_at, models, self.context)
        self.context.record(order)
        return lines

    def price_click(self, click: Click) -> list[FeeLine]:
        return price_click(click, self.models_for(click.merchant_id))
