"""Re-pricing a recorded run under other fee models, without simulating it again.

The recorded orders (with their lines and refunds) are read back by query in ``placed_at``
order (ties in the order they were recorded), rebuilt as :class:`PlacedOrder` s and priced in
that order with a :class:`FeePricer`'s running volume, so volume tiers see each merchant's sales
grow as they did. Several variants are priced in one pass. Totals are integer minor units,
summed per model and payee; rows come in batches, so memory stays bounded (a volume-tiered
model also keeps each merchant's sales history).

Which models price an order: the given models ``M`` (for every order, or by merchant platform)
are the AI-platform side; by default each merchant also keeps its original merchant-platform
models, those named on its recorded fee lines with a payee other than ``ai_platform`` (their
``ai_platform`` components left out, since ``M`` replaces that side; a model named in ``M``
is taken from ``M``). ``replace_all=True`` prices with ``M`` only. Refunds are re-reversed
under each model's ``on_refund`` rules.

Clicks are priced too: every recorded click (merchant, platform, currency, category, time) by
the ``link_clicked`` components of the same models, and an order placed in the session of a
click, at or after it, by their ``purchase_attributed`` components (as the run priced a
click-out's order). The sponsored ranking's own click lines (``sponsored-ranking``) are kept as
recorded in every variant: the ranking bills them at its ``cpc``, not a fee model. A run with
traffic channels is priced as its channels had it: ``M`` prices an order's ``order_completed``
components only where the channel's AI fees are ``order`` (in-chat checkout), its
``purchase_attributed`` ones only where they are ``attributed`` (a link out), and neither where
they are ``none``; the merchant's own models price every order, and a channel's own models
(``channel_models``: the affiliate channel's commission) every order of that channel.

That loop is the definition; by default the same totals come from two SQL queries over whole
tables (:mod:`.vectorized`), and the loop runs only where it alone can refuse a ledger or resolve
a merchant's models that repeat a name.

This holds only where fees did not change behaviour: with prices passing fees on, or a ranking
that weighs commission or sells placements, other fees would have meant other orders. Such a
run is refused (:class:`RepriceError`); compare fee models by simulating each instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from agent_checkout.fees.context import Click, FeeContext
from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.line import FeeLine
from agent_checkout.fees.model import FeeModel, price_order
from agent_checkout.fees.pricer import FeePricer, price_attributed, price_click
from agent_checkout.fees.refund import refund_lines
from agent_checkout.ledger.journals import refund_tax
from agent_checkout.ledger.reader import open_read_only
from agent_checkout.ledger.recorded import recorded_orders
from agent_checkout.ledger.vectorized import ENGINES, OrderGroup, component_key, price_groups
from merchants.orders import PlacedOrder

#: The model named on the click lines the sponsored ranking bills at its own ``cpc`` (as
#: ``agent_checkout.agent.ranking`` writes them; the ledger sits below the agent, so not imported).
SPONSORED_CLICK_MODEL = "sponsored-ranking"

#: Rankings that do not look at fees, so the same shoppers would have bought the same things.
FEE_BLIND_RANKINGS = frozenset({"neutral", "first_party"})

Models = Sequence[FeeModel] | Mapping[str, Sequence[FeeModel]]
"""Fee models for every order, or by merchant platform (``{"shopify": [...], ...}``)."""


class RepriceError(ValueError):
    """A ledger that cannot be re-priced, said in one line."""


@dataclass
class RepriceResult:
    """What a run earned each party under one set of fee models, in minor units.

    ``gmv`` is what buyers paid, surcharges (and click fees charged to them) included, net of
    refunds; ``tax`` and ``merchant_net`` are net of refunds too, and ``merchant_net`` is net of
    the clicks merchants paid for, so ``gmv == merchant_net + fees_total + tax``. ``fees``
    includes ``click_fees``, the fees of the ``clicks``.
    """

    currency: str
    orders: int = 0
    refunds: int = 0
    clicks: int = 0
    click_fees: int = 0
    gmv: int = 0
    tax: int = 0
    merchant_net: int = 0
    fees: Counter[tuple[str, str]] = field(default_factory=Counter)  # (model, payee) -> net

    @property
    def fees_by_payee(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for (_, payee), amount in self.fees.items():
            totals[payee] += amount
        return dict(sorted(totals.items()))

    @property
    def fees_by_model(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for (model, _), amount in self.fees.items():
            totals[model] += amount
        return dict(sorted(totals.items()))

    @property
    def fees_total(self) -> int:
        return sum(self.fees.values())

    @property
    def ai_platform_revenue(self) -> int:
        return self.fees_by_payee.get("ai_platform", 0)

    @property
    def take_rate(self) -> float:
        """The AI platform's revenue as a share of GMV (a ratio for display, not money)."""
        return self.ai_platform_revenue / self.gmv if self.gmv else 0.0


