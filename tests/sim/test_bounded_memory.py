"""Flat memory: what a run keeps stays bounded however many sessions it has, and bounding it
changes no number (benchmarks/memory.py measures the memory itself)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import duckdb
import pytest

import agent_checkout.sim.run as run_module
from agent_checkout.ledger.schema import TABLES
from agent_checkout.ledger.store import Ledger
from agent_checkout.sim.run import build_simulation, run_scenario, write_json
from agent_checkout.sim.scenario import load_scenario
from agent_checkout.sim.simulation import ORDERS_KEPT
from agent_checkout.sim.streams import RandomStreams, ResumableStream
from merchants.errors import ProtocolError
from merchants.orders import OrderLine, PlacedOrder


def _shopping(sessions: int, rate_per_minute: float | None = None):
    """The quickstart with every session shopping (no traffic channels): orders keep coming."""
    scenario = load_scenario("quickstart").model_copy(update={"channels": None})
    update: dict = {"sessions": sessions, "duration_minutes": None}
    if rate_per_minute is not None:
        update["rate_per_minute"] = rate_per_minute
    return scenario.model_copy(update={"arrivals": scenario.arrivals.model_copy(update=update)})


def _tables(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t.name: sorted(con.execute(f"SELECT * FROM {t.name}").fetchall()) for t in TABLES}


def test_merchants_keep_only_their_newest_orders():
    simulation = build_simulation(_shopping(1_500), 7)
    metrics = simulation.run()
    assert metrics.orders_by_merchant == {"northwind": 198, "juniper": 127}
    for merchant in simulation.merchants.values():
        assert len(merchant.orders) == ORDERS_KEPT == 100
        placed = metrics.orders_by_merchant[merchant.id]
        oldest_kept = f"ord_{merchant.id}_{placed - 99:07d}"
        assert merchant.order(oldest_kept).order.id == oldest_kept
        with pytest.raises(ProtocolError, match="404 not_found"):  # in the ledger only
            merchant.order(f"ord_{merchant.id}_{placed - 100:07d}")


def test_ledger_buffer_stays_under_its_batch_and_the_batch_changes_nothing(tmp_path, monkeypatch):
    default = run_scenario(_shopping(400), out=tmp_path / "default").summary
    ledgers: list[Ledger] = []
    buffered: list[int] = []

    def small_batches(path):
        ledgers.append(Ledger(path, batch_size=25))
        return ledgers[-1]

    monkeypatch.setattr(run_module, "Ledger", small_batches)
    result = run_scenario(
        _shopping(400),
        out=tmp_path / "small",
        progress=lambda _done: buffered.append(ledgers[0].buffered()),
    )
    assert result.summary == default
    assert default["orders"] == 89
    assert len(buffered) == 400 and max(buffered) < 25  # flushed at 25 rows, every time
    assert _tables(tmp_path / "small" / "ledger.duckdb") == _tables(
        tmp_path / "default" / "ledger.duckdb"
    )


def test_refunds_written_are_answered_by_the_file(tmp_path):
    placed = datetime(2026, 11, 11, tzinfo=UTC)
    order = PlacedOrder(
        id="ord_1",
        checkout_session_id="cs_1",
        merchant_id="northwind",
        platform="shopify",
        currency="usd",
        lines=(OrderLine("p1", "Mug", "home", 1, 1_000, 1_000, 80),),
        items_amount=1_000,
        discount_amount=0,
        shipping_amount=0,
        tax_amount=80,
        total_amount=1_080,
        placed_at=placed,
    )
    with Ledger(tmp_path / "ledger.duckdb") as ledger:
        ledger.record(order, [])
        assert ledger.record_refund(order, 300, [], placed) == "ord_1-r1"
        ledger.flush()
        assert ledger._refunded == {}  # forgotten once written
        assert ledger.refunded("ord_1") == 300
        assert ledger.record_refund(order, 780, [], placed) == "ord_1-r2"
        with pytest.raises(ValueError):
            ledger.record_refund(order, 1, [], placed)


def test_a_parked_stream_resumes_where_it_stood():
    streams = RandomStreams(7, live_streams=1)
    expected = [streams.stream("latency", i) for i in range(3)]
    resumed = [streams.resumable("latency", i) for i in range(3)]
    pick = random.Random(3)
    for _ in range(300):
        i = pick.randrange(3)
        a, b = expected[i], resumed[i]
        match pick.randrange(8):
            case 0:
                assert a.random() == b.random()
            case 1:
                assert a.gauss(0, 1) == b.gauss(0, 1)  # its second half waits, parked or not
            case 2:
                assert a.lognormvariate(0.1, 0.3) == b.lognormvariate(0.1, 0.3)
            case 3:
                assert a.choice("abcdefg") == b.choice("abcdefg")
            case 4:
                assert a.getrandbits(70) == b.getrandbits(70)
            case 5:
                assert a.choices("abc", [1, 2, 3]) == b.choices("abc", [1, 2, 3])
                assert a.choices("abc", k=4) == b.choices("abc", k=4)
            case 6:
                assert a.expovariate(0.5) == b.expovariate(0.5)
            case _:  # past a twist of the generator's 624-word block
                assert a.getrandbits(32 * 700) == b.getrandbits(32 * 700)
        assert [s.live for s in resumed].count(True) == 1  # only the last one used


def test_sessions_in_flight_park_their_streams_with_the_same_results(monkeypatch):
    burst = _shopping(300, rate_per_minute=1_000_000)  # all 300 wait on merchants at once
    everyone_live = run_scenario(burst).summary
    pools, parked = [], []
    park = ResumableStream.park

    def two_live(seed):
        pools.append(RandomStreams(seed, live_streams=2))
        return pools[-1]

    def counted_park(stream):
        parked.append(stream.seed)
        park(stream)

    monkeypatch.setattr(run_module, "RandomStreams", two_live)
    monkeypatch.setattr(ResumableStream, "park", counted_park)
    summary = run_scenario(burst).summary
    assert summary == everyone_live
    assert max(row["in_flight_max"] for row in summary["timeseries"]["rows"]) == 300
    assert summary["orders"] == 64
    assert len(parked) == 1_402 and len(set(parked)) == 600  # every session's two streams
    assert len(pools[0]._pool) == 0  # the run over, no stream is held


def test_shoppers_of_one_identity_share_address_and_cards():
    simulation = build_simulation(_shopping(10), 7)
    population = [simulation.shopper(i) for i in range(2_000)]
    objects: dict[str, set[int]] = {}
    for shopper in population:
        for value in (shopper.address, *shopper.cards):
            objects.setdefault(value.model_dump_json(), set()).add(id(value))
    assert all(len(ids) == 1 for ids in objects.values())  # equal values: one object
    assert len(objects) < len(population)  # identities repeat: 512 per locale
    assert len({id(s.buyer) for s in population}) == 2_000  # each with an email of its own


def test_summary_is_written_streamed_with_the_same_bytes(tmp_path):
    data = {"b": [{"y": 1.5, "x": None}] * 3, "a": {"é": "ü", "n": 7}}
    write_json(tmp_path / "summary.json", data)
    expected = json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert (tmp_path / "summary.json").read_text() == expected
    assert not (tmp_path / "summary.json.partial").exists()
