"""Promotions: what a merchant, its marketplace or the AI platform takes off a basket, and who pays.

A promotion is declared in a merchant profile (``promotions:``), so in a scenario too. Kinds,
in the order they apply (:data:`STAGES`); each applies to what the earlier stages left:

1. ``percentage`` (``percent_bps`` off) and ``fixed_amount`` (``amount`` off): store discounts;
2. ``store_coupon``: ``amount`` off one store's items at or above ``min_spend``;
3. ``threshold``: ``amount`` off for every full ``every`` spent ("every ¥300, ¥50 off"; not
   ``off``, which YAML reads as false), counted across
   every store of the marketplace (``scope: marketplace``, the default) or one store;
4. ``platform_coupon``: ``amount`` off the declaring store's order, paid for by the AI platform
   by default;
5. ``credit``: shopping credit, ``amount`` off whatever the whole basket has left, last.

``scope`` (``store`` or ``marketplace``) says which lines a promotion counts and discounts; the
defaults are ``marketplace`` for thresholds and credit, ``store`` for the rest.

Stacking: kinds of different stages always stack. Within one stage and one scope (the store,
for ``scope: store``; the whole basket for ``scope: marketplace``) only one promotion applies:
the one that saves most, the first declared on a tie; a code that loses is rejected as
``discount_code_combination_disallowed``. A promotion with a ``code`` applies only when the code
is submitted (case-insensitively); one without is automatic.

Rounding: a promotion's amount on its eligible lines is computed once (a percentage rounds
half-even to the minor unit), capped at what the lines have left, then split across the lines in
proportion to what each has left by the largest-remainder method (:func:`merchants.money.allocate`;
a tie goes to the line first by store id, then product id, whatever order the basket lists them
in), so the line shares add up to it exactly.

Sources: docs/sources.md, Promotions and presales (China, Singles' Day), row 'cross-store threshold
discount (跨店满减)'; the stacking order, funders and split are assumptions: docs/sources.md,
Defaults with no public figure, rows 'Promotion stacking', 'Promotion funders', 'Discount
allocation'.

Each promotion names its ``funder``: ``merchant`` (it lowers the merchant's revenue),
``marketplace`` or ``ai_platform`` (they pay the merchant the amount, so the merchant is made
whole). Defaults: the merchant for store kinds, the marketplace for thresholds, the AI platform
for platform coupons and credit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchants.money import BPS, allocate, apply_bps

PromotionKind = Literal[
    "percentage", "fixed_amount", "store_coupon", "threshold", "platform_coupon", "credit"
]
Funder = Literal["merchant", "marketplace", "ai_platform"]
Scope = Literal["store", "marketplace"]
#: Why a submitted code did not apply: ACP 2026-04-17's ``DiscountErrorCode`` names.
RejectReason = Literal[
    "discount_code_invalid",
    "discount_code_expired",
    "discount_code_minimum_not_met",
    "discount_code_combination_disallowed",
    "discount_code_already_applied",
]

#: The order kinds apply in; a later stage discounts what the earlier ones left.
STAGES: dict[str, int] = {
    "percentage": 1,
    "fixed_amount": 1,
    "store_coupon": 2,
    "threshold": 3,
    "platform_coupon": 4,
    "credit": 5,
}
_FUNDERS: dict[str, Funder] = {
    "threshold": "marketplace",
    "platform_coupon": "ai_platform",
    "credit": "ai_platform",
}
_SCOPES: dict[str, Scope] = {"threshold": "marketplace", "credit": "marketplace"}
#: The fields each kind needs; any other amount field is refused, so a typo cannot pass.
_NEEDS: dict[str, tuple[str, ...]] = {
    "percentage": ("percent_bps",),
    "fixed_amount": ("amount",),
    "store_coupon": ("amount",),
    "threshold": ("every", "amount"),
    "platform_coupon": ("amount",),
    "credit": ("amount",),
}
_AMOUNT_FIELDS = ("percent_bps", "amount", "every")


class Promotion(BaseModel):
    """One promotion as a profile or scenario declares it. Amounts are integer minor units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    kind: PromotionKind
    title: str | None = None
    code: str | None = Field(None, min_length=1)  # None: automatic
    percent_bps: int | None = Field(None, gt=0, le=BPS)
    amount: int | None = Field(None, gt=0)
    every: int | None = Field(None, gt=0)
    min_spend: int = Field(0, ge=0)
    funder: Funder | None = None  # None: the kind's default
    scope: Scope | None = None  # None: the kind's default
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> Promotion:
        needs = _NEEDS[self.kind]
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} promotion needs {name}")
        for name in _AMOUNT_FIELDS:
            if name not in needs and getattr(self, name) is not None:
                raise ValueError(f"{name} does not apply to a {self.kind} promotion")
        if self.kind == "threshold" and self.amount >= self.every:
            raise ValueError("a threshold's amount must be less than its every")
        return self

    @property
    def paid_by(self) -> Funder:
        return self.funder or _FUNDERS.get(self.kind, "merchant")

    @property
    def reach(self) -> Scope:
        return self.scope or _SCOPES.get(self.kind, "store")

    @property
    def name(self) -> str:
        return self.title or self.id

    def active(self, now: datetime) -> bool:
        return (self.starts_at is None or now >= self.starts_at) and (
            self.ends_at is None or now < self.ends_at
        )

    def saving(self, left: int) -> int:
        """What it takes off ``left`` (minor units its eligible lines still cost), capped."""
        if left < self.min_spend or left <= 0:
            return 0
        if self.kind == "percentage":
            return apply_bps(left, self.percent_bps)
        if self.kind == "threshold":
            return min((left // self.every) * self.amount, left)
        return min(self.amount, left)


@dataclass(frozen=True, slots=True)
class BasketLine:
    """One line of a basket: a store's product, its quantity and its list unit price."""

    store: str
    product_id: str
    quantity: int
    unit_price: int

    @property
    def base(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Applied:
    """A promotion that applied: its amount and its share on each basket line (in line order)."""

    promotion: Promotion
    store: str  # the store that declared it
    amount: int
    shares: tuple[int, ...]
    stage: int


@dataclass(frozen=True, slots=True)
class Rejected:
    """A submitted code that did not apply, and why."""

    code: str
    reason: RejectReason
    message: str


@dataclass(frozen=True, slots=True)
class PricedBasket:
    """A basket after every applicable promotion: the single source of checkout discounts."""

    lines: tuple[BasketLine, ...]
    applied: tuple[Applied, ...]
    rejected: tuple[Rejected, ...]
    codes: tuple[str, ...]

    def line_discount(self, index: int) -> int:
        return sum(a.shares[index] for a in self.applied)

    def line_amount(self, index: int) -> int:
        """What line ``index`` costs after every discount (before tax)."""
        return self.lines[index].base - self.line_discount(index)

    @property
    def discount(self) -> int:
        return sum(a.amount for a in self.applied)


@dataclass(frozen=True, slots=True)
class _Entry:
    store: str
    promotion: Promotion
    order: int


class PromotionBook:
    """Every promotion one basket may meet: each store's own and its marketplace's.

    ``entries`` are ``(store, promotion)``: the store that declared it. Store-scoped promotions
    apply to that store's lines; marketplace-scoped ones to every line of the basket.
    """

    def __init__(self, entries: Iterable[tuple[str, Promotion]] = ()) -> None:
        self._entries: list[_Entry] = []
        seen: dict[str, str] = {}
        for order, (store, promotion) in enumerate(entries):
            key = promotion.code.strip().upper() if promotion.code else None
            if key is not None and seen.get(key, store) != store:
                raise ValueError(
                    f"discount code {promotion.code!r} is declared by {seen[key]} and {store}"
                )
            if key is not None:
                seen[key] = store
            self._entries.append(_Entry(store, promotion, order))

    def __bool__(self) -> bool:
        return bool(self._entries)

    def promotions(self, store: str | None = None) -> list[Promotion]:
        return [e.promotion for e in self._entries if store is None or e.store == store]

    def price(
        self, lines: Sequence[BasketLine], now: datetime, codes: Sequence[str] = ()
    ) -> PricedBasket:
        """Apply every promotion to ``lines`` at ``now`` with ``codes`` submitted."""
        submitted, rejected = _dedupe(codes)
        known = {e.promotion.code.strip().upper() for e in self._entries if e.promotion.code}
        for code in submitted:
            if code.strip().upper() not in known:
                rejected.append(_reject(code, "discount_code_invalid"))
        wanted = {code.strip().upper(): code for code in submitted}
        left = [line.base for line in lines]
        applied: list[Applied] = []
        for stage in sorted(set(STAGES.values())):
            for group in self._groups(stage, lines):
                best: tuple[int, _Entry, list[int]] | None = None
                losers: list[_Entry] = []
                for entry in group:
                    promotion = entry.promotion
                    if promotion.code and promotion.code.strip().upper() not in wanted:
                        continue
                    eligible = self._eligible(entry, lines)
                    amount = promotion.saving(sum(left[i] for i in eligible))
                    reason = _why_not(promotion, now, amount)
                    if reason is not None:
                        if promotion.code:
                            rejected.append(_reject(wanted[_key(promotion)], reason))
                        continue
                    if best is None or amount > best[0]:
                        if best is not None:
                            losers.append(best[1])
                        best = (amount, entry, eligible)
                    else:
                        losers.append(entry)
                for loser in losers:
                    if loser.promotion.code:
                        code = wanted[_key(loser.promotion)]
                        rejected.append(_reject(code, "discount_code_combination_disallowed"))
                if best is None:
                    continue
                amount, entry, eligible = best
                split = allocate(amount, [left[i] for i in eligible])
                shares = [0] * len(lines)
                for index, share in zip(eligible, split, strict=True):
                    shares[index] = share
                    left[index] -= share
                applied.append(Applied(entry.promotion, entry.store, amount, tuple(shares), stage))
        # A known code whose store has no line here neither applied nor lost: it is not valid.
        settled = {_key(a.promotion) for a in applied} | {r.code.strip().upper() for r in rejected}
        rejected += [
            _reject(c, "discount_code_invalid") for k, c in wanted.items() if k not in settled
        ]
        return PricedBasket(tuple(lines), tuple(applied), tuple(rejected), tuple(submitted))

    def _groups(self, stage: int, lines: Sequence[BasketLine]) -> list[list[_Entry]]:
        """The entries of ``stage`` whose store has lines, grouped by where they compete."""
        stores = {line.store for line in lines}
        groups: dict[str | None, list[_Entry]] = {}
        for entry in self._entries:
            if STAGES[entry.promotion.kind] != stage:
                continue
            if entry.promotion.reach == "store" and entry.store not in stores:
                continue
            where = entry.store if entry.promotion.reach == "store" else None
            groups.setdefault(where, []).append(entry)
        return list(groups.values())

    @staticmethod
    def _eligible(entry: _Entry, lines: Sequence[BasketLine]) -> list[int]:
        """The lines it applies to, in a canonical order (store, product), so that the order a
        basket is listed in never changes who gets a rounding remainder."""
        every = range(len(lines))
        if entry.promotion.reach == "store":
            every = [i for i in every if lines[i].store == entry.store]
        return sorted(every, key=lambda i: (lines[i].store, lines[i].product_id, i))


def _key(promotion: Promotion) -> str:
    return (promotion.code or "").strip().upper()


def _dedupe(codes: Sequence[str]) -> tuple[list[str], list[Rejected]]:
    kept: list[str] = []
    rejected: list[Rejected] = []
    for code in codes:
        if code.strip().upper() in {k.strip().upper() for k in kept}:
            rejected.append(_reject(code, "discount_code_already_applied"))
        else:
            kept.append(code)
    return kept, rejected


def _why_not(promotion: Promotion, now: datetime, amount: int) -> RejectReason | None:
    if not promotion.active(now):
        return "discount_code_expired"
    if amount <= 0:
        return "discount_code_minimum_not_met"
    return None


_MESSAGES: dict[RejectReason, str] = {
    "discount_code_invalid": "Code {code} is not valid.",
    "discount_code_expired": "Code {code} is not active now.",
    "discount_code_minimum_not_met": "Your basket does not reach the minimum for code {code}.",
    "discount_code_combination_disallowed": (
        "Code {code} cannot be combined with a larger discount of the same kind."
    ),
    "discount_code_already_applied": "Code {code} is already applied.",
}


def _reject(code: str, reason: RejectReason) -> Rejected:
    return Rejected(code, reason, _MESSAGES[reason].format(code=code))
