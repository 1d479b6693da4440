"""One interface to a merchant, whatever is on the other side of it.

The graph's nodes talk to :class:`MerchantConnector` and :class:`PaymentConnector` only. The
in-process connectors here call a :class:`merchants.Merchant` directly, stamping each call with
``clock()``; the simulation's connectors (``agent_checkout.sim.cosim``) hand the same call to
SimPy, which serves it in virtual time. Every call passes through ``_serve``, the one seam.

An in-process merchant also shows its ``promotions`` (the book its checkout prices with), as a
shop shows its offers: an attribute, not a call, so reading it takes no time and no trace line.
The agent works out effective prices from it (:mod:`agent_checkout.agent.unit_prices`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from merchants import Merchant, PaymentProcessor
from merchants.acp import (
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    DelegatePaymentRequest,
    DelegatePaymentResponse,
)
from merchants.feed import FeedProduct
from merchants.presales import PresaleBook
from merchants.promotions import PromotionBook

T = TypeVar("T")
Clock = Callable[[], datetime]


class MerchantUnavailable(Exception):
    """The merchant could not be reached or kept failing: the session cannot go on with it."""


class MerchantConnector(Protocol):
    merchant_id: str

    def search(
        self, query: str, *, limit: int = 10, max_price: int | None = None
    ) -> list[FeedProduct]: ...
    def create_checkout(self, request: CheckoutSessionCreateRequest) -> CheckoutSession: ...
    def update_checkout(
        self, session_id: str, request: CheckoutSessionUpdateRequest
    ) -> CheckoutSession: ...
    def complete_checkout(
        self, session_id: str, request: CheckoutSessionCompleteRequest
    ) -> CheckoutSession: ...
    def cancel_checkout(self, session_id: str) -> CheckoutSession: ...
    def authenticate_checkout(self, session_id: str, passed: bool) -> CheckoutSession: ...


class PaymentConnector(Protocol):
    def delegate_payment(self, request: DelegatePaymentRequest) -> DelegatePaymentResponse: ...


def wall_clock() -> datetime:
    """Real time, for in-process use outside a simulation."""
    return datetime.now(UTC)  # wall clock: only outside the simulation


class _Served:
    """Routes every call through :meth:`_serve` so subclasses can change how time passes."""

    endpoint_prefix = ""

    def __init__(self, clock: Clock = wall_clock) -> None:
        self.clock = clock

    def _serve(self, endpoint: str, operation: Callable[[datetime], T]) -> T:
        return operation(self.clock())


class InProcessMerchant(_Served):
    """Direct method calls on a :class:`merchants.Merchant`."""

    def __init__(self, merchant: Merchant, clock: Clock = wall_clock) -> None:
        super().__init__(clock)
        self.merchant = merchant
        self.merchant_id = merchant.id

    @property
    def promotions(self) -> PromotionBook:
        """The promotions this merchant's checkout applies (its own and its marketplace's)."""
        return self.merchant.checkout.promotions

    @property
    def presales(self) -> PresaleBook:
        """This merchant's presales, so an agent prices a deposit's worth (unit_prices)."""
        return self.merchant.checkout.presales

    def search(
        self, query: str, *, limit: int = 10, max_price: int | None = None
    ) -> list[FeedProduct]:
        return self._serve(
            "search", lambda now: self.merchant.search(query, now, limit=limit, max_price=max_price)
        )

    def create_checkout(self, request: CheckoutSessionCreateRequest) -> CheckoutSession:
        return self._serve(
            "create_checkout", lambda now: self.merchant.create_checkout(request, now)
        )

    def update_checkout(
        self, session_id: str, request: CheckoutSessionUpdateRequest
    ) -> CheckoutSession:
        return self._serve(
            "update_checkout", lambda now: self.merchant.update_checkout(session_id, request, now)
        )

    def complete_checkout(
        self, session_id: str, request: CheckoutSessionCompleteRequest
    ) -> CheckoutSession:
        return self._serve(
            "complete_checkout",
            lambda now: self.merchant.complete_checkout(session_id, request, now),
        )

    def cancel_checkout(self, session_id: str) -> CheckoutSession:
        return self._serve(
            "cancel_checkout", lambda now: self.merchant.cancel_checkout(session_id, now)
        )

    def authenticate_checkout(self, session_id: str, passed: bool) -> CheckoutSession:
        return self._serve(
            "authenticate_checkout",
            lambda now: self.merchant.authenticate_checkout(session_id, passed, now),
        )


class InProcessPayments(_Served):
    """Direct calls on a :class:`merchants.PaymentProcessor`."""

    def __init__(self, processor: PaymentProcessor, clock: Clock = wall_clock) -> None:
        super().__init__(clock)
        self.processor = processor

    def delegate_payment(self, request: DelegatePaymentRequest) -> DelegatePaymentResponse:
        return self._serve(
            "delegate_payment", lambda now: self.processor.delegate_payment(request, now)
        )
