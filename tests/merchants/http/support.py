"""Helpers for the HTTP face tests: small merchants, a fake clock, ACP headers, ACP schemas.

Every response a test client receives is checked by a hook: error bodies against the ``Error``
definition, checkout sessions against ``CheckoutSession`` (``CheckoutSessionWithOrder`` when a
complete call completed), tokens against ``DelegatePaymentResponse``, and never a 5xx unless a
test asks for one. Sessions answered to ``API-Version: 2026-04-17`` are checked against that
version's official ``CheckoutSession`` instead, and errors against its ``Error`` unless the
request said ``2025-09-29``; carts, the discovery document and delegate authentication against
their 2026-04-17 schemas (:data:`CHECKED_2026`). The specification files ship with the package
(``merchants.specs``), so these checks never depend on anything outside the checkout.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import TypeAdapter
from referencing import Registry, Resource

from merchants import Merchant, PaymentProcessor, build_merchants
from merchants.feed import FeedProduct
from merchants.profile import CatalogProfile, MerchantProfile, ShippingProfile
from merchants.specs import acp_spec_dir

SPEC_DIR = acp_spec_dir("2025-09-29")
SPEC_DIR_20260417 = acp_spec_dir("2026-04-17")
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
HEADERS = {"Authorization": "Bearer test-key", "API-Version": "2025-09-29"}
V26 = {"API-Version": "2026-04-17"}
#: Where a 2026-04-17 cross-file ``$ref`` (``schema.agentic_checkout.json#/...``) points.
_SCHEMA_BASE = "https://example.com/schemas/{}/schema.agentic_checkout.json"
ADDRESS = {
    "name": "Ada Lovelace",
    "line_one": "1234 Chat Road",
    "city": "San Francisco",
    "state": "CA",
    "country": "US",
    "postal_code": "94131",
}
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
CARD = {
    "type": "card",
    "card_number_type": "fpan",
    "number": "4242424242424242",
    "display_card_funding_type": "credit",
    "metadata": {},
}
SHIPPING = [
    ShippingProfile(
        id="standard", title="Standard", price=599, min_days=3, max_days=7, free_over=7500
    ),
    ShippingProfile(
        id="express", title="Express", price=1499, min_days=1, max_days=2, carrier="UPS"
    ),
]
PROFILES = [
    MerchantProfile(
        id="shop",
        name="Test Shop",
        platform="shopify",
        tax_rate_bps=725,
        site_url="https://shop.example",
        shipping=SHIPPING,
        catalog=CatalogProfile(size=30, stock_min=3, stock_max=8),
    ),
    MerchantProfile(
        id="crafts",
        name="Test Crafts",
        platform="etsy",
        tax_rate_bps=0,
        site_url="https://crafts.example",
        shipping=SHIPPING[:1],
        catalog=CatalogProfile(size=20, stock_min=3, stock_max=8),
    ),
]
SEED = 42
_SESSION_PATH = re.compile(
    r"^/merchants/[^/]+/checkout_sessions(/[^/]+)?(/complete|/cancel|/authenticate)?$"
)
_FEEDS = TypeAdapter(list[FeedProduct])
_KEYS = itertools.count(1)
#: 2026-04-17 answers beside sessions: (path pattern, method, bundle, definition).
CHECKED_2026 = [
    (re.compile(r"^/merchants/[^/]+/carts(/[^/]+)?(/cancel)?$"), "*", "cart", "Cart"),
    (
        re.compile(r"^(/merchants/[^/]+)?/\.well-known/acp\.json$"),
        "GET",
        "2026-04-17",
        "DiscoveryResponse",
    ),
    (
        re.compile(r"^/psp/delegate_authentication(/[^/]+)?(/authenticate)?$"),
        "*",
        "authentication",
        "DelegateAuthenticationSessionWithResult",
    ),
    (
        re.compile(r"^(/feeds(/[^/]+)?|/merchants/[^/]+/feed/metadata\.json)$"),
        "*",
        "feed",
        "FeedMetadata",
    ),
    (re.compile(r"^/feeds/[^/]+/products$"), "GET", "feed", "ProductsResponse"),
]


class FakeClock:
    """A clock a test moves by hand."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Schemas:
    """Validators for the shipped ACP 2025-09-29 and 2026-04-17 definitions.

    2025-09-29's checkout schema gets the in-memory readings ``merchants/specs/acp/README.md``
    lists (see ``patch_checkout_schema``); 2026-04-17's is used as published.
    """

    def __init__(self) -> None:
        checkout = json.loads((SPEC_DIR / "schema.agentic_checkout.json").read_text())
        payment = json.loads((SPEC_DIR / "schema.delegate_payment.json").read_text())
        self.checkout = patch_checkout_schema(checkout)
        self.payment = payment
        latest = SPEC_DIR_20260417 / "json-schema"
        self.bundles = {
            "checkout": self.checkout,
            "payment": payment,
            "2026-04-17": json.loads((latest / "schema.agentic_checkout.json").read_text()),
            "cart": json.loads((latest / "schema.cart.json").read_text()),
            "authentication": patch_authentication_schema(
                json.loads((latest / "schema.delegate_authentication.json").read_text())
            ),
            "feed": json.loads((latest / "schema.feed.json").read_text()),
        }
        checkout = Resource.from_contents(self.bundles["2026-04-17"])
        self.registry = Registry().with_resources(
            (_SCHEMA_BASE.format(folder), checkout) for folder in ("cart", "feed")
        )
        for bundle in self.bundles.values():
            Draft202012Validator.check_schema(bundle)

    def errors(self, name: str, body: Any, *, bundle: str = "checkout") -> list[str]:
        schema = {**self.bundles[bundle], "$ref": f"#/$defs/{name}"}
        validator = Draft202012Validator(
            schema, format_checker=FormatChecker(), registry=self.registry
        )
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)
        ]

    def check(self, name: str, body: Any, *, bundle: str = "checkout") -> None:
        problems = self.errors(name, body, bundle=bundle)
        assert not problems, f"{name} invalid: {problems}\n{json.dumps(body, indent=1)}"


