"""One simulated market: merchants, a payment processor, arriving shoppers, the agent, in SimPy.

:class:`Simulation` wires the pieces for one replication and runs it to the end: each arrival
starts a session process (see :mod:`agent_checkout.sim.cosim`), each completed order is priced
by the fee models and handed to the ledger, and :class:`RunMetrics` gathers the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import simpy

from agent_checkout.agent.engines import GraphEngine, chosen_engine
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.policy import CheckoutPolicy, RulePolicy
from agent_checkout.agent.ranking import click_fee_lines
from agent_checkout.agent.shopper import Shopper
from agent_checkout.agent.state import Recommendation
from agent_checkout.agent.stated_price import PriceError
from agent_checkout.agent.trace import SessionTrace, traced
from agent_checkout.fees.context import Click
from agent_checkout.fees.model import FeeModel, price_order
from agent_checkout.fees.pricer import FeePricer, price_attributed
from agent_checkout.fees.refund import refund_lines
from agent_checkout.ledger.journals import refund_tax
from agent_checkout.ledger.store import Ledger
from agent_checkout.sim.channels import Channel, ChannelMix, SessionChannel
from agent_checkout.sim.clickout import buy_direct, converts
from agent_checkout.sim.cohorts import CohortBook
from agent_checkout.sim.cosim import (
    MerchantCall,
    MerchantServer,
    SessionRecord,
    SimulatedPayments,
    VirtualClock,
    drive_session,
    virtual_sleep,
)
from agent_checkout.sim.currency_markets import CurrencyMarkets, WelfareByCurrency
from agent_checkout.sim.faults import Fault, FaultSchedule, StockOut
from agent_checkout.sim.metrics import RunMetrics, shows_protocols, stage_reached
from agent_checkout.sim.presale_payments import final_payment
from agent_checkout.sim.scenario import MonetizationSpec, ReturnsSpec
from agent_checkout.sim.simulated_protocols import simulated_connector
from agent_checkout.sim.streams import RandomStreams
from agent_checkout.sim.welfare import BestItems, WelfareRecorder
from agent_checkout.sim.wrong_price import PriceErrors, WrongPriceTally
from merchants import Merchant, PaymentProcessor, PlacedOrder
from merchants.presales import DepositForfeited, PresaleDeposit
from merchants.profile import LatencyProfile
from merchants.ratelimit import platform_limiter

PSP_LATENCY = LatencyProfile(median_ms=120, sigma=0.3)
PSP_CAPACITY = 256
ORDERS_KEPT = 100  # per merchant: the newest, for look-ups (the ledger has them all)


class Simulation:
    """Build with merchants (whose order sink is still free), then :meth:`run` once."""

    def __init__(
        self,
        *,
        merchants: Mapping[str, Merchant],
        processor: PaymentProcessor,
        shopper: Callable[[int], Shopper],
        arrival_gaps: Iterable[float],
        start: datetime,
        streams: RandomStreams,
        fee_models: Mapping[str, list[FeeModel]],
        policy: CheckoutPolicy | None = None,
        search_limit: int = 10,
        ledger: Ledger | None = None,
        psp_latency: LatencyProfile = PSP_LATENCY,
        cost_per_step_micros: int = 0,
        faults: Sequence[Fault] = (),
        resolution_seconds: float = 60.0,
        monetization: MonetizationSpec | None = None,
        returns: ReturnsSpec | None = None,
        channels: ChannelMix | None = None,
        ai_fee_models: Sequence[FeeModel] = (),
        markets: CurrencyMarkets | None = None,
        price_errors: PriceErrors | None = None,
        cohorts: CohortBook | None = None,
        engine: str = "auto",
    ) -> None:
        self.env = simpy.Environment()
        self.clock = VirtualClock(self.env, start)
        self.merchants, self.streams, self.ledger = merchants, streams, ledger
        self.fee_models, self.shopper = fee_models, shopper
        self.pricer = FeePricer(fee_models)  # keeps running volume for volume-tiered fees
        self.arrival_gaps, self.search_limit = arrival_gaps, search_limit
        self.policy = policy or RulePolicy()
        self.cost_per_step_micros = cost_per_step_micros
        self.monetization = monetization or MonetizationSpec()
        self.returns = returns or ReturnsSpec()
        self.processor = processor
        self._clicked_at: dict[str, datetime] = {}  # checkout session -> the click it follows
        # Channels: each session's draw while it runs, and when a link-out session clicked.
        self.channels = channels
        self._channel_of: dict[str, SessionChannel] = {}
        # A deposit's session's channel, kept past the session: its final payment's sale is
        # that channel's order, priced as the channel's orders are.
        self._deposit_channel_of: dict[str, SessionChannel] = {}
        self._link_clicked_at: dict[str, datetime] = {}
        self._own_models = {  # per merchant: its platform's models, without the AI platform's
            merchant: [m for m in models if not any(m is ai for ai in ai_fee_models)]
            for merchant, models in fee_models.items()
        }
        self._ai_models = {
            merchant: [m for m in models if any(m is ai for ai in ai_fee_models)]
            for merchant, models in fee_models.items()
        }
        self.metrics = RunMetrics(resolution_seconds=resolution_seconds)
        self.faults = FaultSchedule(faults, streams.stream("faults"))
        self.welfare = WelfareRecorder(BestItems(merchants), self.metrics.welfare)
        # Several currencies: each session shops in one currency's market, and the money it
        # causes is also counted per currency (agent_checkout.sim.currency_markets).
        self.markets = markets
        # A run with users: the AI platform's money of each session, by cohort and day.
        self.cohorts = cohorts
        self.by_currency: dict[str, RunMetrics] = {}
        if markets is not None:
            self.by_currency = {
                c: RunMetrics(resolution_seconds=resolution_seconds) for c in markets.currencies
            }
            self.welfare = WelfareByCurrency(
                {
                    c: WelfareRecorder(
                        BestItems({m: merchants[m] for m in markets.merchants[c]}),
                        self.by_currency[c].welfare,
                    )
                    for c in markets.currencies
                },
                markets.currency_of,
            )
        # Wrong stated prices (a failure mode): which sessions err, and what became of them.
        self.price_errors = price_errors
        self.wrong_prices = (
            WrongPriceTally(price_errors.spec.rate) if price_errors is not None else None
        )
        self.records: list[SessionRecord] | None = None  # set to [] to keep every record
        self.call_log: list[tuple[float, str, str, int]] | None = None  # (t, server, endpoint, i)
        self.on_session_end: Callable[[int], None] | None = None
        # Set to [] for one row per session as it ends: (session_id, channel, intent, outcome,
        # started and ended in virtual seconds, merchant calls, agent steps, inference µUSD).
        self.session_log: list[tuple] | None = None
        self.traces: dict[int, SessionTrace] = {}  # sessions to trace: add their index first
        self.servers = {
            m.id: MerchantServer(
                self.env,
                self.clock,
                m.profile.latency,
                m.profile.capacity,
                server_id=m.id,
                limiter=(
                    platform_limiter(m.profile.platform, m.profile.plan)
                    if m.profile.rate_limited
                    else None
                ),
                faults=self.faults,
                observer=self.metrics.served,
                by_endpoint=m.profile.latency_by_endpoint,
            )
            for m in merchants.values()
        }
        self.servers[SimulatedPayments.server_id] = MerchantServer(
            self.env,
            self.clock,
            psp_latency,
            PSP_CAPACITY,
            server_id=SimulatedPayments.server_id,
            faults=self.faults,
            observer=self.metrics.served,
        )
        self.connectors = {m.id: simulated_connector(m, self.clock) for m in merchants.values()}
        self._protocol_of = {m.id: m.profile.protocol for m in merchants.values()}
        if shows_protocols(self._protocol_of):
            self.metrics.compare_protocols(self._protocol_of)
            for code, metrics in self.by_currency.items():
                metrics.compare_protocols(
                    {m: self._protocol_of[m] for m in self.markets.merchants[code]}
                )
        self.payments = SimulatedPayments(processor, self.clock)
        self.graph = build_checkout_graph()
        # Who walks it: LangGraph, or the fast path where nothing needs LangGraph (.engine.name).
        self.engine = GraphEngine(self.graph, chosen_engine(engine, self.graph, self.policy))
        self._serving = ""
        self._arrived, self._all_arrived = 0, False
        self._shopper_of: dict[str, Shopper] = {}  # a running session's shopper, by label
        for merchant in merchants.values():
            merchant.checkout.order_sinks.append(self._order_placed)
            merchant.checkout.deposit_sinks.append(self._deposit_paid)
            merchant.checkout.forfeit_sinks.append(self._deposit_forfeited)
            # Orders go to the ledger; the merchant need not remember them all in memory.
            merchant.checkout.order_limit = merchant.orders.limit = ORDERS_KEPT

    def _order_placed(self, order: PlacedOrder) -> None:
        draw = self._channel_of.get(self._serving) or self._deposit_channel_of.get(self._serving)
        # Only an order paid in the chat went over the agent's protocol; one on the merchant's
        # own site (a channel's site or link-out checkout, a later click-out purchase) did not.
        on_site = order.checkout_session_id in self._clicked_at or (
            draw is not None and draw.channel.checkout != "in_chat"
        )
        protocol = None if on_site else self._protocol_of[order.merchant_id]
        if draw is None:
            channel = None
            lines = self.pricer.price(
                order, clicked_at=self._clicked_at.pop(order.checkout_session_id, None)
            )
        else:
            channel = draw.channel.name
            lines = self._price_for(order, draw.channel, self._link_clicked_at.get(self._serving))
        self.metrics.order_placed(order, lines, self.env.now, channel=channel, protocol=protocol)
        if self.by_currency:
            self.by_currency[order.currency].order_placed(
                order, lines, self.env.now, channel, protocol=protocol
            )
        if self.ledger is not None:
            self.ledger.record(
                order, lines, session_id=self._serving, channel=channel, protocol=protocol
            )
        if self.cohorts is not None:
            self.cohorts.ordered(int(self._serving[1:]), order, lines)
        returned = bool(self.returns.rate) and (
            self.streams.stream("returns", order.id).random() < self.returns.rate
        )
        self.welfare.bought(self._serving, order, kept=not returned)
        if self.wrong_prices is not None and self._serving:
            self.wrong_prices.ordered(int(self._serving[1:]), order.total_amount)
        if returned:
            self._returned(order, lines, channel)

    def serving(self, label: str) -> None:
        """Say which session the merchant calls that follow belong to (their orders' session)."""
        self._serving = label

    def _deposit_paid(self, deposit: PresaleDeposit) -> None:
        """A session paid a presale deposit: the ledger holds it, and the shopper's final
        payment (or not, as the presale's probability draws) is scheduled in its window."""
        label = self._serving
        for metrics in self._metrics_of(int(label[1:])):
            metrics.deposit_paid(deposit)
        if self.ledger is not None:
            self.ledger.record_deposit(deposit, session_id=label)
        if label in self._channel_of:
            self._deposit_channel_of[label] = self._channel_of[label]
        rng = self.streams.stream("presale", label)
        pays = rng.random() < deposit.presale.completes
        shopper = self._shopper_of[label]
        self.env.process(final_payment(self, deposit, label, shopper, pays))

    def _deposit_forfeited(self, forfeited: DepositForfeited) -> None:
        label = self._serving
        for metrics in self._metrics_of(int(label[1:])):
            metrics.deposit_forfeited(forfeited)
        if self.ledger is not None:
            self.ledger.record_forfeit(forfeited, session_id=label)

    def _price_for(self, order: PlacedOrder, channel: Channel, clicked_at: datetime | None) -> list:
        """An order's fees as its channel has them: the AI platform's models price in-chat
        sales, only attributed purchases after a link out, nothing of the merchant's own
        traffic; the merchant platform's models price every sale, and the channel's own
        (an affiliate's commission) every sale of the channel."""
        merchant = order.merchant_id
        context = self.pricer.context
        models = self.pricer.models_for(merchant) if channel.ai_fees == "order" else None
        lines = price_order(order, list(models or self._own_models[merchant]), context)
        if channel.ai_fees == "attributed" and clicked_at is not None:
            lines += price_attributed(order, clicked_at, self._ai_models[merchant], context)
        lines += price_order(order, self._channel_models(channel.name), context)
        context.record(order)
        return lines

    def _channel_models(self, channel: str | None) -> list[FeeModel]:
        """The fee models a channel adds to its orders (none without channels)."""
        if channel is None or self.channels is None:
            return []
        return self.channels.fee_models.get(channel, [])

    def _returned(self, order: PlacedOrder, lines: list, channel: str | None = None) -> None:
        """The buyer sends it back: a full refund, booked ``after_days`` later, each fee line
        reversed by its model's rule (the simulation does not wait for it)."""
        models = [*self.pricer.models_for(order.merchant_id), *self._channel_models(channel)]
        reversals = refund_lines(order, lines, order.total_amount, models)
        tax_back = refund_tax(order, order.total_amount)
        self.metrics.refunded(order, reversals, tax_back, channel)
        if self.cohorts is not None:
            self.cohorts.refunded(int(self._serving[1:]), reversals)
        if self.by_currency:
            self.by_currency[order.currency].refunded(order, reversals, tax_back, channel)
        if self.ledger is not None:
            self.ledger.record_refund(
                order,
                order.total_amount,
                reversals,
                order.placed_at + timedelta(days=self.returns.after_days),
                "returned",
            )

    def trace(self, index: int) -> SessionTrace:
        """Record session ``index``'s merchant calls (call before :meth:`run`)."""
        self.traces[index] = SessionTrace(f"s{index:07d}", self.clock)
        return self.traces[index]

    def _session(self, index: int):
        merchants, payments = self.connectors, self.payments
        trace = self.traces.get(index)
        if trace is not None:
            merchants = {k: traced(v, trace, k) for k, v in merchants.items()}
            payments = traced(payments, trace, SimulatedPayments.server_id)
        policy = self.policy.for_session() if hasattr(self.policy, "for_session") else self.policy
        label = f"s{index:07d}"
        draw = self.channels.draw(index) if self.channels is not None else None
        if draw is not None and draw.leaves:
            self.welfare.started(label, index, None)  # nothing searched, shown or gained
            self.welfare.ended(label)
            self._left_without_searching(draw, trace, index)
            return
        if self.markets is not None:  # only the merchants of the session's currency market
            shown = set(self.markets.merchants[self.markets.currency_of(index)])
            merchants = {k: v for k, v in merchants.items() if k in shown}
        shopper = self.shopper(index) if draw is None else draw.shopper()
        if draw is not None:
            self._channel_of[label] = draw
        self._shopper_of[label] = shopper  # for a final payment, if it pays a deposit
        if hasattr(shopper, "arrived_at"):
            shopper.arrived_at = self.clock()
        price_error = self._price_error(index, shopper)
        context = AgentContext(
            merchants=merchants,
            payments=payments,
            shopper=shopper,
            policy=policy,
            clock=self.clock,
            sleep=virtual_sleep,
            jitter=self.streams.draws("backoff", index),
            handoff=self.monetization.mode if draw is None else "in_chat",
            search_limit=self.search_limit,
            price_error=price_error,
        )
        self.welfare.started(label, index, shopper)
        on_decided = None
        if draw is not None and draw.channel.checkout == "link_out":

            def on_decided() -> None:  # the shopper follows the link here
                self._link_clicked_at.setdefault(label, self.clock())

        def served(call: MerchantCall) -> None:
            self._serving = label
            if self.call_log is not None:
                self.call_log.append((self.env.now, call.server, call.endpoint, index))

        stages: set[str] = set()  # kept even if the walk fails part-way
        record = yield from drive_session(
            self.env,
            index,
            lambda: self._walk(context, stages, label, on_decided, trace),
            self.servers,
            self.streams.resumable("latency", index),  # parked while the session waits
            served=served,
        )
        state = record.state or {}
        if self.wrong_prices is not None:
            self.wrong_prices.ended(index, state, "shown" in stages)
        channel = draw.channel.name if draw is not None else None
        self._channel_of.pop(label, None)
        self._shopper_of.pop(label, None)
        for metrics in self._metrics_of(index):
            metrics.session_ended(
                record.outcome,
                record.ended - record.started,
                record.calls,
                now=self.env.now,
                state=state,
                stages=stages,
                channel=channel,
                intent=draw.intent.name if draw is not None else None,
            )
        usage = getattr(policy, "usage", None)
        steps = state.get("steps", 0)
        cost = usage.cost_micros if usage is not None else steps * self.cost_per_step_micros
        if draw is not None:  # an assistant's turns cost inference; a web page's do not
            steps = steps + draw.intent.chat_turns if draw.channel.assistant else 0
            if not draw.channel.assistant:
                cost = 0
            elif usage is None:
                cost = steps * self.cost_per_step_micros
            else:  # a chat model's calls are metered; the intent's other turns are assumed
                cost = usage.cost_micros + draw.intent.chat_turns * self.cost_per_step_micros
        self._inference(index, steps, cost, channel)
        choice = state.get("choice")
        link_clicked_at = self._link_clicked_at.pop(label, None)
        if choice is not None and (
            choice.cpc > 0 or record.outcome == "clicked_out" or link_clicked_at is not None
        ):
            self._clicked(choice, index, at=link_clicked_at, channel=channel)
        delay = None
        if record.outcome == "clicked_out":
            delay = converts(
                self.streams.stream("click_out", index),
                self.monetization.click_out_conversion,
                self.monetization.click_out_delay_minutes,
            )
            if delay is not None:
                self.env.process(self._buy_on_site(choice, shopper, delay, index))
        welfare = self.welfare.ended(label, still_buying=delay is not None)
        if trace is not None:
            extra = {} if channel is None else {"channel": channel, "intent": draw.intent.name}
            if price_error is not None:
                extra["price_error"] = {"bps": price_error.bps, "direction": price_error.direction}
            trace.end(state, steps=steps, inference_micros=cost, **welfare.trace_fields(), **extra)
        if self.records is not None:
            self.records.append(record)
        if self.session_log is not None:
            self.session_log.append(
                (label, channel, draw.intent.name if draw is not None else None, record.outcome)
                + (record.started, record.ended, record.calls, steps, cost)
            )
        if self.on_session_end is not None:
            self.on_session_end(self.metrics.sessions)

    def _price_error(self, index: int, shopper: Shopper) -> PriceError | None:
        """Session ``index``'s wrong stated price, if it draws one (None in a shadow run, which
        still marks the session); the shopper then compares stated and real prices."""
        if self.price_errors is None:
            return None
        if hasattr(shopper, "price_tolerance_bps"):
            shopper.price_tolerance_bps = self.price_errors.spec.tolerance_bps
        error = self.price_errors.draw(index)
        if error is None:
            return None
        self.wrong_prices.erring.add(index)
        return None if self.price_errors.shadow else error

    def _metrics_of(self, index: int) -> list[RunMetrics]:
        """The run's metrics, and those of session ``index``'s currency in a mixed run."""
        if self.markets is None:
            return [self.metrics]
        return [self.metrics, self.by_currency[self.markets.currency_of(index)]]

    def _inference(self, index: int, steps: int, cost: int, channel: str | None) -> None:
        """Session ``index`` ended, having cost ``steps`` turns of inference (``cost`` µUSD)."""
        for metrics in self._metrics_of(index):
            metrics.inference(steps, cost, channel)
        if self.cohorts is not None:
            self.cohorts.session_inference(index, steps, cost)

    def _left_without_searching(
        self, draw: SessionChannel, trace: SessionTrace | None, index: int
    ) -> None:
        """A session whose shopper only talked (or read) and left: no merchant was asked, but
        an assistant's turns still cost inference."""
        channel = draw.channel.name
        turns = draw.intent.chat_turns if draw.channel.assistant else 0
        for metrics in self._metrics_of(index):
            metrics.session_ended(
                "left_without_searching",
                0.0,
                0,
                now=self.env.now,
                channel=channel,
                intent=draw.intent.name,
            )
        self._inference(index, turns, turns * self.cost_per_step_micros, channel)
        if trace is not None:
            trace.end(
                {"outcome": "left_without_searching", "detail": draw.intent.name},
                steps=turns,
                inference_micros=turns * self.cost_per_step_micros,
                channel=channel,
            )
        if self.session_log is not None:
            now, cost = self.env.now, turns * self.cost_per_step_micros
            label = f"s{index:07d}"
            row = (label, channel, draw.intent.name, "left_without_searching", now, now, 0)
            self.session_log.append(row + (turns, cost))
        if self.on_session_end is not None:
            self.on_session_end(self.metrics.sessions)

    def _walk(
        self,
        context: AgentContext,
        stages: set[str],
        label: str,
        on_decided: Callable[[], None] | None = None,
        trace: SessionTrace | None = None,
    ) -> dict:
        """Run the graph to its end, counting steps (each one an inference turn for an LLM),
        adding to ``stages`` each funnel stage as the session passes through it (calling
        ``on_decided`` when it decides), and telling the welfare recorder what session
        ``label`` was shown."""
        walk, steps = self.engine.walk(context), 0
        for node, update in walk:
            steps += 1
            stage = stage_reached(node, update)
            if stage is not None:
                stages.add(stage)
                if stage == "decided" and on_decided is not None:
                    on_decided()
            if stage == "shown":
                self.welfare.shown(label, update["recommendations"])
                if trace is not None:
                    trace.shown(update["recommendations"])
        state = walk.state
        return {**state, "steps": steps}

    def _clicked(
        self,
        choice: Recommendation,
        index: int,
        *,
        at: datetime | None = None,
        channel: str | None = None,
    ) -> None:
        """A shopper picked a paid placement or followed a link out: the sponsor owes the
        click, bought or not."""
        merchant = self.merchants[choice.offer.seller_id]
        click = Click(
            merchant_id=merchant.id,
            platform=merchant.profile.platform,
            currency=choice.offer.currency,
            product_category=choice.offer.category,
            at=at or self.clock(),
        )
        lines = click_fee_lines(choice) + self.pricer.price_click(click)
        self.metrics.clicked(lines, merchant.id, channel)
        if self.cohorts is not None:
            self.cohorts.clicked(index, lines)
        if self.by_currency:
            self.by_currency[click.currency].clicked(lines, merchant.id, channel)
        if self.ledger is not None:
            self.ledger.record_click(click, lines, session_id=f"s{index:07d}", channel=channel)

    def _buy_on_site(self, choice: Recommendation, shopper: Shopper, delay: float, index: int):
        clicked = self.clock()
        yield self.env.timeout(delay)
        self._serving = f"s{index:07d}"  # the order belongs to the session that clicked

        sessions: list[str] = []

        def remember(session_id: str) -> None:
            sessions.append(session_id)
            self._clicked_at[session_id] = clicked

        buy_direct(
            self.merchants[choice.offer.seller_id],
            self.processor,
            shopper,
            choice.offer.id,
            self.clock(),
            before_complete=remember,
        )
        for session_id in sessions:  # priced already if it completed; forget it if not
            self._clicked_at.pop(session_id, None)
        self.welfare.closed(f"s{index:07d}")

    def _arrivals(self):
        for index, gap in enumerate(self.arrival_gaps):
            yield self.env.timeout(gap)
            self.metrics.arrived(self.env.now)
            self._arrived += 1
            self.env.process(self._session(index))
        self._all_arrived = True

    def _stock_out(self, fault: StockOut):
        yield self.env.timeout(fault.at_minute * 60)
        catalog = self.merchants[fault.merchant].catalog
        rng = self.streams.stream("stock_out", fault.merchant, fault.at_minute)
        for product in catalog:
            if rng.random() < fault.share:
                product.stock = 0

    def _restock(self, merchant: Merchant):
        """Deliveries every ``restock_every_minutes``, for as long as shoppers are coming."""
        every = merchant.profile.restock_every_minutes * 60
        while not (self._all_arrived and self.metrics.sessions == self._arrived):
            yield self.env.timeout(every)
            merchant.catalog.restock()

    def run(self) -> RunMetrics:
        self.env.process(self._arrivals())
        for merchant in self.merchants.values():
            if merchant.profile.restock_every_minutes:
                self.env.process(self._restock(merchant))
        for fault in self.faults.stock_outs:
            self.env.process(self._stock_out(fault))
        self.env.run()
        return self.metrics

    def oversold_units(self) -> int:
        return sum(m.catalog.oversold_units() for m in self.merchants.values())
