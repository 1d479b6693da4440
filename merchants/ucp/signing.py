"""UCP's signatures: detached JWS with ES256 over JCS-canonical JSON or exact webhook bytes.

Two uses, both in UCP 2026-01-11, both keyed by ``kid`` into the ``signing_keys`` (JWK) a party
publishes in its profile:

- ``ap2.merchant_authorization`` (ap2-mandates.md): ``header..signature``, the signing input
  ``b64url(header) + "." + b64url(JCS(checkout without "ap2"))`` (RFC 7515 appendix F);
- ``Request-Signature`` on order webhooks (order.md): a detached JWT with an unencoded payload
  (RFC 7797, ``"b64": false``), the signing input ``b64url(header) + "." + body bytes``, so the
  platform verifies the very bytes it received.

The elliptic-curve arithmetic is ``cryptography``'s; the JOSE framing is small enough to keep
here. JCS (RFC 8785) is written for the JSON this project produces (objects, arrays, strings,
integers, booleans, null); a float is refused rather than canonicalized approximately.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

ALGORITHM = "ES256"
#: The header an order webhook's detached signature travels in (order.md).
SIGNATURE_HEADER = "Request-Signature"
_COORDINATE = 32  # bytes of a P-256 coordinate, and of r and s in a raw signature


def merchant_kid(merchant_id: str) -> str:
    """The ``kid`` a merchant's key is published under in its ``signing_keys``."""
    return f"{merchant_id}-2026"


