"""Fixtures for the Shopify storefront tests; the helpers live in ``support``."""

from __future__ import annotations

import pytest

from merchants.shopify import ShopifyStorefront

from .support import tiny_storefront


@pytest.fixture
def store() -> ShopifyStorefront:
    return tiny_storefront()
