"""Validators for ACP 2026-04-17 bodies, from the spec files shipped in ``merchants.specs``.

The webhook OpenAPI's ``EventDataOrder`` points at the checkout OpenAPI's ``Order``; it is read
as the same definition in the JSON Schema bundle (``merchants/specs/acp/README.md``).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import yaml

from merchants.specs import acp_spec_dir

SPEC = acp_spec_dir("2026-04-17")
_ORDER_REF = "./openapi.agentic_checkout.yaml#/components/schemas/Order"


@cache
def bundle() -> dict[str, Any]:
    return json.loads((SPEC / "json-schema" / "schema.agentic_checkout.json").read_text())


def validator(name: str) -> jsonschema.Validator:
    """A validator for ``$defs/name`` of the 2026-04-17 checkout JSON Schema."""
    schema = {**bundle(), "$ref": f"#/$defs/{name}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@cache
def webhook_event() -> jsonschema.Validator:
    """A validator for the 2026-04-17 webhook's ``WebhookEvent``."""
    text = (SPEC / "openapi" / "openapi.agentic_checkout_webhook.yaml").read_text()
    document = yaml.safe_load(text.replace(_ORDER_REF, "#/$defs/Order"))
    schema = {
        "$ref": "#/components/schemas/WebhookEvent",
        "components": document["components"],
        "$defs": bundle()["$defs"],
    }
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def check(name: str, body: Any) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(body)]
    assert not problems, f"{name} invalid: {problems}\n{json.dumps(body, indent=1)}"


def check_event(body: Any) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in webhook_event().iter_errors(body)]
    assert not problems, f"WebhookEvent invalid: {problems}\n{json.dumps(body, indent=1)}"
