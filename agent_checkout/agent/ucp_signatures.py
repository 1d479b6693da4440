"""The platform's checks of a UCP business's signatures, against the keys its profile publishes.

A UCP business lists public keys (JWK) in the ``signing_keys`` of its ``/.well-known/ucp``
profile and names one by ``kid`` in each signature. A platform checks two of them
(:mod:`merchants.ucp.signing` holds the JOSE mechanics both sides share):

- an order webhook's ``Request-Signature``, a detached JWT over the exact body bytes it received
  (order.md, "Webhook Signature Verification");
- a checkout's ``ap2.merchant_authorization`` when AP2 mandates are negotiated: the business's
  signature over the checkout's terms, which the platform MUST check before showing them to the
  buyer (ap2-mandates.md).

A failure raises :class:`UcpSignatureInvalid`, a one-line reason naming the merchant. It is a
:class:`~agent_checkout.agent.connectors.MerchantUnavailable`: the agent does not retry a
merchant whose terms it cannot trust, it leaves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from agent_checkout.agent.connectors import MerchantUnavailable
from merchants.ucp.signing import (
    SIGNATURE_HEADER,
    SignatureError,
    verify_checkout,
    verify_webhook,
)


class UcpSignatureInvalid(MerchantUnavailable):
    """A UCP business's signature is missing, names an unknown key, or does not verify."""


class BusinessSignatures:
    """One UCP business's published signing keys and the checks a platform makes with them."""

    def __init__(self, merchant: str, signing_keys: list[dict[str, Any]]) -> None:
        self.merchant = merchant
        self.signing_keys = [k for k in signing_keys if isinstance(k, dict)]

    @classmethod
    def from_profile(cls, merchant: str, profile: Mapping[str, Any]) -> BusinessSignatures:
        """The keys of a business profile (``/.well-known/ucp``); none listed is no keys."""
        keys = profile.get("signing_keys") if isinstance(profile, Mapping) else None
        return cls(merchant, keys if isinstance(keys, list) else [])

    @classmethod
    def fetch(
        cls, merchant: str, profile_url: str, client: httpx.Client | None = None
    ) -> BusinessSignatures:
        """The keys of the profile at ``profile_url``; an unreachable or broken profile is a
        :class:`UcpSignatureInvalid` (nothing the business signed could be checked)."""
        try:
            response = (client or httpx).get(profile_url)
            response.raise_for_status()
            profile = response.json()
        except (httpx.HTTPError, ValueError) as problem:
            raise UcpSignatureInvalid(
                f"merchant {merchant}: cannot read signing_keys from {profile_url}: {problem}"
            ) from None
        return cls.from_profile(merchant, profile)

    def verify_checkout(self, checkout: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``ap2.merchant_authorization`` over the checkout's terms; its JWS header."""
        try:
            return verify_checkout(dict(checkout), self.signing_keys)
        except SignatureError as problem:
            raise UcpSignatureInvalid(
                f"merchant {self.merchant}: ap2.merchant_authorization invalid: {problem}"
            ) from None

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """Check the ``Request-Signature`` of a webhook over its exact ``body``; the header."""
        signature = next(
            (v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None
        )
        try:
            return verify_webhook(body, signature, self.signing_keys)
        except SignatureError as problem:
            raise UcpSignatureInvalid(
                f"merchant {self.merchant}: webhook {SIGNATURE_HEADER} invalid: {problem}"
            ) from None
