"""``agent-checkout serve``: a scenario's merchants and payment processor over real HTTP.

The merchants are built exactly as ``agent-checkout run`` builds them (same catalog seed), so an
agent pointed at the server shops the same catalogs the simulation does. FastAPI and uvicorn are
imported only when the command runs.
"""

from __future__ import annotations

import errno
import socket
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from agent_checkout.commands.bad_input import fail
from agent_checkout.sim.run import build_market
from agent_checkout.sim.scenario import Scenario, ScenarioError, load_scenario
from merchants.native_orders import WEBHOOK_VERSIONS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from merchants.ucp.signing import SigningKey

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def scenario_app(
    scenario: Scenario,
    *,
    token: str | None = None,
    webhook_url: str | None = None,
    webhook_secret: str = "whsec_agent_checkout",
    webhook_version: str = "2025-09-29",
    simulation_secret: str | None = None,
    signing_key: SigningKey | None = None,
) -> FastAPI:
    """The HTTP app serving ``scenario``'s merchants, seeded as :func:`run_scenario` seeds them.

    With ``webhook_url`` every merchant POSTs its signed order events (``order_create``,
    ``order_update``) there, with ``Merchant-Signature`` made from ``webhook_secret``, in the
    body of ACP ``webhook_version`` (2026-04-17: the whole native order per event). Session,
    cart, order and payment-token ids are 128-bit random (``SecretIds``), unlike a run's.
    ``signing_key`` signs every merchant's UCP webhooks and AP2 checkouts (each under its own
    ``kid``, ``<merchant id>-2026``); without it each merchant gets a fresh key per start.
    """
    from merchants.events import UrlSink
    from merchants.http import create_app
    from merchants.ids import SecretIds

    merchants, processor = build_market(scenario, scenario.seed)
    if webhook_url is not None:
        for merchant in merchants.values():
            merchant.set_event_sink(UrlSink(webhook_url), webhook_secret.encode(), webhook_version)
    return create_app(
        merchants,
        processor,
        token=token,
        ids=SecretIds(),
        simulation_secret=simulation_secret,
        ucp_signing_key=signing_key,
    )


def read_signing_key(path: str) -> SigningKey:
    """The ``--signing-key`` file's key; a one-line error for a missing or unusable file."""
    from merchants.ucp.signing import SignatureError, SigningKey

    try:
        with open(path, "rb") as pem:
            return SigningKey.from_pem(pem.read(), "serve")
    except OSError as problem:
        raise fail(f"--signing-key {path}: {problem.strerror or problem}") from None
    except SignatureError as problem:
        raise fail(f"--signing-key {path}: {problem}") from None


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (in use, no such interface), or None.

    Tried before anything is printed, by binding as uvicorn will: IPv6 when the host has a
    colon, with SO_REUSEADDR.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror as problem:
            return f"--host {host}: {problem.strerror or problem}"
        except OSError as problem:
            flag = f"--host {host}" if problem.errno == errno.EADDRNOTAVAIL else f"--port {port}"
            return f"{flag}: cannot listen on {host}:{port} ({problem.strerror or problem})"
    return None


def serve(
    scenario: str = typer.Argument("quickstart", help="A scenario file, or a built-in name."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65_535, help="TCP port."),
    token: str | None = typer.Option(
        None,
        help="Credential every route but /openapi.json and /docs needs, in each platform's "
        "header: ACP, admin and catalog 'Authorization: Bearer'; Shopify-like "
        "'X-Shopify-Storefront-Access-Token'; Etsy-like 'x-api-key' (receipts also the "
        "Bearer). Without it, 401. Default: open (any bearer).",
    ),
    webhook_url: str | None = typer.Option(
        None, help="Where merchants POST their signed order events."
    ),
    webhook_secret: str = typer.Option(
        "whsec_agent_checkout", help="HMAC secret of the Merchant-Signature header."
    ),
    webhook_version: str = typer.Option(
        "2025-09-29",
        help="ACP version of the order event bodies: 2025-09-29, or 2026-04-17 (the whole "
        "native order: line items, fulfillments, adjustments, totals).",
    ),
    simulation_secret: str | None = typer.Option(
        None,
        help="Turns on UCP's test hook POST /testing/simulate-shipping/{order} (it ships an "
        "order); requests must send this value in the Simulation-Secret header. Off without it.",
    ),
    signing_key: str | None = typer.Option(
        None,
        metavar="PEMFILE",
        help="EC P-256 private key (unencrypted PEM) that signs UCP order webhooks and AP2 "
        "checkouts; its public half is in every /.well-known/ucp. Default: a fresh key per "
        "merchant per start.",
    ),
) -> None:
    """Serve a scenario's merchants over ACP and UCP (and its payment processor) until Ctrl-C."""
    console, errors = Console(), Console(stderr=True)
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as problem:
        raise fail(str(problem)) from None
    if webhook_version not in WEBHOOK_VERSIONS:
        raise fail(
            f"--webhook-version {webhook_version}: must be one of {', '.join(WEBHOOK_VERSIONS)}"
        )
    if (problem := port_problem(host, port)) is not None:
        raise fail(problem)
    import uvicorn

    if simulation_secret is not None and not simulation_secret.strip():
        raise fail("--simulation-secret: give a non-empty secret")
    key = None if signing_key is None else read_signing_key(signing_key)
    app = scenario_app(
        loaded,
        token=token,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_version=webhook_version,
        simulation_secret=simulation_secret,
        signing_key=key,
    )
    base = f"http://{host}:{port}"
    for profile in loaded.merchant_profiles():
        console.print(
            f"{profile.name} ({profile.platform}): {base}/merchants/{profile.id}/", highlight=False
        )
    if len(loaded.merchant_profiles()) == 1:
        console.print(f"UCP: {base}/.well-known/ucp", highlight=False)
    else:
        console.print(f"UCP: {base}/merchants/<id>/.well-known/ucp", highlight=False)
    console.print(f"payments: {base}/psp/agentic_commerce/delegate_payment", highlight=False)
    console.print(f"OpenAPI: {base}/openapi.json", highlight=False)
    console.print(f"MCP (ACP 2026-04-17 tools): {base}/merchants/<id>/mcp", highlight=False)
    if token is None and host not in LOOPBACK:
        errors.print(
            f"[yellow]warning:[/] serving on {escape(host)} without --token: any bearer token is "
            "accepted",
            highlight=False,
        )
    uvicorn.run(app, host=host, port=port, log_level="info")