@dataclass(frozen=True, slots=True)
class RunBehaviour:
    """What the run recorded of the behaviour fees may drive (None: not recorded)."""

    pass_through: float | None
    ranking: str | None


class _NoHistory(FeeContext):
    """A context that remembers nothing: for models without volume tiers, memory stays flat."""

    def record(self, order: PlacedOrder) -> None:
        return None


def run_behaviour(con: duckdb.DuckDBPyConnection) -> list[RunBehaviour]:
    return [
        RunBehaviour(*row)
        for row in con.execute("SELECT pass_through, ranking FROM runs").fetchall()
    ]


def check_repriceable(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Refuse a run whose fees changed behaviour; return notes on what could not be checked."""
    runs = run_behaviour(con)
    notes = [] if runs else ["this ledger records no run: re-pricing assumes fees changed nothing"]
    for run in runs:
        if run.pass_through is None or run.ranking is None:
            notes.append(
                "this ledger does not record pass-through or ranking (written before they were); "
                "re-pricing assumes neither depended on fees"
            )
            continue
        if run.pass_through > 0 or run.ranking not in FEE_BLIND_RANKINGS:
            raise RepriceError(
                f"the run had pass-through {run.pass_through:g} and ranking {run.ranking!r}: fees "
                "changed what shoppers saw and bought, so re-pricing its orders would mislead; "
                "use `agent-checkout compare` to simulate each fee model instead"
            )
    return notes


def _recorded_model(name: str) -> FeeModel:
    """A model named on the recorded lines, loaded by name (built in, or a file still there)."""
    try:
        return load_fee_model(name)
    except KeyError:
        raise RepriceError(
            f"fee model {name!r} priced orders in this run but is not built in: give its "
            "file in the model list, or use --replace-all"
        ) from None


def _merchant_side(name: str, cache: dict[str, FeeModel | None]) -> FeeModel | None:
    """A recorded model without its ``ai_platform`` components (None if nothing is left)."""
    if name not in cache:
        model = _recorded_model(name)
        kept = [c for c in model.components if c.payee != "ai_platform"]
        cache[name] = model.model_copy(update={"components": kept}) if kept else None
    return cache[name]


def _originals(
    con: duckdb.DuckDBPyConnection, replace_all: bool, taken: set[str]
) -> dict[str, list[FeeModel]]:
    """Each merchant's own models: named on its fee lines with a payee other than ai_platform.

    Models every variant gives itself (``taken``) are not loaded, so a user's file named in
    the model list stands in for the recorded model of the same name.
    """
    merchants = [
        row[0]
        for row in con.execute(
            "SELECT merchant_id FROM orders UNION SELECT merchant_id FROM clicks"
        ).fetchall()
    ]
    by_merchant: dict[str, list[FeeModel]] = {merchant: [] for merchant in merchants}
    if replace_all:
        return by_merchant
    cache: dict[str, FeeModel | None] = {}
    # fee lines name their merchant; those of older ledgers (NULL) find it through the order
    unnamed = con.execute(
        "SELECT COUNT(*) FROM fee_lines WHERE merchant_id IS NULL AND payee <> 'ai_platform'"
    ).fetchone()[0]
    older = (
        "UNION ALL SELECT o.merchant_id, f.model, f.line_no FROM fee_lines f "
        "JOIN orders o USING (order_id) WHERE f.merchant_id IS NULL AND f.payee <> 'ai_platform' "
        if unnamed
        else ""
    )
    for merchant, name in con.execute(
        "SELECT merchant_id, model FROM ("
        "SELECT merchant_id, model, line_no FROM fee_lines "
        f"WHERE merchant_id IS NOT NULL AND payee <> 'ai_platform' {older}"
        "UNION ALL SELECT c.merchant_id, l.model, l.line_no "
        "FROM click_lines l JOIN clicks c USING (click_id) "
        "WHERE l.payee <> 'ai_platform' AND l.model <> ?"
        ") GROUP BY ALL ORDER BY 1, MIN(line_no), 2",
        [SPONSORED_CLICK_MODEL],
    ).fetchall():
        model = None if name in taken else _merchant_side(name, cache)
        if model is not None:
            by_merchant[merchant].append(model)
    return by_merchant


class _Variant:
    """One set of models ``M``: its models by merchant and its running totals."""

    def __init__(self, models: Models, originals: Mapping[str, Sequence[FeeModel]], currency: str):
        self.models = models
        self.originals = originals
        self.result = RepriceResult(currency)
        self._given: dict[tuple[str, str], tuple[list[FeeModel], set[str]]] = {}

    def given(self, merchant: str, platform: str) -> tuple[list[FeeModel], set[str]]:
        """``M`` for the merchant's platform, and the names it takes over from the originals."""
        key = (merchant, platform)
        if key not in self._given:
            models = self.models
            given = list(models.get(platform, ()) if isinstance(models, Mapping) else models)
            self._given[key] = (given, {m.name for m in given})
        return self._given[key]

    def click(self, click: Click) -> None:
        """Price one click by the ``link_clicked`` components of ``M`` and the merchant's own."""
        given, names = self.given(click.merchant_id, click.platform)
        own = [m for m in self.originals.get(click.merchant_id, ()) if m.name not in names]
        lines = price_click(click, given) + price_click(click, own)
        self.result.clicks += 1
        self.result.click_fees += sum(line.amount for line in lines)
        _add_lines(self.result, lines)

    def kept_clicks(self, kept: RepriceResult) -> None:
        """Add click lines kept as recorded (the sponsored ranking's own)."""
        self.result.click_fees += kept.click_fees
        self.result.merchant_net += kept.merchant_net
        self.result.gmv += kept.gmv
        self.result.fees.update(kept.fees)

    def add(
        self,
        order: PlacedOrder,
        given_lines: list[FeeLine],
        own_lines: list[FeeLine],
        refunds: list[int],
        channel_models: Sequence[FeeModel] = (),
    ) -> None:
        """Sum one order's lines (``M`` then the merchant's own and its channel's), and reverse
        its refunds."""
        given, names = self.given(order.merchant_id, order.platform)
        lines = given_lines + [line for line in own_lines if line.model not in names]
        result = self.result
        result.orders += 1
        result.gmv += order.total_amount
        result.tax += order.tax_amount
        result.merchant_net += order.total_amount - order.tax_amount
        _add_lines(result, lines)
        before = 0
        own = [*self.originals[order.merchant_id], *channel_models]
        for amount in refunds:
            models = given + [m for m in own if m.name not in names]
            tax_back = refund_tax(order, amount, before)
            result.refunds += 1
            result.gmv -= amount
            result.tax -= tax_back
            result.merchant_net -= amount - tax_back
            _add_lines(result, refund_lines(order, lines, amount, models, refunded_before=before))
            before += amount


def _add_lines(result: RepriceResult, lines: list[FeeLine]) -> None:
    for line in lines:
        result.fees[(line.model, line.payee)] += line.amount
        if line.payer == "buyer":
            result.gmv += line.amount
        else:
            result.merchant_net -= line.amount


def _uses_volume(models: Iterable[FeeModel]) -> bool:
    return any(
        c.tiers is not None and c.tiers.by == "running_volume" for m in models for c in m.components
    )


def _attributes(models: Iterable[FeeModel]) -> bool:
    return any(c.trigger == "purchase_attributed" for m in models for c in m.components)


def _click_times(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """The orders that followed a click: placed in the click's session, at or after it.

    The latest such click counts (a session records one). A click-out's order is booked under
    the session that clicked (ledgers written before that have no such orders).
    """
    return {
        order_id: clicked_at.replace(tzinfo=UTC)
        for order_id, clicked_at in con.execute(
            "SELECT o.order_id, MAX(c.clicked_at) FROM orders o JOIN clicks c "
            "ON c.session_id = o.session_id AND c.clicked_at <= o.placed_at GROUP BY 1"
        ).fetchall()
    }


def _channel_names(
    con: duckdb.DuckDBPyConnection, channel_fees: Mapping[str, str] | None
) -> list[str]:
    """The traffic channels orders arrived through (none for runs without); each must be
    given its AI fees."""
    names = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT channel FROM orders WHERE channel IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    unknown = [name for name in names if name not in (channel_fees or {})]
    if unknown:
        raise RepriceError(
            f"orders of channel {', '.join(repr(n) for n in unknown)}: say which AI fees that "
            "channel charges (channel_fees) to re-price them"
        )
    return names


def _order_channels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The channel of each order that arrived through one."""
    return {
        order_id: channel
        for order_id, channel in con.execute(
            "SELECT order_id, channel FROM orders WHERE channel IS NOT NULL"
        ).fetchall()
    }


def _recorded_clicks(con: duckdb.DuckDBPyConnection, batch_size: int) -> Iterator[Click]:
    """Every recorded click, in the order it happened (ties in the order recorded)."""
    result = con.execute(
        "SELECT merchant_id, platform, currency, product_category, clicked_at FROM clicks "
        "ORDER BY clicked_at, rowid"
    )
    while batch := result.fetchmany(batch_size):
        for merchant, platform, currency, category, at in batch:
            yield Click(merchant, platform, currency, category, at.replace(tzinfo=UTC))


def _sponsored_clicks(con: duckdb.DuckDBPyConnection, currency: str) -> RepriceResult:
    """The sponsored ranking's own click lines as recorded: billed at its ``cpc``."""
    kept = RepriceResult(currency)
    for payer, payee, amount in con.execute(
        "SELECT payer, payee, SUM(amount) FROM click_lines WHERE model = ? GROUP BY ALL",
        [SPONSORED_CLICK_MODEL],
    ).fetchall():
        kept.fees[(SPONSORED_CLICK_MODEL, payee)] += int(amount)
        kept.click_fees += int(amount)
        if payer == "buyer":
            kept.gmv += int(amount)
        else:
            kept.merchant_net -= int(amount)
    return kept


def _vector_fallback(every: Sequence[FeeModel], currency: str) -> str | None:
    """Why this run needs the per-order path, or None: a model that refuses the currency
    (the per-order path says so in its error)."""
    refused = next((m.name for m in every if not m.prices(currency)), None)
    return None if refused is None else f"fee model {refused} does not price {currency}"


@dataclass(frozen=True, slots=True)
class _Sides:
    """Who prices a run's orders besides a variant's models: each merchant's own models and
    each traffic channel's (with the AI fees the channel lets charge)."""

    originals: Mapping[str, Sequence[FeeModel]]
    by_channel: Mapping[str, Sequence[FeeModel]]
    fees: Mapping[str, str]

    def charged(self, run: _Variant, group: OrderGroup) -> list[tuple[FeeModel, set[str]]] | None:
        """The models that price ``group``'s orders in ``run``, each with the triggers it
        charges there, as the per-order loop has them; None where two share a name."""
        ai_fees = None if group.channel is None else self.fees[group.channel]
        given, names = run.given(group.merchant, group.platform)
        own = [m for m in self.originals[group.merchant] if m.name not in names]
        extra = []
        if group.channel is not None:
            extra = [m for m in self.by_channel.get(group.channel, ()) if m.name not in names]
        if len({m.name for m in [*given, *own, *extra]}) < len(given) + len(own) + len(extra):
            return None
        on_given = {"order_completed"} if ai_fees in (None, "order") else set()
        if ai_fees in (None, "attributed"):
            on_given.add("purchase_attributed")
        on_own = {"order_completed"}
        if ai_fees is None:
            on_own.add("purchase_attributed")
        return [
            *((m, on_given) for m in given),
            *((m, on_own) for m in own),
            *((m, {"order_completed"}) for m in extra),
        ]


def _price_vectorized(
    con: duckdb.DuckDBPyConnection, runs: Mapping[str, _Variant], sides: _Sides
) -> bool:
    """Price every variant's orders by one SQL query over whole tables; False (nothing done)
    where a refund is invalid or a group's models repeat a name, which only the per-order
    path resolves (or refuses) as it does."""
    every = [*sides.originals.values(), *sides.by_channel.values()]
    every += [_all_models(run.models) for run in runs.values()]
    groups = price_groups(con, ((m, c) for ms in every for m in ms for c in m.components))
    if groups is None:
        return False
    charged = {name: [sides.charged(run, group) for group in groups] for name, run in runs.items()}
    if any(models is None for found in charged.values() for models in found):
        return False
    for name, run in runs.items():
        result = run.result
        for group, models in zip(groups, charged[name], strict=True):
            result.orders += group.orders
            result.refunds += group.refunds
            result.gmv += group.total - group.refunded
            result.tax += group.tax - group.tax_back
            result.merchant_net += group.total - group.tax - (group.refunded - group.tax_back)
            for model, triggers in models or ():
                for component in model.components:
                    line = group.lines.get(component_key(model, component))
                    if component.trigger not in triggers or line is None:
                        continue
                    net = line[0] - line[1]
                    result.fees[(model.name, component.payee)] += net
                    if component.payer == "buyer":
                        result.gmv += net
                    else:
                        result.merchant_net -= net
    return True


def _all_models(models: Models) -> list[FeeModel]:
    return (
        [m for ms in models.values() for m in ms] if isinstance(models, Mapping) else list(models)
    )


def reprice_variants(
    path: str | Path,
    variants: Mapping[str, Models],
    *,
    replace_all: bool = False,
    batch_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
    channel_fees: Mapping[str, str] | None = None,
    channel_models: Mapping[str, Sequence[str]] | None = None,
    engine: str = "auto",
) -> tuple[dict[str, RepriceResult], list[str]]:
    """Re-price the run under each named variant in one read of the ledger.

    One :class:`FeePricer` prices each merchant's own models and keeps the running volume that
    every variant's volume tiers read (sales do not depend on fees), so each order's own lines
    are priced once. ``channel_fees`` gives each traffic channel's AI fees (``order``,
    ``attributed`` or ``none``, as the simulation's channels define them) for a run that
    recorded channels: ``M`` then prices only what the channel let the AI platform charge.
    ``channel_models`` names the models each channel adds to its orders (the affiliate
    channel's commission): they price that channel's orders only, never the merchant's others.
    Returns the results by variant and notes to show. Raises :class:`RepriceError` for a run
    whose fees changed behaviour, a ledger in several currencies, a recorded model that cannot
    be loaded, or channels ``channel_fees`` does not give.

    ``engine``: ``vectorized`` prices the orders by SQL over whole tables
    (:mod:`agent_checkout.ledger.vectorized`), ``per-order`` one by one; ``auto`` (the default)
    takes the vectorized path where every model and the run allow it. Both give the same
    totals; asking for ``vectorized`` where it cannot run is a :class:`RepriceError`.
    """
    if engine not in ENGINES:
        raise RepriceError(f"engine: {engine!r} is not one of {', '.join(ENGINES)}")
    if not variants:
        raise RepriceError("no fee models to re-price with")
    con = open_read_only(path)
    try:
        notes = check_repriceable(con)
        currencies = [
            row[0]
            for row in con.execute(
                "SELECT currency FROM orders UNION SELECT currency FROM clicks"
            ).fetchall()
        ]
        if len(currencies) > 1:
            raise RepriceError(
                f"orders in several currencies ({', '.join(sorted(currencies))}): re-pricing "
                "sums money in one"
            )
        currency = currencies[0] if currencies else "usd"
        taken = set.intersection(
            *({m.name for m in _all_models(models)} for models in variants.values())
        )
        bound = {} if replace_all else dict(channel_models or {})
        originals = _originals(con, replace_all, taken | {n for ns in bound.values() for n in ns})
        by_channel = {
            channel: [_recorded_model(name) for name in names] for channel, names in bound.items()
        }
        every = [m for ms in [*originals.values(), *by_channel.values()] for m in ms]
        every += [m for models in variants.values() for m in _all_models(models)]
        runs = {name: _Variant(models, originals, currency) for name, models in variants.items()}
        fees = channel_fees or {}
        channel_names = _channel_names(con, channel_fees)
        # channel models price only orders of their channel: none unless the run has channels
        priced = [m for ms in originals.values() for m in ms]
        priced += [m for models in variants.values() for m in _all_models(models)]
        if channel_names:
            priced += [m for name in channel_names for m in by_channel.get(name, ())]
        reason = None if engine == "per-order" else _vector_fallback(priced, currency)
        if engine == "vectorized" and reason is not None:
            raise RepriceError(f"engine vectorized: {reason}; use engine auto or per-order")
        vectorized = (
            engine != "per-order"
            and reason is None
            and _price_vectorized(con, runs, _Sides(originals, by_channel, fees))
        )
        if engine == "vectorized" and not vectorized:
            raise RepriceError(
                "engine vectorized: a refund is not positive or exceeds its order's total, or a "
                "merchant's models repeat a name; use engine auto or per-order"
            )
        context = FeeContext() if _uses_volume(every) else _NoHistory()
        pricer = FeePricer(originals, context)
        clicked = _click_times(con) if not vectorized and _attributes(every) else {}
        channels = _order_channels(con) if not vectorized and channel_names else {}
        orders = () if vectorized else recorded_orders(con, batch_size)
        for done, (order, refunds) in enumerate(orders, 1):
            at, channel = clicked.get(order.id), channels.get(order.id)
            ai_fees = None if channel is None else fees[channel]
            given = []
            for run in runs.values():
                models = run.given(order.merchant_id, order.platform)[0]
                lines = price_order(order, models, context) if ai_fees in (None, "order") else []
                if at is not None and ai_fees in (None, "attributed"):
                    lines += price_attributed(order, at, models, context)
                given.append(lines)
            # after the variants, as it records the order's sales; without channels a click-out's
            # order was priced by every model's attributed components, with them by M's only
            extra = by_channel.get(channel, []) if channel is not None else []
            own = price_order(order, extra, context)  # the channel's, before the order counts
            own = pricer.price(order, clicked_at=at if ai_fees is None else None) + own
            for run, lines in zip(runs.values(), given, strict=True):
                run.add(order, lines, own, refunds, extra)
            if progress is not None and done % batch_size == 0:
                progress(done)
        for click in _recorded_clicks(con, batch_size):
            for run in runs.values():
                run.click(click)
        kept = _sponsored_clicks(con, currency)
        for run in runs.values():
            run.kept_clicks(kept)
        return {name: run.result for name, run in runs.items()}, notes
    finally:
        con.close()


def reprice_ledger(
    path: str | Path,
    models: Models,
    *,
    replace_all: bool = False,
    batch_size: int = 20_000,
    channel_fees: Mapping[str, str] | None = None,
    channel_models: Mapping[str, Sequence[str]] | None = None,
) -> RepriceResult:
    """Re-price the run at ``path`` with ``models`` (see the module docstring for which)."""
    results, _ = reprice_variants(
        path,
        {"reprice": models},
        replace_all=replace_all,
        batch_size=batch_size,
        channel_fees=channel_fees,
        channel_models=channel_models,
    )
    return results["reprice"]


def recorded_totals(path: str | Path) -> RepriceResult:
    """The same figures for the run as recorded: orders, refunds and paid clicks, so fees by
    payee and merchant net equal the run's summary to the minor unit."""
    con = open_read_only(path)
    try:
        currency = con.execute("SELECT ANY_VALUE(currency) FROM orders").fetchone()[0] or "usd"
        result = RepriceResult(currency)
        result.orders = con.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        result.refunds = con.execute("SELECT COUNT(*) FROM refunds").fetchone()[0]
        clicks, click_fees = con.execute(
            "SELECT COUNT(*), COALESCE(SUM(fees), 0) FROM clicks"
        ).fetchone()
        result.clicks, result.click_fees = clicks, int(click_fees)
        gmv, tax, net = con.execute(
            "SELECT -COALESCE(SUM(amount) FILTER (WHERE account = 'buyer'), 0), "
            "COALESCE(SUM(amount) FILTER (WHERE account = 'tax_authority'), 0), "
            "COALESCE(SUM(amount) FILTER (WHERE account = 'merchant'), 0) "
            "FROM postings WHERE kind IN ('order', 'refund', 'click')"
        ).fetchone()
        result.gmv, result.tax, result.merchant_net = int(gmv), int(tax), int(net)
        for model, payee, amount in con.execute(
            "SELECT model, payee, SUM(amount) FROM (SELECT model, payee, amount FROM fee_lines "
            "UNION ALL SELECT model, payee, amount FROM refund_lines "
            "UNION ALL SELECT model, payee, amount FROM click_lines) GROUP BY ALL"
        ).fetchall():
            result.fees[(model, payee)] = int(amount)
        return result
    finally:
        con.close()
