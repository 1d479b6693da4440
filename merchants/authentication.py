"""Delegate authentication (ACP 2026-04-17): the payment processor's 3-D Secure provider.

An agent runs 3DS2 with the merchant's authentication provider, then completes checkout with
the result. Sessions go create -> authenticate -> retrieve; outcomes are deterministic:

* the challenge card (:data:`merchants.payments.THREE_DS_CARD`), or any card when the request's
  ``flow_preference`` is a mandated challenge: authenticate answers ``action_required`` with a
  challenge; the mock ACS approves it, so the next retrieve shows ``authenticated``;
* :data:`DENIED_CARD` (Stripe's "authentication fails" card): ``not_authenticated``;
* any other card: frictionless, ``authenticated`` at authenticate.

Each finished session has a ``transaction_id``; a checkout complete that cites it gets this
provider's verdict, whatever outcome the agent wrote beside it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from merchants.errors import ProtocolError, not_found
from merchants.ids import IdSource, SerialIds
from merchants.payments import THREE_DS_CARD

#: Test card whose 3-D Secure authentication always fails (Stripe's ``4000008400001629``).
DENIED_CARD = "4000008400001629"
MESSAGE_VERSION = "2.2.0"
#: Sessions a provider remembers; the oldest go first (a server runs for days).
MAX_SESSIONS = 10_000
Status = Literal[
    "action_required",
    "pending",
    "not_supported",
    "authenticated",
    "attempted",
    "not_authenticated",
    "rejected",
    "unavailable",
    "expired",
    "challenge_abandoned",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaymentMethod(_Strict):
    type: Literal["card"]
    number: Annotated[str, Field(min_length=4, max_length=32, pattern=r"^\d+$")]
    exp_month: Annotated[str, Field(max_length=2)]
    exp_year: Annotated[str, Field(max_length=4)]
    name: str


class Amount(_Strict):
    value: Annotated[int, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ChallengePreference(_Strict):
    type: Literal["mandated", "preferred"] | None = None


class FlowPreference(_Strict):
    type: Literal["challenge", "frictionless"]
    challenge: ChallengePreference | None = None
    frictionless: dict[str, Any] | None = None


class AcquirerDetails(_Strict):
    acquirer_bin: Annotated[str, Field(max_length=11)]
    acquirer_country: Annotated[str, Field(min_length=2, max_length=2)]
    acquirer_merchant_id: Annotated[str, Field(max_length=35)]
    merchant_name: Annotated[str, Field(max_length=40)]
    requestor_id: Annotated[str, Field(max_length=35)] | None = None


class DelegateAuthenticationCreateRequest(_Strict):
    merchant_id: Annotated[str, Field(min_length=1)]
    acquirer_details: AcquirerDetails | None = None
    payment_method: PaymentMethod
    amount: Amount
    channel: dict[str, Any] | None = None
    checkout_session_id: str | None = None
    flow_preference: FlowPreference | None = None
    challenge_notification_url: str | None = None
    shopper_details: dict[str, Any] | None = None


class DelegateAuthenticationAuthenticateRequest(_Strict):
    fingerprint_completion: Literal["Y", "N", "U"]
    channel: dict[str, Any] | None = None
    checkout_session_id: str | None = None
    challenge_notification_url: str | None = None
    shopper_details: dict[str, Any] | None = None


@dataclass(slots=True)
class _Session:
    id: str
    request: DelegateAuthenticationCreateRequest
    flow: Literal["frictionless", "challenge", "denied"]
    status: Status = "action_required"
    challenged: bool = False

    def transaction_id(self) -> str:
        return f"ds_{self.id}"

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"authentication_session_id": self.id, "status": self.status}
        server_trans_id = f"3ds_{self.id}"
        if self.status == "action_required" and not self.challenged:
            body["action"] = {
                "type": "fingerprint",
                "fingerprint": {
                    "three_ds_method_url": f"https://acs.psp.example/3ds-method/{self.id}",
                    "three_ds_server_trans_id": server_trans_id,
                },
            }
        elif self.status == "action_required":
            body["action"] = {
                "type": "challenge",
                "challenge": {
                    "acs_url": f"https://acs.psp.example/challenge/{self.id}",
                    "acs_trans_id": f"acs_{self.id}",
                    "three_ds_server_trans_id": server_trans_id,
                    "message_version": MESSAGE_VERSION,
                },
            }
        elif self.status in ("authenticated", "not_authenticated"):
            passed = self.status == "authenticated"
            result = {
                "trans_status": "Y" if passed else "N",
                "transaction_id": self.transaction_id(),
                "three_ds_server_trans_id": server_trans_id,
                "version": MESSAGE_VERSION,
            }
            if passed:
                result["electronic_commerce_indicator"] = "05"
                result["three_ds_cryptogram"] = f"AAABB{self.id.upper()}=="
            else:
                result["trans_status_reason"] = "01"
            body["authentication_result"] = result
        return body


class AuthenticationProvider:
    """The processor's 3DS2 server: sessions in memory, thread-safe, ids from ``ids``."""

    def __init__(self, ids: IdSource | None = None) -> None:
        self.ids: IdSource = ids or SerialIds()
        self._sessions: dict[str, _Session] = {}
        self._by_transaction: dict[str, _Session] = {}
        self._created = 0
        self._lock = threading.Lock()

    def create(self, request: DelegateAuthenticationCreateRequest, now: datetime) -> dict:
        """Open a session; its first action is the 3DS method (device fingerprint)."""
        number = request.payment_method.number
        mandated = (
            request.flow_preference is not None
            and request.flow_preference.type == "challenge"
            and request.flow_preference.challenge is not None
            and request.flow_preference.challenge.type == "mandated"
        )
        flow: Literal["frictionless", "challenge", "denied"] = "frictionless"
        if number == DENIED_CARD:
            flow = "denied"
        elif number == THREE_DS_CARD or mandated:
            flow = "challenge"
        with self._lock:
            self._created += 1
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = self._sessions.pop(next(iter(self._sessions)))
                self._by_transaction.pop(oldest.transaction_id(), None)
            session = _Session(self.ids.mint("authn_", self._created), request, flow)
            self._sessions[session.id] = session
            self._by_transaction[session.transaction_id()] = session
            return session.wire()

    def authenticate(
        self, session_id: str, request: DelegateAuthenticationAuthenticateRequest, now: datetime
    ) -> dict:
        """The fingerprint is done: decide frictionless, challenge or denied (see the module)."""
        with self._lock:
            session = self._find(session_id)
            if session.status != "action_required" or session.challenged:
                raise ProtocolError(
                    409,
                    "invalid_request",
                    "invalid_state",
                    f"authentication session {session_id} is {session.status}"
                    + (" (challenge outstanding)" if session.challenged else ""),
                )
            if session.flow == "challenge":
                session.challenged = True
            else:
                session.status = (
                    "authenticated" if session.flow == "frictionless" else ("not_authenticated")
                )
            return session.wire()

    def get(self, session_id: str, now: datetime) -> dict:
        """The session now; an outstanding challenge has been approved by the mock ACS."""
        with self._lock:
            session = self._find(session_id)
            if session.challenged and session.status == "action_required":
                session.status = "authenticated"
            return session.wire()

    def verdict(self, transaction_id: str) -> bool | None:
        """Whether the session that issued ``transaction_id`` authenticated the cardholder;
        ``None`` when this provider issued no such transaction or it is not finished."""
        with self._lock:
            session = self._by_transaction.get(transaction_id)
            if session is None or session.status not in ("authenticated", "not_authenticated"):
                return None
            return session.status == "authenticated"

    def _find(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise not_found(f"authentication session {session_id}")
        return session
