"""``agent-checkout serve``: one-line errors, the bind address, and run's catalogs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from agent_checkout.agent.order_webhooks import OrderEventVerifier
from agent_checkout.commands import serve as serve_module
from agent_checkout.sim.scenario import load_scenario
from agent_checkout.sim.streams import RandomStreams
from merchants import PaymentProcessor, build_merchants

NOW = datetime(2026, 11, 11, tzinfo=UTC)


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(serve_module.serve)
    app.command("noop")(lambda: None)  # two commands, so `serve` is a subcommand as in the CLI
    return app


def test_unknown_scenario_is_one_line_and_exit_2():
    result = CliRunner().invoke(_cli(), ["serve", "no-such-scenario"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = result.stderr if hasattr(result, "stderr") else result.output
    lines = [line for line in message.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: no-such-scenario: no such scenario file")


def test_serves_the_scenario_on_loopback_by_default(monkeypatch):
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    result = CliRunner().invoke(_cli(), ["serve"])
    assert result.exit_code == 0, result.output
    [(app, options)] = calls
    assert options == {"host": "127.0.0.1", "port": 8000, "log_level": "info"}
    assert "http://127.0.0.1:8000/merchants/northwind/" in result.output
    assert "/psp/agentic_commerce/delegate_payment" in app.openapi()["paths"]


def test_warns_when_exposed_without_a_token(monkeypatch):
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: None)
    result = CliRunner().invoke(_cli(), ["serve", "--host", "0.0.0.0", "--port", "9001"])
    assert result.exit_code == 0
    assert "without --token" in (result.stderr if hasattr(result, "stderr") else result.output)


def test_catalogs_are_the_ones_run_builds():
    scenario = load_scenario("quickstart")
    app = serve_module.scenario_app(scenario, token="t")
    streams = RandomStreams(scenario.seed)
    expected = build_merchants(
        scenario.merchant_profiles(),
        seed=streams.seed_for("catalogs") % 2**31,
        processor=PaymentProcessor(),
    )
    from fastapi.testclient import TestClient

    client = TestClient(app, headers={"Authorization": "Bearer t"})  # --token guards the feed
    for merchant_id, merchant in expected.items():
        feed = client.get(f"/merchants/{merchant_id}/product_feed").json()
        assert feed == [p.model_dump(mode="json") for p in merchant.product_feed(NOW)]
    refused = client.post(
        "/merchants/northwind/checkout_sessions",
        json={},
        headers={"Authorization": "Bearer wrong", "API-Version": "2025-09-29"},
    )
    assert refused.status_code == 401


@pytest.mark.parametrize("version", ["2025-09-29", "2026-04-17"])
def test_serve_sends_signed_order_events_to_the_webhook(monkeypatch, version):
    """``--webhook-url``: a completed order reaches the URL, signed with the secret, in the
    body of ``--webhook-version``."""
    from datetime import UTC, datetime

    import httpx
    from fastapi.testclient import TestClient

    from agent_checkout.commands.serve import scenario_app
    from agent_checkout.sim.scenario import load_scenario
    from merchants.events import verify_signature

    received = []

    def hook(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    real_client = httpx.Client
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: real_client(transport=httpx.MockTransport(hook), **kw)
    )
    app = scenario_app(
        load_scenario("quickstart"),
        webhook_url="http://127.0.0.1:9/hooks",
        webhook_secret="s3cret",
        webhook_version=version,
    )
    client = TestClient(app)
    headers = {"Authorization": "Bearer t", "API-Version": "2025-09-29"}
    offer = client.get("/merchants/northwind/search", params={"q": "sneakers"}).json()
    item = next(o for o in offer if o["inventory_quantity"] > 0)
    address = {
        "name": "A B",
        "line_one": "1 Main",
        "city": "Austin",
        "state": "TX",
        "country": "US",
        "postal_code": "78701",
    }
    session = client.post(
        "/merchants/northwind/checkout_sessions",
        headers=headers,
        json={"items": [{"id": item["id"], "quantity": 1}], "fulfillment_address": address},
    ).json()
    token = client.post(
        "/psp/agentic_commerce/delegate_payment",
        headers=headers,
        json={
            "payment_method": {
                "type": "card",
                "card_number_type": "fpan",
                "number": "4242424242424242",
                "display_card_funding_type": "credit",
                "metadata": {},
            },
            "allowance": {
                "reason": "one_time",
                "max_amount": session["totals"][-1]["amount"],
                "currency": "usd",
                "checkout_session_id": session["id"],
                "merchant_id": "northwind",
                "expires_at": "2099-01-01T00:00:00Z",
            },
            "risk_signals": [{"type": "card_testing", "score": 0, "action": "authorized"}],
            "metadata": {},
        },
    ).json()
    done = client.post(
        f"/merchants/northwind/checkout_sessions/{session['id']}/complete",
        headers=headers,
        json={"payment_data": {"token": token["id"]}},
    ).json()
    assert done["status"] == "completed"
    (event,) = received
    assert str(event.url) == "http://127.0.0.1:9/hooks"
    assert b'"type":"order_create"' in event.content
    assert verify_signature(
        b"s3cret", event.content, event.headers["Merchant-Signature"], datetime.now(UTC)
    )  # wall clock: the server stamped real time
    taken = OrderEventVerifier(b"s3cret").verify(event.content, event.headers, datetime.now(UTC))
    assert ("line_items" in taken.data, "refunds" in taken.data) == (
        (True, False) if version == "2026-04-17" else (False, True)
    )
    assert taken.data["checkout_session_id"] == session["id"]


def test_an_unknown_webhook_version_is_one_line_and_exit_2():
    result = CliRunner().invoke(_cli(), ["serve", "--webhook-version", "2026-01-30"])
    assert result.exit_code == 2
    message = result.stderr if hasattr(result, "stderr") else result.output
    assert message.strip() == (
        "error: --webhook-version 2026-01-30: must be one of 2025-09-29, 2026-04-17"
    )
