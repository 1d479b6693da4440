"""The ACP specification files ship inside the package, with their licence."""

from __future__ import annotations

import pytest

from merchants.specs import ACP_DIR, acp_spec_dir

SHIPPED = {
    "2025-09-29": [
        "examples.agentic_checkout.json",
        "examples.delegate_payment.json",
        "openapi.agentic_checkout.yaml",
        "openapi.agentic_checkout_webhook.yaml",
        "openapi.delegate_payment.yaml",
        "schema.agentic_checkout.json",
        "schema.delegate_payment.json",
    ],
    "2026-04-17": [
        "examples.agentic_checkout.json",
        *(
            f"json-schema/schema.{name}.json"
            for name in (
                "agentic_checkout",
                "cart",
                "delegate_authentication",
                "delegate_payment",
                "discount",
                "extension",
                "feed",
            )
        ),
        "openrpc/openrpc.agentic_checkout.json",
        *(
            f"openapi/openapi.{name}.yaml"
            for name in (
                "agentic_checkout",
                "agentic_checkout_webhook",
                "cart",
                "delegate_authentication",
                "feed",
            )
        ),
    ],
}


def test_every_version_ships_its_files_inside_the_package():
    for version, names in SHIPPED.items():
        folder = acp_spec_dir(version)
        assert folder.parent == ACP_DIR
        shipped = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert shipped == sorted(names), version


def test_the_apache_licence_and_notice_travel_with_the_files():
    assert "Apache License" in (ACP_DIR / "LICENSE").read_text()
    assert (
        (ACP_DIR / "NOTICE").read_text().startswith("Copyright 2025 OpenAI\nCopyright 2025 Stripe")
    )


def test_an_unshipped_version_is_one_line_naming_what_is_shipped():
    with pytest.raises(ValueError) as caught:
        acp_spec_dir("2024-01-01")
    assert str(caught.value) == (
        "no ACP specification shipped for version '2024-01-01' (shipped: 2025-09-29, 2026-04-17)"
    )