def patch_checkout_schema(bundle: dict) -> dict:
    """Two readings the 2025-09-29 checkout schema needs before a 2020-12 validator can use it.

    ``Item.quantity`` is written in draft-04 style (``exclusiveMinimum: true``; the spec README
    says read it as ``exclusiveMinimum: 0``). ``CheckoutSessionWithOrder`` is ``allOf`` the base
    (``additionalProperties: false``, no ``order``) and ``{order}``, which no object satisfies;
    it is read as the base plus a required ``order``, as the OpenAPI clearly intends.
    """
    patched = copy.deepcopy(bundle)
    defs = patched["$defs"]
    quantity = defs["Item"]["properties"]["quantity"]
    quantity.pop("minimum", None)
    quantity["exclusiveMinimum"] = 0
    with_order = copy.deepcopy(defs["CheckoutSessionBase"])
    with_order["properties"]["order"] = {"$ref": "#/$defs/Order"}
    with_order["required"] = [*with_order["required"], "order"]
    defs["CheckoutSessionWithOrder"] = with_order
    return patched


def patch_authentication_schema(bundle: dict) -> dict:
    """``DelegateAuthenticationSessionWithResult`` is ``allOf`` a closed base and
    ``{authentication_result}``, which no object with a result satisfies (the same pattern as
    2025-09-29's ``CheckoutSessionWithOrder``); it is read as the base plus an optional result."""
    patched = copy.deepcopy(bundle)
    defs = patched["$defs"]
    with_result = copy.deepcopy(defs["DelegateAuthenticationSessionBase"])
    with_result["properties"]["authentication_result"] = {"$ref": "#/$defs/AuthenticationResult"}
    defs["DelegateAuthenticationSessionWithResult"] = with_result
    return patched


def build_shop(
    processor: PaymentProcessor | None = None,
) -> tuple[Mapping[str, Merchant], PaymentProcessor]:
    processor = processor or PaymentProcessor()
    return build_merchants(PROFILES, seed=SEED, processor=processor), processor


def check_response(schemas: Schemas, response: httpx.Response, allow_5xx: bool) -> None:
    """Validate one response body against what the ACP spec says it must be."""
    response.read()
    path, method, status = response.request.url.path, response.request.method, response.status_code
    assert allow_5xx or status < 500, f"{method} {path} -> {status}: {response.text}"
    if path == "/openapi.json":
        return
    if path.endswith(".jsonl") and status == 200:  # one feed Product per line
        for line in response.text.splitlines():
            schemas.check("Product", json.loads(line), bundle="feed")
        return
    body = response.json()
    version = response.request.headers.get("api-version")
    if status >= 400:
        if version == "2025-09-29":
            schemas.check("Error", body)
        else:  # 2026-04-17, or a refused version: the latest shape (``supported_versions``)
            schemas.check("Error", body, bundle="2026-04-17")
        return
    for pattern, method, bundle, name in CHECKED_2026:
        if pattern.match(path) and method in ("*", response.request.method):
            schemas.check(name, body, bundle=bundle)
            return
    if path.startswith("/psp/agentic_commerce/"):
        schemas.check("DelegatePaymentResponse", body, bundle="payment")
    elif _SESSION_PATH.match(path) and response.request.headers.get("api-version") == "2026-04-17":
        schemas.check("CheckoutSession", body, bundle="2026-04-17")
        assert body["protocol"] == {"version": "2026-04-17"}
    elif _SESSION_PATH.match(path):
        completed = path.endswith("/complete") and body.get("status") == "completed"
        schemas.check("CheckoutSessionWithOrder" if completed else "CheckoutSession", body)
        if not completed:
            assert "order" not in body
    elif path.endswith(("/product_feed", "/search")):
        _FEEDS.validate_python(body)


