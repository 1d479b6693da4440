"""Where a refund reverses fees: each fee line by its component's ``on_refund`` rule.

A refund returns ``refund_amount`` of the order total. Each fee line gives back its refundable
part pro rata to the refunded share of the total, rounded once, half-even, to the minor unit:

* ``refund``: the whole fee is refundable (a commission clawed back);
* ``keep``: nothing is (a processor keeping its fee);
* ``refund_percentage_keep_fixed``: the fee less its fixed part, where the fixed part is
  ``fixed + per_unit x units`` (at most the fee), so the rounded percentage is refundable.

Several partial refunds of one order round the *cumulative* refunded share, and each returns the
difference from the last: so the pieces of a full refund return exactly the original fee, and
never more. With nothing refunded before, that is one rounding of ``fee x refund / total``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.model import FeeComponent, FeeModel
from merchants.money import divide_half_even
from merchants.orders import PlacedOrder


def pro_rata(amount: int, refunded: int, total: int) -> int:
    """``amount x refunded / total``, rounded once half-even (0 when the total is 0)."""
    return divide_half_even(amount * refunded, total) if total > 0 else 0


def returned_share(amount: int, refund_amount: int, refunded_before: int, total: int) -> int:
    """What a refund returns of ``amount``: the rounded cumulative share less the earlier one."""
    return pro_rata(amount, refunded_before + refund_amount, total) - pro_rata(
        amount, refunded_before, total
    )


def refundable(line: FeeLine, component: FeeComponent) -> int:
    """The part of a fee line that its component's rule gives back on a full refund."""
    if component.on_refund == "keep":
        return 0
    if component.on_refund == "refund_percentage_keep_fixed":
        return line.amount - min(line.amount, line.fixed + line.per_unit * line.units)
    return line.amount


def check_refund(order: PlacedOrder, refund_amount: int, refunded_before: int) -> None:
    """Refuse a refund that is not positive or would return more than the order total."""
    if refund_amount <= 0 or refunded_before < 0:
        raise ValueError(f"order {order.id}: a refund must be positive, not {refund_amount}")
    if refunded_before + refund_amount > order.total_amount:
        raise ValueError(
            f"order {order.id}: refund of {refund_amount} exceeds what is left of its total "
            f"({order.total_amount - refunded_before} of {order.total_amount})"
        )


def _components(models: Iterable[FeeModel]) -> dict[tuple[str, str], FeeComponent]:
    return {(m.name, c.name): c for m in models for c in m.components}


def refund_lines(
    order: PlacedOrder,
    fee_lines: Sequence[FeeLine],
    refund_amount: int,
    models: Sequence[FeeModel],
    *,
    refunded_before: int = 0,
) -> list[FeeLine]:
    """The reversal lines of refunding ``refund_amount`` of ``order``: negative amounts.

    ``fee_lines`` are the order's lines as charged, ``models`` the models that charged them (for
    each component's ``on_refund``), ``refunded_before`` what earlier refunds of the order
    returned. A line copies the original's fields with a negative ``amount``; lines that return
    nothing are left out.
    """
    check_refund(order, refund_amount, refunded_before)
    components = _components(models)
    reversals = []
    for line in fee_lines:
        component = components.get((line.model, line.component))
        if component is None:
            raise ValueError(
                f"order {order.id}: no fee model {line.model!r} with component "
                f"{line.component!r} among the models given, so its refund rule is unknown"
            )
        back = returned_share(
            refundable(line, component), refund_amount, refunded_before, order.total_amount
        )
        if back:
            reversals.append(replace(line, amount=-back))
    return reversals
