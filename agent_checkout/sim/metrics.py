"""What a run measured, gathered in fixed memory as sessions end, calls are served and orders
are priced: the funnel, outcomes, percentiles per endpoint and per session, errors, retries,
money, and a time series.

Money figures of the summary, in integer minor units (each matches a ledger query):

* ``gmv``: what buyers paid for orders (totals with shipping and tax, plus any surcharge a fee
  model adds for the buyer), before refunds;
* ``refunded``: what buyers got back on returns (refunded totals, plus surcharges reversed);
* ``click_fees``: what paid clicks cost (cost per click, such as ``sponsored-cpc``), whoever paid;
* ``buyer_paid``: ``gmv - refunded`` plus click fees charged to buyers: the buyers' net outlay
  (minus the ledger's ``buyer`` postings);
* ``tax``: sales tax collected, less tax returned on refunds;
* ``fees`` (by payee), ``fees_by_model``, ``fees_total``: every fee line, order and click
  alike, less reversals on refunds;
* ``merchant_net``: what merchants keep of buyers' money: sales net of tax, less refunds (net
  of the tax returned), less every fee they pay (order fees and click fees), plus fees
  reversed to them;
* ``discounts`` (only when an order had one): ``by_funder``, what promotions took off orders
  by who funds them (``merchant``, ``marketplace``, ``ai_platform``), and ``subsidies``, the
  part others paid merchants (the ledger's ``discount`` journals). ``merchant_net`` leaves
  subsidies out; ``ai_platform_net`` subtracts what the AI platform funded;
* ``presales`` (only when a deposit was paid, :mod:`merchants.presales`): how many presale orders
  ``started`` (deposit paid), ``completed`` (final payment made: the sale is an order, its
  inflation a discount of its funder) and were ``forfeited``, how many are still ``held`` at the
  end, and the money: ``deposits_paid``, ``final_payments``, ``deposits_held`` (the ledger's
  ``customer_deposits`` balance) and ``forfeited_amount``, which counts in ``merchant_net`` and
  ``buyer_paid`` (the buyer paid it, the merchant kept it).

So ``buyer_paid == merchant_net + fees_total + tax`` exactly, as the ledger's postings balance.

``companies`` consolidates the same money by owner (:mod:`agent_checkout.market.companies`): the
metrics keep each party's net postings (``by_party``) and what each merchant paid each payee
(``fees_paid``), so a company's figures equal the sum of its parties' ledger postings.
``ai_platform_take_rate`` counts only the AI platform's fees from merchants outside its company,
over their GMV: a first-party mall's own sales are not a commission.

The funnel counts each stage once per session, when the session first reaches it, so it never
runs backwards: a shopper who decided, found the pick sold out and then chose nothing still
decided.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent_checkout.agent.state import OUTCOMES
from agent_checkout.fees.fx import REFERENCE_FX, FxTable
from agent_checkout.fees.model import FeeLine
from agent_checkout.market.companies import MERCHANT, consolidate, take_rate, third_party_sales
from agent_checkout.sim.quantiles import LogHistogram
from agent_checkout.sim.timeseries import TimeSeries
from agent_checkout.sim.welfare import WelfareTally
from merchants.orders import PlacedOrder
from merchants.presales import DepositForfeited, PresaleDeposit
from merchants.profile import DEFAULT_PROTOCOL

FUNNEL = ("sessions", "searched", "shown", "decided", "checkout_started", "paid")


def stage_reached(node: str, update: Mapping[str, Any] | None) -> str | None:
    """The funnel stage that one step of the agent graph (``node`` returning ``update``) shows a
    session reaching: offers found, recommendations shown, an item chosen, a checkout session
    opened at a merchant (``checkout`` counted an attempt), an order paid."""
    if not update:
        return None
    if update.get("outcome") == "purchased":
        return "paid"
    if node == "search" and update.get("offers"):
        return "searched"
    if node == "recommend" and update.get("recommendations"):
        return "shown"
    if node == "decide" and update.get("choice") is not None:
        return "decided"
    if node == "checkout" and "attempts" in update:
        return "checkout_started"
    return None


@dataclass
class ChannelFigures:
    """One traffic channel's share of the run: its funnel and money, in the run's currency."""

    sessions: int = 0
    orders: int = 0
    gmv: int = 0
    refunded: int = 0
    clicks: int = 0
    inference_micros: int = 0
    funnel: Counter = field(default_factory=Counter)
    fees_by_payee: Counter = field(default_factory=Counter)
    intents: Counter = field(default_factory=Counter)  # sessions by intent
    intent_orders: Counter = field(default_factory=Counter)

    def summary(self, inference: int) -> dict:
        return {
            "sessions": self.sessions,
            "orders": self.orders,
            "conversion_rate": round(self.orders / self.sessions, 6) if self.sessions else 0.0,
            "gmv": self.gmv,
            "revenue_per_session": self.gmv // self.sessions if self.sessions else 0,
            "aov": self.gmv // self.orders if self.orders else 0,
            "refunded": self.refunded,
            "fees": dict(sorted(self.fees_by_payee.items())),
            "clicks": self.clicks,
            "inference_cost": inference,
            "funnel": {stage: self.funnel.get(stage, 0) for stage in FUNNEL},
            "intents": {
                name: {"sessions": count, "orders": self.intent_orders.get(name, 0)}
                for name, count in sorted(self.intents.items())
            },
        }


def shows_protocols(protocol_of: Mapping[str, str]) -> bool:
    """Whether a run compares protocols: only when some merchant is off the default, so a run
    all on ACP 2025-09-29 keeps its summary as it always was."""
    return any(p != DEFAULT_PROTOCOL for p in protocol_of.values())


@dataclass
class ProtocolFigures:
    """The orders one checkout protocol carried, and their money, in the run's currency."""

    merchants: set[str] = field(default_factory=set)
    orders: int = 0
    gmv: int = 0
    tax: int = 0
    fees_by_payee: Counter = field(default_factory=Counter)

    def summary(self) -> dict:
        fees_total = sum(self.fees_by_payee.values())
        return {
            "merchants": sorted(self.merchants),
            "orders": self.orders,
            "gmv": self.gmv,
            "aov": self.gmv // self.orders if self.orders else 0,
            "tax": self.tax,
            "fees": dict(sorted(self.fees_by_payee.items())),
            "fees_total": fees_total,
            "take_rate": round(fees_total / self.gmv, 6) if self.gmv else 0.0,
        }


