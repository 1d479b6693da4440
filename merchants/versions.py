"""ACP API versions: one session snapshot, rendered as the body each version defines.

``2025-09-29`` (the launch version) has no ``expired`` or ``authentication_required`` status and
no warnings, and its schema forbids unknown fields, so the renderer translates: an expired
session shows as ``canceled`` with an ``expired`` info message, a pending 3-D Secure challenge
as ``ready_for_payment`` with a ``requires_3ds`` error, and a warning as an info message.
``2026-04-17`` gets those statuses and warnings as they are, in that version's shapes (its
examples and schema): ``protocol``, ``capabilities``, line items with ``name``,
``unit_amount`` and ``totals``, ``fulfillment_details``, ``selected_fulfillment_options`` and
fulfillment options priced by ``totals``.
"""

from __future__ import annotations

from typing import Any, get_args

from merchants.acp import (
    API_VERSION,
    CheckoutSession,
    FulfillmentOptionShipping,
    Item,
    LineItem,
    MessageCode,
    MessageError,
    MessageInfo,
    PaymentProvider,
    timestamp,
)
from merchants.acp_2026.capabilities import negotiate
from merchants.snapshot import LineSnapshot, Note, SessionSnapshot

V2025_09_29 = API_VERSION
V2026_04_17 = "2026-04-17"
#: Oldest first; the last is the latest.
SUPPORTED_VERSIONS: tuple[str, ...] = (V2025_09_29, V2026_04_17)

REQUIRES_3DS = (
    "The card issuer requires 3-D Secure authentication. Authenticate, then complete again "
    "with the same payment token."
)
_CODES_2025 = frozenset(get_args(MessageCode))
#: Shown under 2026-04-17 when the issuer wants 3-D Secure from an agent that did not declare it.
INTERVENTION_REQUIRED = Note(
    "error",
    "The card issuer requires 3-D Secure, which this agent did not declare it supports: "
    "pay with another card or run 3-D Secure elsewhere.",
    code="intervention_required",
    param="$.capabilities.interventions",
)


def render(snapshot: SessionSnapshot, version: str, *, with_order: bool = False) -> dict[str, Any]:
    """The JSON body of ``snapshot`` for ``version``.

    ``with_order`` matters for 2025-09-29 only, whose ``CheckoutSession`` forbids ``order``
    (only the complete response, ``CheckoutSessionWithOrder``, has it); later versions carry the
    order on every response once there is one.
    """
    if version == V2025_09_29:
        body = checkout_session(snapshot).wire()
        if not with_order:
            body.pop("order", None)
        return body
    if version == V2026_04_17:
        return _render_2026(snapshot)
    raise ValueError(f"unsupported API version {version!r}")


# -- 2025-09-29 ----------------------------------------------------------------------------


def checkout_session(snapshot: SessionSnapshot) -> CheckoutSession:
    """The 2025-09-29 wire model, which in-process callers receive (with ``order`` when set)."""
    messages: list[MessageInfo | MessageError] = [_message_2025(n) for n in snapshot.notes]
    status = snapshot.status
    if status == "authentication_required":
        status = "ready_for_payment"
        messages.append(
            MessageError(code="requires_3ds", param="$.payment_data", content=REQUIRES_3DS)
        )
    elif status == "expired":
        status = "canceled"
    return CheckoutSession(
        id=snapshot.id,
        buyer=snapshot.buyer,
        payment_provider=PaymentProvider(provider=snapshot.payment_provider),
        status=status,
        currency=snapshot.currency,
        line_items=[
            LineItem(
                id=line.id,
                item=Item(id=line.product_id, quantity=line.quantity),
                base_amount=line.base_amount,
                discount=line.discount,
                subtotal=line.subtotal,
                tax=line.tax,
                total=line.total,
            )
            for line in snapshot.lines
        ],
        fulfillment_address=snapshot.address,
        fulfillment_options=list(snapshot.options),
        fulfillment_option_id=snapshot.option_id,
        totals=list(snapshot.totals),
        messages=messages,
        links=list(snapshot.links),
        order=snapshot.order,
    )


def _message_2025(note: Note) -> MessageInfo | MessageError:
    if note.kind == "error":
        code = note.code if note.code in _CODES_2025 else "invalid"
        return MessageError(code=code, param=note.param, content=note.content)
    return MessageInfo(param=note.param, content=note.content)  # warnings, too: no such type


# -- 2026-04-17 ----------------------------------------------------------------------------


def _render_2026(snapshot: SessionSnapshot) -> dict[str, Any]:
    annex = snapshot.annex
    capabilities = dict(
        annex.get("capabilities")
        or negotiate(None, snapshot.merchant_id, snapshot.payment_provider)
    )
    discounts_on = any(e["name"] == "discount" for e in capabilities.get("extensions", ()))
    if not capabilities.get("extensions"):
        capabilities.pop("extensions", None)  # an empty list matches both of its ``oneOf``
    body: dict[str, Any] = {
        "id": snapshot.id,
        "protocol": {"version": V2026_04_17},
        "capabilities": capabilities,
    }
    if "buyer" in annex:
        body["buyer"] = dict(annex["buyer"])
    elif snapshot.buyer is not None:
        body["buyer"] = snapshot.buyer.wire()
    body["status"] = snapshot.status
    body["currency"] = snapshot.currency
    body["line_items"] = [_line_2026(line) for line in snapshot.lines]
    details = _fulfillment_details(snapshot)
    if details is not None:
        body["fulfillment_details"] = details
    if snapshot.option_id is not None:
        body["selected_fulfillment_options"] = [
            {
                "type": "shipping",
                "option_id": snapshot.option_id,
                "item_ids": [line.product_id for line in snapshot.lines],
            }
        ]
    body["totals"] = [t.wire() for t in snapshot.totals]
    found = snapshot.discounts
    if discounts_on and (found.applied or found.codes or found.rejected):
        body["discounts"] = _discounts_2026(snapshot)
    body["fulfillment_options"] = [_option_2026(o) for o in snapshot.options]
    body["messages"] = [_message_2026(n) for n in snapshot.notes]
    three_ds = "3ds" in capabilities["interventions"]["supported"]
    if snapshot.status == "authentication_required" and not three_ds:
        body["messages"].append(_message_2026(INTERVENTION_REQUIRED))
    body["links"] = [link.wire() for link in snapshot.links]
    if snapshot.status == "authentication_required":
        body["authentication_metadata"] = _authentication_metadata(snapshot)
    body["created_at"] = timestamp(snapshot.created_at)
    body["expires_at"] = timestamp(snapshot.expires_at)
    if snapshot.order is not None:
        body["order"] = snapshot.order.wire()
    return body


