"""Merchant profiles: the data that makes one mock merchant differ from another.

Profiles are YAML files in ``merchants/profiles/`` (or any path a user gives). They name the
platform and plan, the catalog to generate, shipping rates, tax, and how the merchant behaves
under load (latency and capacity), which the simulation reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

PROFILE_DIR = Path(__file__).parent / "profiles"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogProfile(_Strict):
    """A catalog to generate, or ``file``: a user's JSON or CSV catalog to load instead."""

    file: str | None = None  # relative paths are read from the working directory
    size: int = Field(250, ge=1, le=2_000_000)
    categories: dict[str, float] = Field(default_factory=dict)
    stock_min: int = Field(0, ge=0)
    stock_max: int = Field(40, ge=0)
    backorder_share: float = Field(0.0, ge=0, le=1)


class ShippingProfile(_Strict):
    id: str
    title: str
    price: int = Field(ge=0)
    min_days: int = Field(ge=0)
    max_days: int = Field(ge=0)
    carrier: str = "USPS"
    free_over: int | None = Field(None, ge=0)


class LatencyProfile(_Strict):
    """Lognormal service time of one merchant call, in virtual milliseconds."""

    median_ms: float = Field(150.0, gt=0)
    sigma: float = Field(0.5, ge=0)


class MerchantProfile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    platform: Literal["shopify", "etsy"]
    plan: str = "basic"
    currency: str = Field("usd", pattern=r"^[a-z]{3}$")
    country: str = "US"
    tax_rate_bps: int = Field(0, ge=0, le=5_000)
    ships_to: list[str] | None = None  # ISO 3166 countries it delivers to; None: anywhere
    site_url: str = "https://merchant.example"
    catalog: CatalogProfile = CatalogProfile()
    shipping: list[ShippingProfile] = Field(min_length=1)
    latency: LatencyProfile = LatencyProfile()
    # Per endpoint (search, create_checkout, complete_checkout, ...); others use ``latency``.
    latency_by_endpoint: dict[str, LatencyProfile] = Field(default_factory=dict)
    capacity: int = Field(64, ge=1)
    restock_every_minutes: float | None = Field(None, gt=0)  # back to initial stock
    rate_limited: bool = False  # apply the platform's API rate limits (merchants.ratelimit)
    session_ttl_minutes: float = Field(30.0, gt=0)
    fee_models: list[str] = Field(default_factory=list)


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def profile_path(name_or_path: str | Path) -> Path:
    """A built-in profile by name, or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return PROFILE_DIR / f"{name_or_path}.yaml"


def load_profile(name_or_path: str | Path) -> MerchantProfile:
    """Read and validate a profile; errors are pydantic ValidationErrors or FileNotFoundError."""
    path = profile_path(name_or_path)
    if not path.exists():
        raise FileNotFoundError(
            f"no merchant profile {str(name_or_path)!r} "
            f"(built in: {', '.join(available_profiles())})"
        )
    return MerchantProfile.model_validate(yaml.safe_load(path.read_text()) or {})
