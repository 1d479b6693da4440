"""ACP 2026-04-17 checkout operations over the one internal checkout (merchants.checkout).

Each function takes a 2026-04-17 request, checks what only this version can get wrong
(currency, payment handler, selected fulfillment options, units per line), and calls the same
:class:`merchants.merchant.Merchant` operation a 2025-09-29 request reaches, so a purchase is the
same purchase whatever version carried it. What the internal model does not act on (the
negotiated capabilities, the buyer and fulfillment contact as sent, order notes) is kept on the
session with :meth:`merchants.checkout.CheckoutService.annotate` for the renderer to echo.
Callers hold the checkout's lock around an operation and the snapshot that follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from merchants import acp
from merchants.acp import MAX_QUANTITY, CheckoutSession
from merchants.acp_2026.capabilities import handler_ids, negotiate
from merchants.acp_2026.requests import (
    AuthenticationResult,
    Buyer,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    FulfillmentDetails,
    Item,
)
from merchants.affiliates import Attribution
from merchants.authentication import AuthenticationProvider
from merchants.errors import invalid
from merchants.merchant import Merchant


def create(shop: Merchant, body: CheckoutSessionCreateRequest, at: datetime) -> CheckoutSession:
    currency = shop.checkout.catalog.currency
    if body.currency.lower() != currency:
        raise invalid(
            f"this merchant sells in {currency}, not {body.currency!r}", "$.currency", "unsupported"
        )
    items = units(shop, body.line_items, "$.line_items")
    details = body.fulfillment_details
    request = acp.CheckoutSessionCreateRequest(
        items=items,
        buyer=internal_buyer(body.buyer, details),
        fulfillment_address=internal_address(details),
    )
    session = shop.create_checkout(
        request,
        at,
        expected_prices=acp.expected_prices(_priced(body.line_items)),
        codes=_codes(body),
        affiliate=_attribution(body),
    )
    capabilities = negotiate(body.capabilities, shop.id, shop.checkout.processor.provider)
    shop.checkout.annotate(
        session.id,
        at,
        capabilities=capabilities,
        **_echoed(body.buyer, details, body.order_notes),
    )
    return session


def update(
    shop: Merchant, session_id: str, body: CheckoutSessionUpdateRequest, at: datetime
) -> CheckoutSession:
    items = None
    if body.line_items is not None:
        if not body.line_items:
            raise invalid("line_items must not be empty", "$.line_items")
        items = units(shop, body.line_items, "$.line_items")
    product_ids = (
        [i.id for i in items]
        if items is not None
        else [line.product_id for line in shop.checkout.snapshot(session_id, at).lines]
    )
    option_id = _selected_option(shop, body, product_ids)
    details = body.fulfillment_details
    request = acp.CheckoutSessionUpdateRequest(
        items=items,
        buyer=internal_buyer(body.buyer, details),
        fulfillment_address=internal_address(details),
        fulfillment_option_id=option_id,
    )
    codes = _codes(body)
    session = shop.update_checkout(
        session_id,
        request,
        at,
        expected_prices=acp.expected_prices(_priced(body.line_items)),
        codes=codes if (body.discounts is not None or body.coupons is not None) else None,
    )
    shop.checkout.annotate(session.id, at, **_echoed(body.buyer, details, body.order_notes))
    return session


def complete(
    shop: Merchant,
    session_id: str,
    body: CheckoutSessionCompleteRequest,
    at: datetime,
    provider: AuthenticationProvider,
) -> CheckoutSession:
    payment = body.payment_data
    if payment.handler_id is None or payment.instrument is None:
        raise invalid(
            "this merchant takes no purchase orders: pay with a payment handler",
            "$.payment_data.purchase_order_number",
            "unsupported",
        )
    offered = shop.checkout.snapshot(session_id, at).annex.get("capabilities") or negotiate(
        None, shop.id, shop.checkout.processor.provider
    )
    handlers = handler_ids(offered)
    if payment.handler_id not in handlers:
        raise invalid(
            f"unknown payment handler {payment.handler_id!r} "
            f"(this session offers: {', '.join(sorted(handlers)) or 'none'})",
            "$.payment_data.handler_id",
        )
    billing = payment.billing_address
    request = acp.CheckoutSessionCompleteRequest(
        buyer=internal_buyer(body.buyer, None),
        payment_data=acp.PaymentData(
            token=payment.instrument.credential.token,
            provider=shop.checkout.processor.provider,
            billing_address=_address(billing) if billing else None,
        ),
    )
    passed = authenticated(body.authentication_result, provider)
    session = shop.complete_checkout(
        session_id, request, at, authenticated=passed, affiliate=_attribution(body)
    )
    echoed: dict[str, Any] = {}
    if body.buyer is not None:
        echoed["buyer"] = body.buyer.model_dump(mode="json", exclude_none=True)
    if body.order_notes is not None:
        echoed["order_notes"] = body.order_notes
    shop.checkout.annotate(session.id, at, **echoed)
    return session


def authenticated(
    result: AuthenticationResult | None, provider: AuthenticationProvider
) -> bool | None:
    """Whether 3-D Secure passed: the provider's verdict on the cited transaction when it
    issued it, else the outcome the agent reports; ``None`` without a result."""
    if result is None:
        return None
    if result.outcome_details is not None:
        verdict = provider.verdict(result.outcome_details.transaction_id)
        if verdict is not None:
            return verdict
    return result.passed


def units(shop: Merchant, items: Sequence[Item], param: str) -> list[acp.Item]:
    """One internal line per product: each 2026-04-17 item is one unit, so repeats add up."""
    counted: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id not in shop.checkout.catalog:
            raise invalid(f"unknown item {item.id!r}", f"{param}[{index}].id")
        counted[item.id] = counted.get(item.id, 0) + 1
        if counted[item.id] > MAX_QUANTITY:
            raise invalid(f"more than {MAX_QUANTITY} units of {item.id!r}", f"{param}[{index}]")
    return [acp.Item(id=i, quantity=q) for i, q in counted.items()]


def internal_buyer(buyer: Buyer | None, details: FulfillmentDetails | None) -> acp.Buyer | None:
    """The internal buyer (2025-09-29's, which needs both names): ``full_name`` or the
    fulfillment contact's name fill missing names."""
    if buyer is None:
        return None
    first, last = buyer.first_name, buyer.last_name
    if first is None or last is None:
        full = (buyer.full_name or (details.name if details else None) or "").split(" ", 1)
        first = first if first is not None else full[0]
        last = last if last is not None else (full[1] if len(full) > 1 else "")
    return acp.Buyer(
        first_name=first, last_name=last, email=buyer.email, phone_number=buyer.phone_number
    )


def internal_address(details: FulfillmentDetails | None) -> acp.Address | None:
    if details is None or details.address is None:
        return None
    return _address(details.address)


def _address(address: Any) -> acp.Address:
    return acp.Address(**address.model_dump(exclude={"company"}, exclude_none=True))


def _priced(items: Sequence[Item] | None) -> list[Any] | None:
    """The items as ``acp.expected_prices`` reads them (``id`` and ``unit_amount``)."""
    return list(items) if items else None


def _attribution(
    body: CheckoutSessionCreateRequest | CheckoutSessionCompleteRequest,
) -> Attribution | None:
    """What the merchant keeps of an ``affiliate_attribution`` (first touch at create, last
    touch at complete; never its token)."""
    sent = body.affiliate_attribution
    return None if sent is None else sent.attribution()


def _codes(body: CheckoutSessionCreateRequest | CheckoutSessionUpdateRequest) -> list[str]:
    """Discount codes: the extension's ``discounts.codes``, else the older ``coupons``."""
    if body.discounts is not None:
        return list(body.discounts.codes)
    return list(body.coupons or [])


def _selected_option(
    shop: Merchant, body: CheckoutSessionUpdateRequest, product_ids: list[str]
) -> str | None:
    """The one shipping rate the selected options name, checked against the session's items."""
    selected = body.selected_fulfillment_options
    if not selected:
        return None
    rates = {rate.id for rate in shop.checkout.shipping}
    for index, option in enumerate(selected):
        param = f"$.selected_fulfillment_options[{index}]"
        if option.type != "shipping":
            raise invalid(f"this merchant only ships (got {option.type!r})", param + ".type")
        if option.option_id not in rates:
            raise invalid(f"unknown fulfillment option {option.option_id!r}", param + ".option_id")
        for position, item_id in enumerate(option.item_ids):
            if item_id not in product_ids:
                raise invalid(
                    f"item {item_id!r} is not in this session", f"{param}.item_ids[{position}]"
                )
    if len({option.option_id for option in selected}) > 1:
        raise invalid(
            "one fulfillment option ships the whole session", "$.selected_fulfillment_options"
        )
    return selected[0].option_id


def _echoed(
    buyer: Buyer | None, details: FulfillmentDetails | None, notes: str | None
) -> dict[str, Any]:
    echoed: dict[str, Any] = {}
    if buyer is not None:
        echoed["buyer"] = buyer.model_dump(mode="json", exclude_none=True)
    if details is not None:
        echoed["fulfillment_details"] = details.model_dump(mode="json", exclude_none=True)
    if notes is not None:
        echoed["order_notes"] = notes
    return echoed