@dataclass
class RunMetrics:
    resolution_seconds: float = 60.0
    sessions: int = 0
    outcomes: Counter = field(default_factory=Counter)
    funnel: Counter = field(default_factory=Counter)
    session_seconds: LogHistogram = field(default_factory=LogHistogram)
    endpoints: dict[str, LogHistogram] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    retries: int = 0
    orders: int = 0
    gmv: int = 0
    tax: int = 0
    merchant_net: int = 0
    orders_by_merchant: Counter = field(default_factory=Counter)
    gmv_by_merchant: Counter = field(default_factory=Counter)
    fees_by_payee: Counter = field(default_factory=Counter)
    fees_by_model: Counter = field(default_factory=Counter)
    merchant_calls: int = 0
    steps: int = 0
    inference_micros: int = 0
    clicks: int = 0
    refunds: int = 0
    refunded_amount: int = 0
    click_fees: int = 0
    buyer_click_fees: int = 0
    by_party: Counter = field(default_factory=Counter)  # party -> net postings
    discounts_by_funder: Counter = field(default_factory=Counter)
    fees_paid: Counter = field(default_factory=Counter)  # (merchant party, payee) -> fees
    presales: Counter = field(default_factory=Counter)  # see the module docstring
    welfare: WelfareTally = field(default_factory=WelfareTally)  # see agent_checkout.sim.welfare
    channels: dict[str, ChannelFigures] = field(default_factory=dict)  # only with channels
    #: By checkout protocol; only for runs where a merchant is not on ACP 2025-09-29.
    protocols: dict[str, ProtocolFigures] = field(default_factory=dict)
    timeseries: TimeSeries = field(init=False)

    def __post_init__(self) -> None:
        self.timeseries = TimeSeries(self.resolution_seconds)

    def arrived(self, now: float) -> None:
        self.timeseries.arrived(now)

    def served(
        self,
        server: str,
        endpoint: str,
        now: float,
        queued: float,
        latency: float,
        status: str,
        queue: int,
    ) -> None:
        """One merchant call answered at ``now`` after waiting ``queued`` and ``latency``."""
        key = f"{server}.{endpoint}"
        histogram = self.endpoints.get(key)
        if histogram is None:
            histogram = self.endpoints[key] = LogHistogram()
        histogram.add(queued + latency)
        failed = status != "ok"
        if failed:
            self.errors[f"{key}:{status}"] += 1
        self.timeseries.served(now, queued + latency, failed, queue)

    def session_ended(
        self,
        outcome: str,
        seconds: float,
        calls: int,
        *,
        now: float = 0.0,
        state: dict | None = None,
        stages: Collection[str] = (),
        channel: str | None = None,
        intent: str | None = None,
    ) -> None:
        """A session ended in ``outcome``; ``stages`` are the funnel stages it passed through
        (see :func:`stage_reached`), each counted once; ``channel`` is how it arrived."""
        self.sessions += 1
        self.outcomes[outcome] += 1
        self.session_seconds.add(seconds)
        self.merchant_calls += calls
        self.timeseries.ended(now)
        self.retries += (state or {}).get("retries", 0)
        self.funnel["sessions"] += 1
        for stage in FUNNEL[1:]:
            if stage in stages:
                self.funnel[stage] += 1
        if channel is not None:
            figures = self.channel(channel)
            figures.sessions += 1
            figures.funnel["sessions"] += 1
            figures.funnel.update(s for s in FUNNEL[1:] if s in stages)
            figures.intents[intent] += 1
            if outcome == "purchased":
                figures.intent_orders[intent] += 1

    def channel(self, name: str) -> ChannelFigures:
        figures = self.channels.get(name)
        if figures is None:
            figures = self.channels[name] = ChannelFigures()
        return figures

    def inference(self, steps: int, cost_micros: int, channel: str | None = None) -> None:
        self.steps += steps
        self.inference_micros += cost_micros
        if channel is not None:
            self.channel(channel).inference_micros += cost_micros

    def clicked(
        self, fee_lines: list[FeeLine], merchant_id: str = "", channel: str | None = None
    ) -> None:
        """A paid click: its payer (the advertising merchant, as a rule) owes its fee lines."""
        self.clicks += 1
        self._fees_by_party(MERCHANT + merchant_id, fee_lines)
        figures = self.channel(channel) if channel is not None else None
        if figures is not None:
            figures.clicks += 1
            for line in fee_lines:
                figures.fees_by_payee[line.payee] += line.amount
        for line in fee_lines:
            self.click_fees += line.amount
            if line.payer == "buyer":
                self.buyer_click_fees += line.amount
            else:
                self.merchant_net -= line.amount
            self.fees_by_payee[line.payee] += line.amount
            self.fees_by_model[line.model] += line.amount

    def refunded(
        self,
        order: PlacedOrder,
        reversals: list[FeeLine],
        tax_back: int,
        channel: str | None = None,
    ) -> None:
        """A full refund: fees reversed (negative lines), tax returned, the merchant pays back
        the rest, so every money figure stays net of returns."""
        self.refunds += 1
        buyer_back = sum(-f.amount for f in reversals if f.payer == "buyer")
        self.refunded_amount += order.total_amount + buyer_back
        if channel is not None:
            figures = self.channel(channel)
            figures.refunded += order.total_amount + buyer_back
            for line in reversals:
                figures.fees_by_payee[line.payee] += line.amount
        self.tax -= tax_back
        merchant_back = sum(-f.amount for f in reversals if f.payer == "merchant")
        self.merchant_net -= order.total_amount - tax_back - merchant_back
        self.by_party[MERCHANT + order.merchant_id] -= order.total_amount - tax_back
        self.by_party["tax_authority"] -= tax_back
        self._fees_by_party(MERCHANT + order.merchant_id, reversals)
        for line in reversals:
            self.fees_by_payee[line.payee] += line.amount
            self.fees_by_model[line.model] += line.amount

    def order_placed(
        self,
        order: PlacedOrder,
        fee_lines: list[FeeLine],
        now: float = 0.0,
        channel: str | None = None,
        protocol: str | None = None,
    ) -> None:
        buyer_fees = sum(f.amount for f in fee_lines if f.payer == "buyer")
        figures_of = self.protocols.get(protocol or "")
        if figures_of is not None:
            figures_of.orders += 1
            figures_of.gmv += order.total_amount + buyer_fees
            figures_of.tax += order.tax_amount
            for line in fee_lines:
                figures_of.fees_by_payee[line.payee] += line.amount
        if channel is not None:
            figures = self.channel(channel)
            figures.orders += 1
            figures.gmv += order.total_amount + buyer_fees
            for line in fee_lines:
                figures.fees_by_payee[line.payee] += line.amount
        merchant_fees = sum(f.amount for f in fee_lines if f.payer == "merchant")
        self.orders += 1
        self.timeseries.ordered(now)
        self.gmv += order.total_amount + buyer_fees
        self.tax += order.tax_amount
        self.merchant_net += order.total_amount - order.tax_amount - merchant_fees
        self.by_party[MERCHANT + order.merchant_id] += order.total_amount - order.tax_amount
        self.by_party["tax_authority"] += order.tax_amount
        self._fees_by_party(MERCHANT + order.merchant_id, fee_lines)
        self.orders_by_merchant[order.merchant_id] += 1
        self.gmv_by_merchant[order.merchant_id] += order.total_amount
        for discount in order.discounts:
            self.discounts_by_funder[discount.funder] += discount.amount
            if discount.funder != "merchant":  # as the discount journal posts it
                self.by_party[discount.funder] -= discount.amount
                self.by_party[MERCHANT + order.merchant_id] += discount.amount
        for line in fee_lines:
            self.fees_by_payee[line.payee] += line.amount
            self.fees_by_model[line.model] += line.amount
        if order.presale_id is not None:
            self.presales["completed"] += 1
            self.presales["final_payments"] += order.total_amount - order.deposit
            self.presales["deposits_applied"] += order.deposit

    def deposit_paid(self, deposit: PresaleDeposit) -> None:
        """A presale deposit paid: held by the merchant, nobody's income yet."""
        self.presales["started"] += 1
        self.presales["deposits_paid"] += deposit.amount

    def deposit_forfeited(self, forfeited: DepositForfeited) -> None:
        """The merchant keeps the deposit: its income, with no fee (as the ledger posts it)."""
        amount = forfeited.deposit.amount
        self.presales["forfeited"] += 1
        self.presales["forfeited_amount"] += amount
        self.merchant_net += amount
        self.by_party[MERCHANT + forfeited.deposit.merchant_id] += amount

    def _fees_by_party(self, merchant: str, fee_lines: list[FeeLine]) -> None:
        """Each line to its payee; a merchant's own share from the merchant, as posted."""
        for line in fee_lines:
            self.by_party[line.payee] += line.amount
            if line.payer == "merchant":
                self.by_party[merchant] -= line.amount
                self.fees_paid[(merchant, line.payee)] += line.amount

    @property
    def buyer_paid(self) -> int:
        """What buyers paid, net of refunds: ``merchant_net + fees_total + tax``."""
        return (
            self.gmv
            - self.refunded_amount
            + self.buyer_click_fees
            + self.presales["forfeited_amount"]
        )

    def summary(
        self,
        *,
        scenario: str,
        seed: int,
        currency: str,
        oversells: int,
        fx: FxTable = REFERENCE_FX,
        companies: Mapping[str, Collection[str]] | None = None,
    ) -> dict:
        """The reproducible summary: integers for money (defined in the module docstring), no
        wall-clock figures. ``companies`` names owners of several parties (the scenario's)."""
        fees_total = sum(self.fees_by_payee.values())
        third_party = third_party_sales(
            self.fees_paid, self.fees_by_payee, self.gmv, self.gmv_by_merchant, companies or {}
        )
        # One currency per run (a scenario's merchants must share it), so the totals here add
        # like amounts; inference, priced in USD, is converted through an explicit FX table.
        inference = fx.micros_usd_to_minor(self.inference_micros, currency)
        outcomes = {name: self.outcomes.get(name, 0) for name in OUTCOMES}
        outcomes.update({k: v for k, v in sorted(self.outcomes.items()) if k not in outcomes})
        started = self.funnel.get("checkout_started", 0)
        return (
            {
                "scenario": scenario,
                "seed": seed,
                "currency": currency,
                "sessions": self.sessions,
                "orders": self.orders,
                "conversion_rate": round(self.orders / self.sessions, 6) if self.sessions else 0.0,
                "checkout_abandonment": (
                    round(1 - self.funnel.get("paid", 0) / started, 6) if started else 0.0
                ),
                "funnel": {stage: self.funnel.get(stage, 0) for stage in FUNNEL},
                "gmv": self.gmv,
                "refunds": self.refunds,
                "refunded": self.refunded_amount,
                "buyer_paid": self.buyer_paid,
                "aov": self.gmv // self.orders if self.orders else 0,
                "tax": self.tax,
                "merchant_net": self.merchant_net,
                "fees": dict(sorted(self.fees_by_payee.items())),
                "fees_by_model": dict(sorted(self.fees_by_model.items())),
                "fees_total": fees_total,
                "take_rate": round(fees_total / self.gmv, 6) if self.gmv else 0.0,
                "ai_platform_take_rate": take_rate(third_party),
                "ai_platform_third_party": third_party,
                "orders_by_merchant": dict(sorted(self.orders_by_merchant.items())),
                "gmv_by_merchant": dict(sorted(self.gmv_by_merchant.items())),
                "outcomes": outcomes,
                "unhandled_errors": self.outcomes.get("unhandled_error", 0),
                "oversells": oversells,
                "merchant_calls": self.merchant_calls,
                "errors": dict(sorted(self.errors.items())),
                "retries": self.retries,
                "agent_steps": self.steps,
                "clicks": self.clicks,
                "click_fees": self.click_fees,
                "inference_cost": inference,
                "inference_fx": {
                    **fx.describe("usd", currency),
                    "usd_micros": self.inference_micros,
                },
                "ai_platform_net": self.fees_by_payee.get("ai_platform", 0)
                - inference
                - self.discounts_by_funder.get("ai_platform", 0),
                "companies": consolidate(self.by_party, self.fees_paid, companies or {}, inference),
                "session_seconds": self.session_seconds.summary(),
                "latency_ms": {k: v.summary(scale=1000) for k, v in sorted(self.endpoints.items())},
                "timeseries": {
                    "resolution_seconds": self.resolution_seconds,
                    "rows": self.timeseries.rows(),
                },
                "welfare": self.welfare.summary(),
            }
            | self._channels_summary(fx, currency)
            | self._protocols_summary()
            | self._discounts_summary()
            | self._presales_summary()
        )

    def _presales_summary(self) -> dict:
        """``presales``: deposits paid, settled and still held (only for runs with any)."""
        if not self.presales["started"]:
            return {}
        figures = self.presales
        held = figures["started"] - figures["completed"] - figures["forfeited"]
        return {
            "presales": {
                "started": figures["started"],
                "completed": figures["completed"],
                "forfeited": figures["forfeited"],
                "held": held,
                "deposits_paid": figures["deposits_paid"],
                "final_payments": figures["final_payments"],
                "deposits_held": figures["deposits_paid"]
                - figures["deposits_applied"]
                - figures["forfeited_amount"],
                "forfeited_amount": figures["forfeited_amount"],
            }
        }

    def _discounts_summary(self) -> dict:
        """``discounts``: promotions by funder and subsidies paid (only for runs with any)."""
        if not self.discounts_by_funder:
            return {}
        by_funder = dict(sorted(self.discounts_by_funder.items()))
        subsidies = sum(v for k, v in by_funder.items() if k != "merchant")
        return {"discounts": {"by_funder": by_funder, "subsidies": subsidies}}

    def compare_protocols(self, protocol_of: Mapping[str, str]) -> None:
        """Count orders by protocol from now on (``protocol_of``: each merchant's); a run calls
        it only when a merchant is off the default (:func:`shows_protocols`)."""
        for merchant, protocol in sorted(protocol_of.items()):
            self.protocols.setdefault(protocol, ProtocolFigures()).merchants.add(merchant)

    def _protocols_summary(self) -> dict:
        """``protocols``: the orders and money each checkout protocol carried (only for runs
        where a merchant is not on ACP 2025-09-29)."""
        if not self.protocols:
            return {}
        return {
            "protocols": {
                name: figures.summary() for name, figures in sorted(self.protocols.items())
            }
        }

    def _channels_summary(self, fx: FxTable, currency: str) -> dict:
        """``channels``: each channel's funnel and money (only for runs with channels)."""
        if not self.channels:
            return {}
        return {
            "channels": {
                name: figures.summary(fx.micros_usd_to_minor(figures.inference_micros, currency))
                for name, figures in sorted(self.channels.items())
            }
        }
