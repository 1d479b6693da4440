"""UCP's detached JWS: JCS bytes, ES256 round trips, and every way a signature must fail."""

from __future__ import annotations

import copy
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from merchants.ucp.signing import (
    SignatureError,
    SigningKey,
    b64url,
    b64url_decode,
    header_of,
    jcs,
    verify_checkout,
    verify_webhook,
)

KEY = SigningKey.generate("flower-shop-2026")
KEYS = [KEY.public_jwk()]
CHECKOUT = {
    "id": "ucp_cs_1",
    "currency": "USD",
    "line_items": [{"id": "li_1", "item": {"id": "bouquet_roses", "price": 4500}, "quantity": 1}],
    "totals": [{"type": "subtotal", "amount": 4500}, {"type": "total", "amount": 4860}],
}


def signed(checkout: dict) -> dict:
    return checkout | {"ap2": {"merchant_authorization": KEY.sign_checkout(checkout)}}


def test_jcs_sorts_keys_by_utf16_code_units_as_rfc_8785_section_3_2_3():
    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    assert jcs({name: 0 for name in names}).decode() == (
        '{"\\r":0,"1":0,"\u0080":0,"\u00f6":0,"\u20ac":0,"\U0001f600":0,"\ufb33":0}'
    )


def test_jcs_writes_no_whitespace_and_escapes_only_what_json_must():
    value = {"b": [1, -2, True, False, None], "a": 'é"\\\n\x0f/'}
    assert jcs(value) == '{"a":"é\\"\\\\\\n\\u000f/","b":[1,-2,true,false,null]}'.encode()


def test_jcs_refuses_a_float_with_a_clear_error():
    with pytest.raises(TypeError, match="no floats"):
        jcs({"amount": 1.5})


def test_base64url_round_trip_without_padding():
    assert b64url(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"
    with pytest.raises(SignatureError, match="not base64url"):
        b64url_decode("+/8=")


def test_the_public_jwk_is_a_p256_point_of_32_byte_coordinates():
    jwk = KEY.public_jwk()
    assert {k: jwk[k] for k in ("kid", "kty", "crv", "use", "alg")} == {
        "kid": "flower-shop-2026",
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
    }
    assert len(b64url_decode(jwk["x"])) == len(b64url_decode(jwk["y"])) == 32


def test_merchant_authorization_verifies_and_is_header_dot_dot_signature():
    checkout = signed(CHECKOUT)
    jws = checkout["ap2"]["merchant_authorization"]
    protected, payload, signature = jws.split(".")
    assert payload == ""
    assert len(b64url_decode(signature)) == 64
    assert header_of(jws) == {"alg": "ES256", "kid": "flower-shop-2026"}
    assert verify_checkout(checkout, KEYS) == {"alg": "ES256", "kid": "flower-shop-2026"}


def test_key_order_and_whitespace_do_not_matter_but_one_cent_does():
    checkout = signed(CHECKOUT)
    reordered = json.loads(json.dumps(dict(reversed(list(checkout.items()))), indent=2))
    assert verify_checkout(reordered, KEYS)["kid"] == "flower-shop-2026"
    tampered = copy.deepcopy(checkout)
    tampered["totals"][1]["amount"] = 4859
    with pytest.raises(SignatureError, match="does not match the content"):
        verify_checkout(tampered, KEYS)


def test_an_unknown_kid_or_another_key_under_the_same_kid_fails():
    checkout = signed(CHECKOUT)
    with pytest.raises(SignatureError, match="kid 'flower-shop-2026' is not among"):
        verify_checkout(checkout, [SigningKey.generate("other-2026").public_jwk()])
    impostor = SigningKey.generate("flower-shop-2026").public_jwk()
    with pytest.raises(SignatureError, match="does not match"):
        verify_checkout(checkout, [impostor])


def test_a_substituted_algorithm_or_missing_signature_fails():
    checkout = signed(CHECKOUT)
    _, _, signature = checkout["ap2"]["merchant_authorization"].split(".")
    none = b64url(jcs({"alg": "none", "kid": "flower-shop-2026"}))
    forged = checkout | {"ap2": {"merchant_authorization": f"{none}..{signature}"}}
    with pytest.raises(SignatureError, match="alg 'none' is not supported"):
        verify_checkout(forged, KEYS)
    with pytest.raises(SignatureError, match="carries no ap2.merchant_authorization"):
        verify_checkout(CHECKOUT, KEYS)
    with pytest.raises(SignatureError, match="not a detached JWS"):
        verify_checkout(checkout | {"ap2": {"merchant_authorization": "a.b.c"}}, KEYS)


def test_a_webhook_signature_is_rfc_7797_over_the_exact_bytes():
    body = b'{"event_type":"order_placed","order":{"totals":[{"type":"total","amount":4860}]}}'
    signature = KEY.sign_webhook(body)
    assert header_of(signature) == {
        "alg": "ES256",
        "b64": False,
        "crit": ["b64"],
        "kid": "flower-shop-2026",
    }
    assert verify_webhook(body, signature, KEYS)["kid"] == "flower-shop-2026"
    with pytest.raises(SignatureError, match="does not match"):
        verify_webhook(body.replace(b"4860", b"4861"), signature, KEYS)
    with pytest.raises(SignatureError, match="does not match"):  # same JSON, other bytes
        verify_webhook(body.replace(b":", b": "), signature, KEYS)
    with pytest.raises(SignatureError, match="no Request-Signature"):
        verify_webhook(body, None, KEYS)


def test_a_pem_key_loads_and_a_non_p256_key_is_refused():
    pem = KEY.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    loaded = SigningKey.from_pem(pem, "flower-shop-2026")
    assert loaded.public_jwk() == KEY.public_jwk()
    p384 = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(SignatureError, match="EC P-256"):
        SigningKey.from_pem(p384, "x")
    with pytest.raises(SignatureError, match="not an unencrypted PEM private key"):
        SigningKey.from_pem(b"hello", "x")
