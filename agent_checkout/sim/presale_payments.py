"""A presale shopper's final payment, as a SimPy process in virtual time.

A shopper who paid a deposit (:mod:`merchants.presales`) and draws to pay the rest (the presale's
``final_payment_probability``, from the session's own ``presale`` stream) pays as the final
payment window opens: the agent delegates the shopper's first card for exactly the amount the
merchant quotes, and the merchant charges it and places the sale. A shopper who does not, or
whose card is declined, lets the window pass and the deposit is forfeited at its end. These
calls go straight to the merchant, at the virtual time they happen, without the queueing and
latency of a session's calls: they are one call each, days after the session.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from agent_checkout.agent.shopper import Shopper, passes_challenge
from merchants.acp import Allowance, DelegatePaymentRequest
from merchants.presales import PresaleDeposit

if TYPE_CHECKING:
    from agent_checkout.sim.simulation import Simulation

TOKEN_LIFETIME = timedelta(minutes=15)


def final_payment(
    simulation: Simulation, deposit: PresaleDeposit, label: str, shopper: Shopper, pays: bool
):
    """Pay at the window's start if ``pays`` (and the card goes through); else forfeit at its
    end. ``label`` is the session that paid the deposit: the sale is its order."""
    presale = deposit.presale
    merchant = simulation.merchants[deposit.merchant_id]
    if pays:
        yield simulation.env.timeout(_until(simulation, presale.final_payment_starts_at))
        now = simulation.clock()
        token = simulation.processor.delegate_payment(
            DelegatePaymentRequest(
                payment_method=shopper.cards[0],
                allowance=Allowance(
                    max_amount=merchant.quote_final(deposit.id, now),
                    currency=deposit.currency,
                    checkout_session_id=deposit.checkout_session_id,
                    merchant_id=deposit.merchant_id,
                    expires_at=now + TOKEN_LIFETIME,
                ),
                billing_address=shopper.address,
            ),
            now,
        )
        simulation.serving(label)
        paid = merchant.pay_final(deposit.id, token.id, now)
        if paid.charge.requires_authentication:
            paid = merchant.pay_final(
                deposit.id, token.id, now, authenticated=passes_challenge(shopper)
            )
        if paid.order is not None:
            return
    yield simulation.env.timeout(_until(simulation, presale.final_payment_ends_at))
    simulation.serving(label)
    merchant.forfeit_deposit(
        deposit.id, simulation.clock(), "declined" if not pays else "payment_failed"
    )


def _until(simulation: Simulation, when: datetime) -> float:
    """Virtual seconds from now until ``when`` (0 if it has passed)."""
    return max(0.0, (when - simulation.clock()).total_seconds())
