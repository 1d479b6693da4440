"""Affiliate attribution (ACP 2025-12-12): which publisher sent the buyer, kept on the order.

An agent may send ``affiliate_attribution`` on checkout create (first touch) and on complete
(last touch). The merchant keeps the first on the session and, when the order is placed, the
last one sent (the last touch wins, as last-click commission does); the order carries it to the
ledger, so fee lines can be grouped by network, publisher and campaign. The spec calls the
object write-only (never returned) and its ``token`` a secret: the token is checked for shape
and then dropped, so it never reaches an order, an event or the ledger. Unknown fields are
ignored, as the spec asks for forward compatibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

_Id = Annotated[str, Field(min_length=1, max_length=256)]


@dataclass(frozen=True, slots=True)
class Attribution:
    """The affiliate credited with an order: network (``provider``), publisher and campaign."""

    provider: str
    publisher_id: str | None = None
    campaign_id: str | None = None
    creative_id: str | None = None
    sub_id: str | None = None
    touchpoint: Literal["first", "last"] | None = None
    source_url: str | None = None


class AttributionSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["url", "platform", "unknown"]
    url: Annotated[str, Field(max_length=2048)] | None = None


class AffiliateAttribution(BaseModel):
    """The request's ``affiliate_attribution`` (``$defs/AffiliateAttribution``, 2026-04-17)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    provider: _Id
    token: Annotated[str, Field(min_length=1, max_length=4096)] | None = None
    publisher_id: _Id | None = None
    campaign_id: _Id | None = None
    creative_id: _Id | None = None
    sub_id: _Id | None = None
    source: AttributionSource | None = None
    issued_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    metadata: dict[str, str | int | float | bool] | None = None
    touchpoint: Literal["first", "last"] | None = None

    @model_validator(mode="after")
    def _token_or_publisher(self) -> AffiliateAttribution:
        if self.token is None and self.publisher_id is None:
            raise ValueError("affiliate_attribution needs a token or a publisher_id")
        return self

    def attribution(self) -> Attribution:
        """What the merchant keeps (never the token)."""
        return Attribution(
            provider=self.provider,
            publisher_id=self.publisher_id,
            campaign_id=self.campaign_id,
            creative_id=self.creative_id,
            sub_id=self.sub_id,
            touchpoint=self.touchpoint,
            source_url=self.source.url if self.source is not None else None,
        )


def last_touch(first: Attribution | None, last: Attribution | None) -> Attribution | None:
    """The attribution an order is credited to: the one sent at complete, else at create."""
    return last if last is not None else first
