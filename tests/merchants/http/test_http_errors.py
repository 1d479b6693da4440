"""Bad requests get a 4xx in ACP's error shape naming what is wrong; never a 500."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from merchants.http import create_app
from merchants.http.body import MAX_BODY_BYTES
from merchants.http.errors import json_path

from .support import ADDRESS, HEADERS, FakeClock, Shop, build_shop

CREATE = "/merchants/shop/checkout_sessions"


def _item(shop: Shop, quantity=1) -> dict:
    return {"id": shop.product().id, "quantity": quantity}


# -- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer "])
def test_missing_bearer_is_401(shop: Shop, authorization):
    if authorization is None:
        del shop.client.headers["Authorization"]
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in [
        ("POST", CREATE),
        ("GET", CREATE + "/cs_1"),
        ("POST", "/psp/agentic_commerce/delegate_payment"),
    ]:
        response = shop.client.request(method, path, json={"items": [_item(shop)]}, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_configured_token_must_match(make_client, clock: FakeClock):
    merchants, processor = build_shop()
    client = make_client(create_app(merchants, processor, token="s3cret", clock=clock))
    body = {"items": [{"id": list(merchants["shop"].catalog)[0].id, "quantity": 1}]}
    wrong = client.post(CREATE, json=body)  # HEADERS carry "Bearer test-key"
    assert (wrong.status_code, wrong.json()["message"]) == (401, "invalid bearer token")
    right = client.post(CREATE, json=body, headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 201


def test_api_version_is_required_and_checked(shop: Shop):
    missing = shop.client.post(CREATE, json={"items": [_item(shop)]}, headers={"API-Version": ""})
    assert missing.status_code == 400
    del shop.client.headers["API-Version"]
    missing = shop.client.post(CREATE, json={"items": [_item(shop)]})
    assert (missing.status_code, missing.json()["code"]) == (400, "api_version_required")
    other = shop.client.post(
        CREATE, json={"items": [_item(shop)]}, headers={"API-Version": "2026-01-30"}
    )
    assert other.status_code == 400
    assert other.json() == {
        "type": "invalid_request",
        "code": "unsupported_api_version",
        "message": "API-Version '2026-01-30' is not supported (supported: 2025-09-29, 2026-04-17)",
        "supported_versions": ["2025-09-29", "2026-04-17"],  # as 2026-04-17 recommends
    }
    assert missing.json()["supported_versions"] == ["2025-09-29", "2026-04-17"]


def test_auth_is_checked_before_the_body(shop: Shop):
    response = shop.client.post(CREATE, content=b"{not json", headers={"Authorization": ""})
    assert response.status_code == 401


def test_catalog_routes_are_public(shop: Shop):
    shop.client.headers.clear()
    assert shop.client.get("/merchants").status_code == 200
    assert shop.client.get("/merchants/shop/search", params={"q": "mug"}).status_code == 200


def test_request_id_and_idempotency_key_are_echoed(shop: Shop):
    echo = {"Request-Id": "req-42", "Idempotency-Key": "idem-42"}
    ok = shop.client.post(CREATE, json={"items": [_item(shop)]}, headers=echo)
    assert (ok.headers["Request-Id"], ok.headers["Idempotency-Key"]) == ("req-42", "idem-42")
    refused = shop.client.post(CREATE, json={"items": []}, headers={**echo, "Authorization": ""})
    assert refused.status_code == 401
    assert (refused.headers["Request-Id"], refused.headers["Idempotency-Key"]) == (
        "req-42",
        "idem-42",
    )
    assert "Request-Id" not in shop.client.get("/merchants").headers


def test_overlong_idempotency_key_is_400(shop: Shop):
    response = shop.client.post(
        CREATE, json={"items": [_item(shop)]}, headers={"Idempotency-Key": "k" * 256}
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


# -- bodies ----------------------------------------------------------------------------------

BAD_CREATE_BODIES = [
    (b"{", "$"),
    (b"", "$"),
    (b"null", "$"),
    (b"[]", "$"),
    (b'{"items": "mug"}', "$.items"),
    (b'{"items": []}', "$.items"),
    (b"{}", "$.items"),
    (b'{"items": [{"quantity": 1}]}', "$.items[0].id"),
    (b'{"items": [{"id": "ID", "quantity": 0}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": -3}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": 10001}]}', "$.items[0].quantity"),
    (
        b'{"items": [{"id": "ID", "quantity": 100000000000000000000000000000}]}',
        "$.items[0].quantity",
    ),
    (b'{"items": [{"id": "ID", "quantity": 1.5}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": "2"}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": true}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": null}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": Infinity}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": NaN}]}', "$.items[0].quantity"),
    (b'{"items": [{"id": "ID", "quantity": 1}]} trailing', "$"),
    (b"\xff\xfe{}", "$"),
    (b'{"items": [{"id": "ID", "quantity": 1, "price": 1}]}', "$.items[0].price"),
    (b'{"items": [{"id": "ID", "quantity": 1}], "discount": 100}', "$.discount"),
    (b'{"items": [{"id": "ID", "quantity": 1}], "weird key": 1}', "$['weird key']"),
    (b'{"items": [{"id": "nope", "quantity": 1}]}', "$.items[0].id"),
    (
        b'{"items": [{"id": "ID", "quantity": 6000}, {"id": "ID", "quantity": 6000}]}',
        "$.items[1].quantity",
    ),
    (
        b'{"items": [{"id": "ID", "quantity": 1}], "fulfillment_address": {"name": "A"}}',
        "$.fulfillment_address.line_one",
    ),
    (b'{"items": [{"id": "ID", "quantity": 1}], "buyer": {"first_name": 1}}', "$.buyer.first_name"),
]


@pytest.mark.parametrize(("body", "param"), BAD_CREATE_BODIES)
def test_bad_create_body_is_400_naming_the_field(shop: Shop, body: bytes, param: str):
    body = body.replace(b'"ID"', json.dumps(shop.product().id).encode())
    response = shop.client.post(CREATE, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()
    assert (error["type"], error["code"], error["param"]) == ("invalid_request", "invalid", param)
    assert error["message"]


def test_several_problems_are_counted(shop: Shop):
    response = shop.client.post(CREATE, json={"items": [{"id": 1, "quantity": 0}], "x": 1})
    assert response.json()["message"].endswith("(and 2 more)")


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"payment_data": {}}, "$.payment_data.token"),
        ({"payment_data": {"token": "vt_1", "provider": "paypal"}}, "$.payment_data.provider"),
        ({}, "$.payment_data"),
    ],
)
def test_bad_complete_body_is_400(shop: Shop, body: dict, param: str):
    session = shop.create()
    response = shop.client.post(f"{CREATE}/{session['id']}/complete", json=body)
    assert (response.status_code, response.json()["param"]) == (400, param)


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"allowance": {"max_amount": "10"}}, "$.allowance.max_amount"),
        ({"allowance": {"currency": "USD"}}, "$.allowance.currency"),
        ({"allowance": {"expires_at": "tomorrow"}}, "$.allowance.expires_at"),
        ({"payment_method": {"type": "bank"}}, "$.payment_method.type"),
        ({"risk_signals": []}, "$.risk_signals"),
        ({"metadata": {"a": 1}}, "$.metadata.a"),
    ],
)
def test_bad_delegate_payment_body_is_400(shop: Shop, change: dict, param: str):
    body = {
        "payment_method": {
            "type": "card",
            "card_number_type": "fpan",
            "number": "4242424242424242",
            "display_card_funding_type": "credit",
            "metadata": {},
        },
        "allowance": {
            "reason": "one_time",
            "max_amount": 100,
            "currency": "usd",
            "checkout_session_id": "cs_1",
            "merchant_id": "shop",
            "expires_at": "2026-11-11T13:00:00Z",
        },
        "risk_signals": [{"type": "card_testing", "score": 0, "action": "authorized"}],
        "metadata": {},
    }
    for key, value in change.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) and value else value
    response = shop.client.post("/psp/agentic_commerce/delegate_payment", json=body)
    assert (response.status_code, response.json()["param"]) == (400, param)


def test_oversized_body_is_413(shop: Shop):
    padding = "x" * (MAX_BODY_BYTES + 1)
    body = json.dumps({"items": [_item(shop)], "buyer": {"first_name": padding}}).encode()
    declared = shop.client.post(CREATE, content=body)
    assert declared.status_code == 413
    assert declared.json() == {
        "type": "invalid_request",
        "code": "request_too_large",
        "message": f"request body exceeds {MAX_BODY_BYTES} bytes",
    }

    def chunks():  # no Content-Length: the limit is enforced while reading
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    streamed = shop.client.post(CREATE, content=chunks())
    assert streamed.status_code == 413
    fits = json.dumps(
        {
            "items": [_item(shop)],
            "buyer": {"first_name": "x" * 60_000, "last_name": "L", "email": "a@b.c"},
        }
    )
    assert shop.client.post(CREATE, content=fits).status_code == 201


def test_bad_search_parameters_are_400(shop: Shop):
    for params, param in [
        ({"q": "mug", "limit": 0}, "limit"),
        ({"q": "mug", "limit": "x"}, "limit"),
        ({}, "q"),
        ({"q": "mug", "max_price": -1}, "max_price"),
    ]:
        response = shop.client.get("/merchants/shop/search", params=params)
        assert (response.status_code, response.json()["param"]) == (400, param), params


def test_unknown_route_and_wrong_method_answer_in_acp_shape(shop: Shop):
    route = shop.client.get("/checkout_sessions")
    assert (route.status_code, route.json()["code"]) == (404, "not_found")
    method = shop.client.get(f"{CREATE}/cs_1/complete")
    assert (method.status_code, method.json()["code"]) == (405, "method_not_allowed")


def test_json_path_quotes_names_that_need_it():
    assert json_path(()) == "$"
    assert json_path(("items", 0, "id")) == "$.items[0].id"
    assert json_path(("metadata", "it's")) == "$.metadata['it\\'s']"


# -- never a 500 -----------------------------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_item_like = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["shop_00000", "shop_00001", ""]) | _json,
        "quantity": st.integers(-2, 10_002) | _json,
    }
)
_bodies = st.one_of(
    _json,
    st.fixed_dictionaries(
        {"items": st.lists(_item_like, max_size=3)},
        optional={
            "fulfillment_address": st.just(ADDRESS) | _json,
            "fulfillment_option_id": st.sampled_from(["standard", "x"]),
            "buyer": _json,
        },
    ),
    st.fixed_dictionaries(
        {
            "payment_data": st.fixed_dictionaries(
                {
                    "token": st.sampled_from(["vt_00000001", "x"]) | _json,
                    "provider": st.just("stripe") | _json,
                }
            )
        }
    ),
)
_routes = st.sampled_from(
    [
        "",
        "/cs_shop_0000001",
        "/cs_shop_0000001/complete",
        "/cs_shop_0000001/cancel",
        "/cs_nope/complete",
    ]
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(route=_routes, body=_bodies)
def test_arbitrary_bodies_never_500(shop: Shop, route: str, body):
    if not shop.merchants["shop"].checkout._sessions:
        shop.create(address=True)
    response = shop.client.post(CREATE + route, json=body)
    assert response.status_code in {200, 201, 400, 404, 405, 409}, response.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=64))
def test_arbitrary_bytes_never_500(shop: Shop, raw: bytes):
    response = shop.client.post("/psp/agentic_commerce/delegate_payment", content=raw)
    assert response.status_code == 400


class _Broken:
    profile = SimpleNamespace(platform="neither")  # so no native API is built for it

    def __getattr__(self, name):
        raise RuntimeError("bug in a merchant")


def test_last_resort_is_500_processing_error(make_client, clock: FakeClock, caplog):
    """The safety net itself: a bug answers in ACP's shape and is logged (no test hits it else)."""
    merchants, processor = build_shop()
    client = make_client(create_app({"shop": _Broken()}, processor, clock=clock), allow_5xx=True)
    with caplog.at_level(logging.ERROR, logger="merchants.http"):
        response = client.post(
            CREATE,
            json={"items": [{"id": "x", "quantity": 1}]},
            headers={**HEADERS, "Idempotency-Key": "k"},
        )
    assert response.status_code == 500
    assert response.json() == {
        "type": "processing_error",
        "code": "processing_error",
        "message": "The server failed to process the request.",
    }
    assert "bug in a merchant" in caplog.text
    again = client.post(
        CREATE, json={"items": [{"id": "x", "quantity": 1}]}, headers={"Idempotency-Key": "k"}
    )
    assert "Idempotent-Replayed" not in again.headers  # 5xx answers are not stored
