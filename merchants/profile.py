"""Merchant profiles: the data that makes one mock merchant differ from another.

Profiles are YAML files in ``merchants/profiles/`` (or any path a user gives). They name the
platform and plan, the catalog to generate, shipping rates, tax, and how the merchant behaves
under load (latency and capacity), which the simulation reads.

Files a profile names (its catalog file, fee model files) are read relative to the profile file's
folder, so a profile and its files move together; a profile built in Python reads them relative
to the working directory.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from merchants.money import ISO_4217
from merchants.presales import Presale
from merchants.promotions import Promotion

PROFILE_DIR = Path(__file__).parent / "profiles"

#: The checkout protocols an agent can buy over: ACP's two versions and UCP over REST.
Protocol = Literal["acp-2025-09-29", "acp-2026-04-17", "ucp-2026-01-11"]
PROTOCOLS: tuple[str, ...] = get_args(Protocol)
#: The protocol a merchant is on unless its profile names another.
DEFAULT_PROTOCOL: Protocol = "acp-2025-09-29"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogProfile(_Strict):
    """A catalog to generate, or ``file``: a user's JSON or CSV catalog to load instead."""

    file: str | None = None  # relative to the profile (or scenario) file that names it
    # Whose price levels a generated catalog has (merchants.markets); None: the currency's
    market: Literal["us", "cn", "jp"] | None = None
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
    currency: str = Field("usd", pattern=r"^[a-z]{3}$")  # ISO 4217, any case; stored lowercase
    country: str = "US"
    tax_rate_bps: int = Field(0, ge=0, le=5_000)
    ships_to: list[str] | None = None  # ISO 3166 countries it delivers to; None: anywhere
    site_url: str = "https://merchant.example"
    catalog: CatalogProfile = CatalogProfile()
    #: A folder of store files (merchants.store_files): its products.csv is the catalog, and the
    #: discount codes, shipping rates, customers and instruments a UCP merchant serves.
    store: str | None = None  # relative to the profile (or scenario) file that names it
    shipping: list[ShippingProfile] = Field(min_length=1)
    latency: LatencyProfile = LatencyProfile()
    # Per endpoint (search, create_checkout, complete_checkout, ...); others use ``latency``.
    latency_by_endpoint: dict[str, LatencyProfile] = Field(default_factory=dict)
    capacity: int = Field(64, ge=1)
    restock_every_minutes: float | None = Field(None, gt=0)  # back to initial stock
    rate_limited: bool = False  # apply the platform's API rate limits (merchants.ratelimit)
    session_ttl_minutes: float = Field(30.0, gt=0)
    fee_models: list[str] = Field(default_factory=list)
    #: The marketplace the store sells on: stores that share one share its cross-store
    #: promotions (a threshold counted over the whole basket, platform coupons, credit).
    marketplace: str | None = None
    promotions: list[Promotion] = Field(default_factory=list)  # see merchants.promotions
    presales: list[Presale] = Field(default_factory=list)  # see merchants.presales
    #: The checkout protocol (and version) an AI platform's agent uses with this merchant.
    protocol: Protocol = Field(
        DEFAULT_PROTOCOL,
        description="The checkout protocol the AI platform's agent buys from this merchant over.",
    )

    @field_validator("currency", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        """ACP writes currencies lowercase, ISO 4217 uppercase: ``EUR`` and ``eur`` are one."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(f"unknown currency {value.upper()!r} (not an ISO 4217 code)")
        return value


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
    raw = copy.deepcopy(_parsed(path.read_text()))
    if isinstance(raw, dict):
        raw = anchor_profile_paths(raw, path.parent)
    return MerchantProfile.model_validate(raw)


@lru_cache(maxsize=256)
def _parsed(text: str) -> Any:
    """A profile's YAML, parsed once per text (callers get a deep copy): a run asks for its
    merchants' profiles several times, and parsing is most of what loading one costs."""
    return yaml.safe_load(text) or {}


def names_a_file(name: str) -> bool:
    """Whether a fee model or profile name is a file path rather than a built-in name (the
    rule ``agent_checkout.fees.library.load_fee_model`` applies too)."""
    return Path(name).suffix in (".yaml", ".yml") or "/" in name


def anchor_profile_paths(raw: dict, folder: Path) -> dict:
    """A profile's raw fields with its relative catalog file, store folder and fee model files made
    relative to ``folder``; anything else, including malformed values, is left to validation."""
    raw = dict(raw)
    catalog = raw.get("catalog")
    if isinstance(catalog, dict) and isinstance(catalog.get("file"), str):
        file = Path(catalog["file"])
        if not file.is_absolute():
            raw["catalog"] = {**catalog, "file": str(folder / file)}
    if isinstance(raw.get("store"), str) and not Path(raw["store"]).is_absolute():
        raw["store"] = str(folder / raw["store"])
    if isinstance(raw.get("fee_models"), list):
        raw["fee_models"] = [
            str(folder / name)
            if isinstance(name, str) and names_a_file(name) and not Path(name).is_absolute()
            else name
            for name in raw["fee_models"]
        ]
    return raw
