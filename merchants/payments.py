"""A simulated payment processor: delegated vault tokens bound to an allowance, and charges.

The agent never holds card numbers at the merchant: it asks the processor for a single-use token
(``POST /agentic_commerce/delegate_payment``) whose allowance caps amount, currency, checkout
session, merchant and lifetime. The merchant presents the token at complete; the processor
enforces the allowance and decides approval. Declines come from Stripe-style test card numbers
(the card decides, which keeps variants comparable) and from configurable random rates by reason.

3-D Secure: a token's card may need issuer authentication (always for :data:`THREE_DS_CARD`,
else with probability ``three_ds_rate``, drawn once per token from ``rng``). Until the challenge
result is recorded with :meth:`PaymentProcessor.authenticate`, a charge answers
``requires_authentication`` and leaves the token unused; a failed challenge declines the charge
(``authentication_failed``); a passed one lets it go on to the usual approval.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from merchants.acp import DelegatePaymentRequest, DelegatePaymentResponse, timestamp
from merchants.errors import ProtocolError
from merchants.ids import IdSource, SerialIds

#: Decline reasons, with the card-network style codes a merchant reports.
DECLINE_REASONS = ("insufficient_funds", "generic_decline", "expired_card", "fraudulent")

#: Test card numbers that always decline with a given reason (Stripe's convention).
TEST_CARDS = {
    "4000000000009995": "insufficient_funds",
    "4000000000000002": "generic_decline",
    "4000000000000069": "expired_card",
    "4100000000000019": "fraudulent",
}

#: Test card that always asks for a 3-D Secure challenge (Stripe's ``4000002500003155``).
THREE_DS_CARD = "4000002500003155"


@dataclass(frozen=True, slots=True)
class Charge:
    """The processor's answer to a charge: approved, or declined with a reason."""

    approved: bool
    amount: int
    currency: str
    decline_reason: str | None = None
    charge_id: str | None = None
    requires_authentication: bool = False  # a 3DS challenge must pass first; nothing charged


@dataclass(slots=True)
class _Vaulted:
    request: DelegatePaymentRequest
    used: bool = False
    needs_3ds: bool | None = None  # decided at the first charge that passes the allowance
    authenticated: bool | None = None  # the challenge result, once the agent has supplied it