class Shop:
    """Two small merchants, their processor, the app over them and a checked client."""

    def __init__(
        self,
        client: TestClient,
        merchants: Mapping[str, Merchant],
        processor: PaymentProcessor,
        clock: FakeClock,
    ) -> None:
        self.client, self.merchants, self.processor, self.clock = (
            client,
            merchants,
            processor,
            clock,
        )

    def product(self, merchant: str = "shop", index: int = 0) -> Any:
        return list(self.merchants[merchant].catalog)[index]

    def create(
        self,
        *,
        merchant: str = "shop",
        index: int = 0,
        quantity: int = 1,
        address: bool = True,
        **extra: Any,
    ) -> dict:
        """Create a session for ``quantity`` of the merchant's ``index``-th product (201)."""
        body = {"items": [{"id": self.product(merchant, index).id, "quantity": quantity}], **extra}
        if address:
            body["fulfillment_address"] = ADDRESS
        response = self.client.post(f"/merchants/{merchant}/checkout_sessions", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def token(
        self,
        session: dict,
        *,
        merchant: str = "shop",
        amount: int | None = None,
        expires: datetime | None = None,
        number: str = "4242424242424242",
    ) -> str:
        response = self.client.post(
            "/psp/agentic_commerce/delegate_payment",
            json={
                "payment_method": {**CARD, "number": number},
                "allowance": {
                    "reason": "one_time",
                    "currency": "usd",
                    "max_amount": total(session) if amount is None else amount,
                    "checkout_session_id": session["id"],
                    "merchant_id": merchant,
                    "expires_at": (expires or self.clock.now + timedelta(minutes=15)).isoformat(),
                },
                "risk_signals": [{"type": "card_testing", "score": 0, "action": "authorized"}],
                "metadata": {},
            },
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def create_2026(
        self, *, merchant: str = "shop", index: int = 0, quantity: int = 1, **extra: Any
    ) -> dict:
        """Create over 2026-04-17 (201); ``extra`` goes into :func:`create_body`."""
        response = self.client.post(
            f"/merchants/{merchant}/checkout_sessions",
            json=create_body(self.product(merchant, index).id, quantity, **extra),
            headers=keyed(),
        )
        assert response.status_code == 201, response.text
        return response.json()

    def complete_2026(
        self, session: dict, token: str, *, merchant: str = "shop", **extra: Any
    ) -> httpx.Response:
        return self.client.post(
            f"/merchants/{merchant}/checkout_sessions/{session['id']}/complete",
            json={"payment_data": payment_data(token), **extra},
            headers=keyed(),
        )

    def complete(self, session: dict, token: str, *, merchant: str = "shop") -> httpx.Response:
        return self.client.post(
            f"/merchants/{merchant}/checkout_sessions/{session['id']}/complete",
            json={"payment_data": {"token": token, "provider": "stripe"}},
        )


def keyed(headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """2026-04-17 headers with a fresh ``Idempotency-Key`` (mandatory on its POSTs)."""
    return {**V26, "Idempotency-Key": f"key-{next(_KEYS)}", **(headers or {})}


def details(address: Mapping[str, str] = ADDRESS, **contact: str) -> dict:
    """2026-04-17 ``fulfillment_details``: the recipient's name, any contact, the address."""
    return {"name": address["name"], **contact, "address": dict(address)}


def create_body(product_id: str, quantity: int = 1, *, address: bool = True, **extra: Any) -> dict:
    """A 2026-04-17 create: one ``line_items`` entry per unit, ``currency``, ``capabilities``."""
    body: dict[str, Any] = {
        "line_items": [{"id": product_id}] * quantity,
        "currency": "usd",
        "capabilities": {},
    }
    if address:
        body["fulfillment_details"] = details()
    return {**body, **extra}


def payment_data(token: str) -> dict:
    """2026-04-17 ``payment_data``: the tokenized-card handler and the vaulted token."""
    return {
        "handler_id": "card_tokenized",
        "instrument": {"type": "card", "credential": {"type": "spt", "token": token}},
    }


def total(session: dict, kind: str = "total") -> int:
    return next((t["amount"] for t in session["totals"] if t["type"] == kind), 0)