class SignatureError(ValueError):
    """A signature that cannot be read, names no published key, or does not verify."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url; raises :class:`SignatureError` on anything else."""
    if not isinstance(text, str) or any(c in text for c in "=+/ \n"):
        raise SignatureError(f"not base64url: {str(text)[:40]!r}")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError(f"not base64url: {text[:40]!r}") from None


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON: keys sorted by UTF-16 code units, no whitespace, UTF-8."""
    return _canonical(value).encode("utf-8")


def _canonical(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"JCS: object key {key!r} is not a string")
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        members = (f"{json.dumps(k, ensure_ascii=False)}:{_canonical(value[k])}" for k in keys)
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    raise TypeError(f"JCS: cannot canonicalize {type(value).__name__} (integers only, no floats)")


def checkout_payload(checkout: dict[str, Any]) -> bytes:
    """What ``merchant_authorization`` signs: the checkout without ``ap2``, canonical."""
    return jcs({k: v for k, v in checkout.items() if k != "ap2"})


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A party's EC P-256 private key and the ``kid`` its profile publishes it under."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, kid: str) -> SigningKey:
        return cls(kid, ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: bytes, kid: str) -> SigningKey:
        """A PEM private key (PKCS#8 or SEC1, unencrypted); it must be EC P-256."""
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as problem:
            raise SignatureError(f"not an unencrypted PEM private key: {problem}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise SignatureError("the signing key must be an EC P-256 (secp256r1) key")
        return cls(kid, key)

    def public_jwk(self) -> dict[str, str]:
        """The public half as a JWK, the form ``signing_keys`` lists."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kid": self.kid,
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(_COORDINATE, "big")),
            "y": b64url(numbers.y.to_bytes(_COORDINATE, "big")),
            "use": "sig",
            "alg": ALGORITHM,
        }

    def sign_detached(self, payload: bytes, *, encoded: bool = True) -> str:
        """``header..signature`` over ``payload``; ``encoded=False`` is RFC 7797's unencoded
        payload (``"b64": false``), signed as the raw bytes."""
        header: dict[str, Any] = {"alg": ALGORITHM, "kid": self.kid}
        if not encoded:
            header |= {"b64": False, "crit": ["b64"]}
        protected = b64url(jcs(header))
        der = self.private_key.sign(_signing_input(protected, payload, encoded), _ECDSA)
        return f"{protected}..{b64url(_raw(der))}"

    def sign_compact(self, payload: bytes) -> str:
        """A compact JWS carrying ``payload`` (``header.payload.signature``)."""
        protected = b64url(jcs({"alg": ALGORITHM, "kid": self.kid}))
        der = self.private_key.sign(_signing_input(protected, payload, True), _ECDSA)
        return f"{protected}.{b64url(payload)}.{b64url(_raw(der))}"

    def sign_checkout(self, checkout: dict[str, Any]) -> str:
        """``ap2.merchant_authorization`` for ``checkout`` (any ``ap2`` in it is left out)."""
        return self.sign_detached(checkout_payload(checkout))

    def sign_webhook(self, body: bytes) -> str:
        """The ``Request-Signature`` of a webhook whose body is exactly ``body``."""
        return self.sign_detached(body, encoded=False)


_ECDSA = ec.ECDSA(hashes.SHA256())


def _raw(der: bytes) -> bytes:
    """JWS's ES256 signature form: r and s, 32 bytes each (RFC 7518 section 3.4), not DER."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(_COORDINATE, "big") + s.to_bytes(_COORDINATE, "big")


def _signing_input(protected: str, payload: bytes, encoded: bool) -> bytes:
    return protected.encode("ascii") + b"." + (b64url(payload).encode() if encoded else payload)


def header_of(jws: str) -> dict[str, Any]:
    """The protected header of a detached JWS (``header..signature``)."""
    if not isinstance(jws, str) or jws.count(".") != 2 or jws.split(".")[1] != "":
        raise SignatureError("not a detached JWS (header..signature)")
    try:
        header = json.loads(b64url_decode(jws.split(".")[0]))
    except ValueError as problem:
        raise SignatureError(f"JWS header is not JSON: {problem}") from None
    if not isinstance(header, dict):
        raise SignatureError("JWS header is not a JSON object")
    return header


def verify_detached(jws: str, payload: bytes, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """Check ``jws`` over ``payload`` with the key of ``keys`` (JWKs) its ``kid`` names; the
    header when it verifies, else :class:`SignatureError` saying why."""
    header = header_of(jws)
    alg, kid = header.get("alg"), header.get("kid")
    if alg != ALGORITHM:
        raise SignatureError(f"JWS alg {alg!r} is not supported (only {ALGORITHM})")
    encoded = header.get("b64", True)
    if encoded is not True and (encoded is not False or "b64" not in header.get("crit", [])):
        raise SignatureError('JWS header "b64" must be false with "crit": ["b64"], or absent')
    jwk = next((k for k in keys if isinstance(k, dict) and k.get("kid") == kid), None)
    if jwk is None:
        raise SignatureError(f"kid {kid!r} is not among the published signing_keys")
    public_key = _public_key(jwk)
    raw = b64url_decode(jws.split(".")[2])
    if len(raw) != 2 * _COORDINATE:
        raise SignatureError(f"an ES256 signature is 64 bytes, not {len(raw)}")
    der = encode_dss_signature(
        int.from_bytes(raw[:_COORDINATE], "big"), int.from_bytes(raw[_COORDINATE:], "big")
    )
    protected = jws.split(".")[0]
    try:
        public_key.verify(der, _signing_input(protected, payload, encoded), _ECDSA)
    except InvalidSignature:
        raise SignatureError(f"signature by kid {kid!r} does not match the content") from None
    return header


def _public_key(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise SignatureError(f"key {jwk.get('kid')!r} is not an EC P-256 JWK")
    try:
        x = int.from_bytes(b64url_decode(jwk["x"]), "big")
        y = int.from_bytes(b64url_decode(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError) as problem:
        kid = jwk.get("kid")
        raise SignatureError(f"key {kid!r} is not a valid P-256 point: {problem}") from None


def verify_checkout(checkout: dict[str, Any], keys: list[dict[str, Any]]) -> dict[str, Any]:
    """Check a checkout's ``ap2.merchant_authorization`` against ``keys``; its JWS header."""
    ap2 = checkout.get("ap2")
    jws = ap2.get("merchant_authorization") if isinstance(ap2, dict) else None
    if jws is None:
        raise SignatureError("the checkout carries no ap2.merchant_authorization")
    return verify_detached(jws, checkout_payload(checkout), keys)


def verify_webhook(body: bytes, signature: str | None, keys: list[dict[str, Any]]) -> dict:
    """Check a webhook's ``Request-Signature`` over its exact body bytes; its JWS header."""
    if not signature:
        raise SignatureError("the webhook has no Request-Signature header")
    return verify_detached(signature, body, keys)