@dataclass
class PaymentProcessor:
    """Vault and charge. ``decline_rates`` maps a reason to its probability per charge;
    ``three_ds_rate`` is the share of tokens whose card needs a 3-D Secure challenge."""

    rng: random.Random = field(default_factory=lambda: random.Random(0))
    decline_rates: Mapping[str, float] = field(default_factory=dict)
    provider: str = "stripe"
    three_ds_rate: float = 0.0
    #: Mints vault token ids: serial in process, secret over HTTP (see merchants.ids).
    ids: IdSource = field(default_factory=SerialIds, repr=False, compare=False)
    _tokens: dict[str, _Vaulted] = field(default_factory=dict, init=False)
    _issued: int = field(default=0, init=False)
    _charges: int = field(default=0, init=False)
    # An HTTP server vaults and charges from several threads; token ids and ``used`` need it.
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        unknown = set(self.decline_rates) - set(DECLINE_REASONS)
        if unknown:
            raise ValueError(f"unknown decline reason(s): {', '.join(sorted(unknown))}")
        if sum(self.decline_rates.values()) > 1:
            raise ValueError("decline rates sum to more than 1")
        if not 0.0 <= self.three_ds_rate <= 1.0:
            raise ValueError(f"three_ds_rate must be within 0 and 1, got {self.three_ds_rate}")

    def delegate_payment(
        self, request: DelegatePaymentRequest, now: datetime
    ) -> DelegatePaymentResponse:
        """Vault a card under an allowance and return a single-use token."""
        if not request.payment_method.number.isdigit():
            raise ProtocolError(
                400,
                "invalid_request",
                "invalid_card",
                "Invalid card number provided",
                "$.payment_method.number",
            )
        if request.allowance.expires_at <= now:
            raise ProtocolError(
                400,
                "invalid_request",
                "invalid_request",
                "allowance already expired",
                "$.allowance.expires_at",
            )
        with self._lock:
            self._issued += 1
            if self._issued % 1024 == 0:  # forget tokens whose allowance has run out
                for stale in [
                    t for t, v in self._tokens.items() if v.request.allowance.expires_at <= now
                ]:
                    del self._tokens[stale]
            token = self.ids.mint("vt_", self._issued, 8)
            self._tokens[token] = _Vaulted(request)
        metadata = dict(request.metadata)
        metadata.setdefault("merchant_id", request.allowance.merchant_id)
        return DelegatePaymentResponse(id=token, created=timestamp(now), metadata=metadata)

    def issued(self, token: str) -> bool:
        """Whether this processor vaulted ``token`` (and still holds it)."""
        with self._lock:
            return token in self._tokens

    def charge(
        self,
        token: str,
        *,
        amount: int,
        currency: str,
        checkout_session_id: str,
        merchant_id: str,
        now: datetime,
    ) -> Charge:
        """Charge a token for an amount. An allowance breach is a decline, never a charge."""
        with self._lock:
            return self._charge(token, amount, currency, checkout_session_id, merchant_id, now)

    def _charge(
        self,
        token: str,
        amount: int,
        currency: str,
        checkout_session_id: str,
        merchant_id: str,
        now: datetime,
    ) -> Charge:
        vaulted = self._tokens.get(token)
        if vaulted is None:
            return Charge(False, amount, currency, "invalid_token")
        allowance = vaulted.request.allowance
        breach = (
            "token_used"
            if vaulted.used
            else "allowance_expired"
            if allowance.expires_at <= now
            else "over_allowance"
            if amount > allowance.max_amount
            else "currency_mismatch"
            if currency != allowance.currency
            else "wrong_checkout_session"
            if checkout_session_id != allowance.checkout_session_id
            else "wrong_merchant"
            if merchant_id != allowance.merchant_id
            else None
        )
        if breach:
            return Charge(False, amount, currency, breach)
        if vaulted.needs_3ds is None:
            vaulted.needs_3ds = self._needs_3ds(vaulted.request.payment_method.number)
        if vaulted.needs_3ds and vaulted.authenticated is None:
            return Charge(False, amount, currency, requires_authentication=True)
        vaulted.used = True
        if vaulted.needs_3ds and not vaulted.authenticated:
            return Charge(False, amount, currency, "authentication_failed")
        reason = TEST_CARDS.get(vaulted.request.payment_method.number) or self._random_decline()
        if reason:
            return Charge(False, amount, currency, reason)
        self._charges += 1
        return Charge(True, amount, currency, charge_id=f"ch_{self._charges:08d}")

    def authenticate(self, token: str, passed: bool, now: datetime) -> None:
        """Record the 3-D Secure challenge result for ``token``; its next charge honours it."""
        with self._lock:
            vaulted = self._tokens.get(token)
            if vaulted is None:
                raise ProtocolError(
                    400,
                    "invalid_request",
                    "invalid_token",
                    f"unknown payment token {token!r}",
                    "$.payment_data.token",
                )
            vaulted.authenticated = passed

    def _needs_3ds(self, number: str) -> bool:
        # No draw at a zero rate, so adding 3DS leaves existing decline streams unchanged.
        if number == THREE_DS_CARD:
            return True
        return self.three_ds_rate > 0 and self.rng.random() < self.three_ds_rate

    def _random_decline(self) -> str | None:
        if not self.decline_rates:
            return None
        draw = self.rng.random()
        for reason in DECLINE_REASONS:
            draw -= self.decline_rates.get(reason, 0.0)
            if draw < 0:
                return reason
        return None
