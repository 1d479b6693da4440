"""``agent-checkout serve flower-shop``: UCP at the root, the shipping hook only with a secret."""

from __future__ import annotations

import typer
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from agent_checkout.commands import serve as serve_module
from merchants.ucp.signing import SigningKey

from .support import create_body, payment

PORT = "18321"
HEADERS = {"UCP-Agent": 'profile="urn:agent-checkout:test"'}  # no platform to call back


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(serve_module.serve)
    app.command("noop")(lambda: None)  # two commands, so `serve` is a subcommand as in the CLI
    return app


def _serve(monkeypatch, *flags: str):
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(app))
    result = CliRunner().invoke(_cli(), ["serve", "flower-shop", "--port", PORT, *flags])
    return result, calls


def test_serve_flower_shop_with_a_secret_ships_orders(monkeypatch):
    result, [app] = _serve(monkeypatch, "--simulation-secret", "s3")
    assert result.exit_code == 0, result.output
    assert f"UCP: http://127.0.0.1:{PORT}/.well-known/ucp" in result.output
    api = TestClient(app, headers=HEADERS)
    session = api.post("/checkout-sessions", json=create_body()).json()
    order = api.post(f"/checkout-sessions/{session['id']}/complete", json=payment()).json()
    ship = f"/testing/simulate-shipping/{order['order']['id']}"
    assert api.post(ship).status_code == 403
    shipped = api.post(ship, headers={"Simulation-Secret": "s3"})
    assert shipped.json()["fulfillment"]["events"][0]["type"] == "shipped"


def test_without_the_flag_the_hook_is_off(monkeypatch):
    result, [app] = _serve(monkeypatch)
    assert result.exit_code == 0, result.output
    paths = app.openapi()["paths"]
    assert "/checkout-sessions" in paths
    assert "/merchants/{merchant_id}/ucp/checkout-sessions" in paths
    assert not any("simulate-shipping" in path for path in paths)
    api = TestClient(app, headers=HEADERS)
    assert (
        api.post("/testing/simulate-shipping/x", headers={"Simulation-Secret": ""}).status_code
        == 404
    )


def test_a_blank_secret_is_one_line_and_exit_2(monkeypatch):
    result, calls = _serve(monkeypatch, "--simulation-secret", " ")
    assert (result.exit_code, calls) == (2, [])
    message = result.stderr if hasattr(result, "stderr") else result.output
    assert [line for line in message.splitlines() if line.strip()] == [
        "error: --simulation-secret: give a non-empty secret"
    ]


def test_a_signing_key_file_signs_for_every_merchant_under_its_own_kid(monkeypatch, tmp_path):
    key = SigningKey.generate("mine")
    pem = tmp_path / "ucp.pem"
    pem.write_bytes(
        key.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    result, [app] = _serve(monkeypatch, "--signing-key", str(pem))
    assert result.exit_code == 0, result.output
    (published,) = TestClient(app).get("/.well-known/ucp").json()["signing_keys"]
    assert published == key.public_jwk() | {"kid": "flower-shop-2026"}


def test_an_unusable_signing_key_file_is_one_line_and_exit_2(monkeypatch, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    for path, reason in (
        (tmp_path / "absent.pem", "No such file or directory"),
        (junk, "not an unencrypted PEM private key"),
    ):
        result, calls = _serve(monkeypatch, "--signing-key", str(path))
        assert (result.exit_code, calls) == (2, [])
        message = result.stderr if hasattr(result, "stderr") else result.output
        (line,) = [line for line in message.splitlines() if line.strip()]
        assert line.startswith(f"error: --signing-key {path}: {reason}")
