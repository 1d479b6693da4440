"""The balanced postings of each event the ledger records: an order, a refund, a click, a
presale's deposit and how it ends, and in a run with users (:mod:`agent_checkout.sim.users`) a
user's acquisition and red packet and the AI platform's inference bills.

A posting is ``(account, party, amount, memo)``; money leaving an account is negative. Each
journal sums to zero, so the ledger as a whole does too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agent_checkout.fees.context import Click
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.refund import returned_share
from merchants.orders import PlacedOrder
from merchants.presales import DepositForfeited, PresaleDeposit

Posting = tuple[str, str, int, str]
#: The merchant's liability for presale deposits it holds (party: the merchant's id).
CUSTOMER_DEPOSITS = "customer_deposits"


def journal(order: PlacedOrder, fee_lines: Iterable[FeeLine]) -> list[Posting]:
    """The balanced postings of one order: ``(account, party, amount, memo)`` rows."""
    lines = list(fee_lines)
    buyer_fees = sum(f.amount for f in lines if f.payer == "buyer")
    rows = [
        ("buyer", order.buyer_email or "", -(order.total_amount + buyer_fees), "order total"),
        ("merchant", order.merchant_id, order.total_amount - order.tax_amount, "sale"),
        ("tax_authority", "", order.tax_amount, "sales tax"),
    ]
    rows += _fee_postings(order.merchant_id, order.buyer_email or "", lines, "")
    return rows


def discount_journal(order: PlacedOrder) -> list[Posting]:
    """Each discount funded by someone other than the merchant moves its amount from the funder
    to the merchant, which is so made whole. A merchant-funded discount posts nothing: the lower
    total already lowered the merchant's sale."""
    rows: list[Posting] = []
    for discount in order.discounts:
        if discount.funder == "merchant" or not discount.amount:
            continue
        memo = f"discount/{discount.promotion_id}"
        rows.append((discount.funder, discount.promotion_id, -discount.amount, memo))
        rows.append(("merchant", order.merchant_id, discount.amount, memo))
    return rows


def deposit_journal(deposit: PresaleDeposit) -> list[Posting]:
    """A presale deposit is not yet a sale: the merchant holds it as a liability to the buyer,
    ``customer_deposits``, until the sale completes or the deposit is forfeited."""
    memo = f"presale/{deposit.presale.id} deposit"
    return [
        ("buyer", deposit.buyer_email or "", -deposit.amount, memo),
        (CUSTOMER_DEPOSITS, deposit.merchant_id, deposit.amount, memo),
    ]


def deposit_applied_journal(order: PlacedOrder) -> list[Posting]:
    """The sale completed: the held deposit goes to pay part of the order's total (which the
    order's own journal takes from the buyer), so the merchant's liability ends."""
    memo = f"presale {order.presale_id} applied to {order.id}"
    return [
        (CUSTOMER_DEPOSITS, order.merchant_id, -order.deposit, memo),
        ("buyer", order.buyer_email or "", order.deposit, memo),
    ]


def forfeit_journal(forfeited: DepositForfeited) -> list[Posting]:
    """No final payment: the liability becomes the merchant's income, in full, with no fee
    (no sale took place) and no inflation paid by anyone."""
    deposit = forfeited.deposit
    memo = f"presale/{deposit.presale.id} forfeited ({forfeited.reason})"
    return [
        (CUSTOMER_DEPOSITS, deposit.merchant_id, -deposit.amount, memo),
        ("merchant", deposit.merchant_id, deposit.amount, memo),
    ]


def refund_tax(order: PlacedOrder, refund_amount: int, refunded_before: int = 0) -> int:
    """The tax authority's part of a refund: the order's tax pro rata to the refunded share.

    Rounded once, half-even, on the cumulative share (as fee reversals are), so partial refunds
    that add up to the total return exactly the order's tax.
    """
    return returned_share(order.tax_amount, refund_amount, refunded_before, order.total_amount)


def refund_journal(
    order: PlacedOrder, refund_amount: int, tax_back: int, reversal_lines: Sequence[FeeLine]
) -> list[Posting]:
    """The buyer gets ``refund_amount`` back (plus any surcharge reversed): the tax authority
    returns ``tax_back``, the merchant the rest, and each reversal line moves its (negative)
    amount from its payee back to its payer."""
    buyer_back = -sum(f.amount for f in reversal_lines if f.payer == "buyer")
    rows = [
        ("buyer", order.buyer_email or "", refund_amount + buyer_back, "refund"),
        ("merchant", order.merchant_id, -(refund_amount - tax_back), "refund"),
        ("tax_authority", "", -tax_back, "sales tax refund"),
    ]
    rows += _fee_postings(order.merchant_id, order.buyer_email or "", reversal_lines, " refund")
    return rows


def click_journal(click: Click, fee_lines: Sequence[FeeLine]) -> list[Posting]:
    """Each cost-per-click line moves its amount from its payer (the advertiser) to its payee."""
    return _fee_postings(click.merchant_id, "", fee_lines, " click", charge_buyer=True)


def acquisition_journal(user_id: str, cost: int) -> list[Posting]:
    """The AI platform pays for acquiring a user (ads, referral): to ``acquisition``."""
    return [
        ("ai_platform", user_id, -cost, "acquisition"),
        ("acquisition", user_id, cost, "acquisition"),
    ]


def red_packet_journal(user_id: str, amount: int) -> list[Posting]:
    """The AI platform pays a new user a cash red packet: into the buyer's wallet."""
    return [
        ("ai_platform", user_id, -amount, "red packet"),
        ("buyer", user_id, amount, "red packet"),
    ]


def inference_journal(bill_id: str, amount: int) -> list[Posting]:
    """The AI platform pays for a cohort's inference on a day: to ``inference`` (compute)."""
    return [
        ("ai_platform", bill_id, -amount, "inference"),
        ("inference", bill_id, amount, "inference"),
    ]


def _fee_postings(
    merchant_id: str,
    buyer: str,
    lines: Iterable[FeeLine],
    suffix: str,
    *,
    charge_buyer: bool = False,
) -> list[Posting]:
    """A fee's payee gets its amount and its payer gives it. On an order or a refund, the
    buyer's side of a surcharge is already in the buyer's total posting."""
    rows: list[Posting] = []
    for fee in lines:
        memo = f"{fee.model}/{fee.component}{suffix}"
        if fee.payer == "merchant":
            rows.append(("merchant", merchant_id, -fee.amount, memo))
        elif charge_buyer:
            rows.append(("buyer", buyer, -fee.amount, memo))
        rows.append((fee.payee, fee.model, fee.amount, memo))
    return rows
