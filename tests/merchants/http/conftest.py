"""Fixtures for the HTTP face tests; the helpers they use live in ``support``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from merchants.http import create_app

from .support import HEADERS, FakeClock, Schemas, Shop, build_shop, check_response


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    return Schemas()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(schemas: Schemas) -> Callable[..., TestClient]:
    """A test client whose every response is schema-checked (see ``support.check_response``)."""

    def make(app: FastAPI, *, allow_5xx: bool = False) -> TestClient:
        client = TestClient(app, headers=HEADERS)
        client.event_hooks = {"response": [lambda r: check_response(schemas, r, allow_5xx)]}
        return client

    return make


@pytest.fixture
def shop(make_client: Callable[..., TestClient], clock: FakeClock) -> Shop:
    merchants, processor = build_shop()
    app = create_app(merchants, processor, clock=clock)
    return Shop(make_client(app), merchants, processor, clock)