def _fulfillment_details(snapshot: SessionSnapshot) -> dict[str, Any] | None:
    """The contact and address as a 2026-04-17 client sent them, else derived from the
    session's address and buyer (a session a 2025-09-29 client opened)."""
    sent = snapshot.annex.get("fulfillment_details")
    if sent is not None:
        details = dict(sent)
        if snapshot.address is not None and "address" not in details:
            details["address"] = snapshot.address.wire()
        return details
    if snapshot.address is None:
        return None
    details = {"name": snapshot.address.name}
    if snapshot.buyer is not None:
        details["email"] = snapshot.buyer.email
        if snapshot.buyer.phone_number:
            details["phone_number"] = snapshot.buyer.phone_number
    details["address"] = snapshot.address.wire()
    return details


def _discounts_2026(snapshot: SessionSnapshot) -> dict[str, Any]:
    """The discount extension (added 2026-01-30): codes, applied discounts with their line
    allocations and stacking priority, and rejected codes (also shown as warnings)."""
    found = snapshot.discounts
    applied = []
    for discount in found.applied:
        coupon: dict[str, Any] = {"id": discount.promotion_id, "name": discount.title}
        if discount.percent_bps is not None:
            coupon["percent_off"] = discount.percent_bps / 100
        elif discount.fixed is not None:
            coupon["amount_off"] = discount.fixed
            coupon["currency"] = snapshot.currency
        coupon["metadata"] = {"kind": discount.kind, "funder": discount.funder}
        entry: dict[str, Any] = {"id": f"discount_{discount.promotion_id}"}
        if discount.code is not None:
            entry["code"] = discount.code
        entry |= {
            "coupon": coupon,
            "amount": discount.amount,
            "automatic": discount.code is None,
            "method": "across",
            "priority": discount.stage,
            "allocations": [
                {"path": f"$.line_items[{index}]", "amount": share}
                for index, share in enumerate(discount.shares)
                if share
            ],
        }
        applied.append(entry)
    return {
        "codes": list(found.codes),
        "applied": applied,
        "rejected": [
            {"code": r.code, "reason": r.reason, "message": r.message} for r in found.rejected
        ],
    }


def _line_2026(line: LineSnapshot) -> dict[str, Any]:
    return {
        "id": line.id,
        "item": {"id": line.product_id},
        "quantity": line.quantity,
        "name": line.name,
        "unit_amount": line.unit_amount,
        "totals": [
            {
                "type": "items_base_amount",
                "display_text": "Base Amount",
                "amount": line.base_amount,
            },
            {"type": "discount", "display_text": "Discount", "amount": line.discount},
            {"type": "subtotal", "display_text": "Subtotal", "amount": line.subtotal},
            {"type": "tax", "display_text": "Tax", "amount": line.tax},
            {"type": "total", "display_text": "Total", "amount": line.total},
        ],
    }


def _option_2026(option: FulfillmentOptionShipping) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "shipping", "id": option.id, "title": option.title}
    if option.subtitle:
        body["description"] = option.subtitle
    for name in ("carrier", "earliest_delivery_time", "latest_delivery_time"):
        if getattr(option, name):
            body[name] = getattr(option, name)
    body["totals"] = [
        {"type": "subtotal", "display_text": "Shipping", "amount": option.subtotal},
        {"type": "tax", "display_text": "Tax", "amount": option.tax},
        {"type": "total", "display_text": "Total", "amount": option.total},
    ]
    return body


def _message_2026(note: Note) -> dict[str, Any]:
    body: dict[str, Any] = {"type": note.kind}
    if note.kind != "info":
        body["code"] = note.code
    if note.param is not None:
        # 2025-12-12 renamed fulfillment_address to fulfillment_details.address.
        old, new = "$.fulfillment_address", "$.fulfillment_details.address"
        body["param"] = new + note.param[len(old) :] if note.param.startswith(old) else note.param
    body["content_type"] = "plain"
    body["content"] = note.content
    return body


def _authentication_metadata(snapshot: SessionSnapshot) -> dict[str, Any]:
    """What the agent's 3DS SDK needs to run the challenge, as the version's example has it."""
    return {
        "acquirer_details": {
            "acquirer_bin": "424242",
            "acquirer_country": "US",
            "acquirer_merchant_id": snapshot.merchant_id,
            "merchant_name": snapshot.merchant_id,
            "requestor_id": f"requestor_{snapshot.merchant_id}",
        },
        "directory_server": "visa",
        "flow_preference": {"type": "challenge", "challenge": {"type": "preferred"}},
    }
