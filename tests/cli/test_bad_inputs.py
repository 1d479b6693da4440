"""Every bad input gets one line on stderr naming the flag, field or file, exit code 2, and no
traceback; nothing an earlier run wrote is lost.

The table runs the CLI in process (typer's runner); a few cases go through a real process too,
to show that the installed entry point prints the same single line.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from tests.conftest import SMALL_SCENARIO

runner = CliRunner()

TEN = {**SMALL_SCENARIO, "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 10}}

#: A presale whose deposit no footwear of the catalog is dearer than.
PRESALE = {
    "id": "p",
    "category": "footwear",
    "deposit": 500000,
    "final_payment_starts_at": "2026-11-12T00:00:00Z",
    "final_payment_ends_at": "2026-11-13T00:00:00Z",
}

#: Scenario files the table names, written beside the good one (``{dir}/NAME.yaml``).
BAD_SCENARIOS = {
    "spaceships": {**TEN, "shoppers": {"categories": {"spaceships": 1}}},
    "units": {**TEN, "shoppers": {"units": {0: 1}}},
    "upper-currency": {**TEN, "currency": "EUR"},
    "loop-a": {**TEN, "extends": "loop-b.yaml"},
    "loop-b": {**TEN, "extends": "loop-a.yaml"},
    "euro-over-dollars": {**TEN, "currency": "eur"},
    "burst": {**TEN, "arrivals": {**TEN["arrivals"], "burst": 3}},
    "huge-seed": {**TEN, "seed": 10**23},
    "no-such-fee": {**TEN, "fees": {"ai_platform": ["four-percent"]}},
    "duration": {**TEN, "arrivals": {"rate_per_minute": 60, "duration_minutes": 0.2}},
    "unknown-currency": {**TEN, "currency": "XYZ"},
    "presale-deposit": {
        **TEN,
        "merchants": [{"profile": "northwind-outfitters", "presales": [PRESALE]}],
    },
    "presale-window": {
        **TEN,
        "merchants": [
            {
                "profile": "northwind-outfitters",
                "presales": [{**PRESALE, "deposit": 500, "final_payment_ends_at": "2026-11-11"}],
            }
        ],
    },
    "mixed": {**TEN, "merchants": ["northwind-outfitters", "tmall-like"], "currency": "USD"},
    "mixed-no-rate": {
        **TEN,
        "merchants": ["northwind-outfitters", "tmall-like"],
        "currency": "USD",
        "fx": {"EUR": "0.92"},
    },
    "two-channels": {**TEN, "channels": {"direct": 1, "email": 1}},
}


#: A fee model priced in euros: the vectorized engine leaves a usd run to the loop's refusal.
EURO_FEE = {
    "name": "euro-fee",
    "title": "50 euro cents an order (a test model)",
    "source": "none: a test model",
    "currency": "eur",
    "components": [{"name": "order_fee", "payee": "ai_platform", "fixed": 50}],
}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, str]:
    """A folder with a good scenario, the bad ones, a single and a replicated run, and files
    that are not ledgers; the placeholders of the table's arguments."""
    root = tmp_path_factory.mktemp("bad-inputs")
    (root / "good.yaml").write_text(yaml.safe_dump(TEN))
    for name, data in BAD_SCENARIOS.items():
        (root / f"{name}.yaml").write_text(yaml.safe_dump(data))
    (root / "broken.yaml").write_text("name: [unclosed\n")
    for args in (
        ["--out", str(root / "run")],
        ["--out", str(root / "reps"), "--replications", "2"],
    ):
        result = runner.invoke(app, ["run", str(root / "good.yaml"), *args])
        assert result.exit_code == 0, result.output
    (root / "notes.txt").write_text("not a ledger\n")
    (root / "euro-fee.yaml").write_text(yaml.safe_dump(EURO_FEE))
    (root / "empty.duckdb").write_bytes(b"")
    con = duckdb.connect(str(root / "other.duckdb"))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    (root / "empty-dir").mkdir()
    return {"dir": str(root), "run": str(root / "run"), "reps": str(root / "reps")}


@pytest.fixture
def busy_port():
    """A port something already listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def case(args: str, named: str, *, code: int = 2, stdout: bool = False, id: str):
    """``args`` (split on spaces after filling in placeholders; ``~`` stands for an empty
    argument), the text the error line must contain, and the exit code."""
    return pytest.param(args, named, code, stdout, id=id)


CASES = [
    # scenario files
    case(
        "run {dir}/spaceships.yaml",
        "shoppers.categories",
        id="unknown-shopper-category",
    ),
    case(
        "run {dir}/units.yaml",
        "shoppers.units: ",
        id="pydantic-value-error-prefix",
    ),
    case("run {dir}/upper-currency.yaml", "upper-currency.yaml:5: currency", id="currency-upper"),
    case(
        "run {dir}/euro-over-dollars.yaml",
        "currency",
        id="currency-not-the-merchants",
    ),
    case("run {dir}/burst.yaml", "arrivals.burst: unknown field", id="unknown-field"),
    case(
        "run {dir}/unknown-currency.yaml",
        "currency: unknown currency 'XYZ' (not an ISO 4217 code)",
        id="unknown-currency",
    ),
    case(
        "run {dir}/mixed-no-rate.yaml",
        "fx: no exchange rate for CNY to convert the run's totals (the table has EUR, USD)",
        id="fx-missing-a-currency-used",
    ),
    case(
        "compare {dir}/mixed.yaml --fee-models flat-per-order",
        "--fee-models: fee model flat-per-order is priced in USD, but merchant lanting sells in "
        "CNY; use a model with currency: CNY, or one of rates only",
        id="compare-a-mixed-run-on-a-dollar-model",
    ),
    case(
        "run {dir}/presale-deposit.yaml",
        "presale-deposit.yaml: merchants.0.presales.0.deposit: $5,000.00 is not below the price",
        id="presale-deposit-above-price",
    ),
    case(
        "run {dir}/presale-window.yaml",
        "presales.0.final_payment_ends_at: 2026-11-11T00:00:00+00:00 is not after "
        "final_payment_starts_at (2026-11-12T00:00:00+00:00)",
        id="presale-window-ends-before-it-starts",
    ),
    case("run {dir}/huge-seed.yaml", "huge-seed.yaml:12: seed", id="scenario-seed-too-big"),
    case(
        "run {dir}/loop-a.yaml",
        "loop-b.yaml:5: extends: loop-a.yaml makes a cycle (loop-a.yaml -> loop-b.yaml -> "
        "loop-a.yaml)",
        id="extends-cycle",
    ),
    case(
        "run {dir}/good.yaml --set arrivals.sessions",
        "--set arrivals.sessions: write path=value, e.g. arrivals.sessions=50",
        id="set-without-value",
    ),
    case(
        "run {dir}/good.yaml --set arrivals.sessions=-4",
        "good.yaml (--set): arrivals.sessions: Input should be greater than or equal to 1",
        id="set-out-of-range",
    ),
    case(
        "compare {dir}/good.yaml --fee-models flat-per-order --set agent.bogus=1",
        "good.yaml (--set): agent.bogus: unknown field",
        id="compare-set-unknown-field",
    ),
    case("schema bogus", "kind: 'bogus' is not one of 'scenario', 'fee-model'.", id="schema-kind"),
    case(
        "run {dir}/good.yaml --set merchants.5.id=x",
        "--set merchants.5.id: merchants is a list of 2; 5 is not one of its indices",
        id="set-past-a-list",
    ),
    case("run {dir}/no-such-fee.yaml", "fees: unknown fee model 'four-percent'", id="fee"),
    case("run {dir}/broken.yaml", "broken.yaml: not valid YAML (line 2)", id="bad-yaml"),
    case("run {dir}/missing.yaml", "missing.yaml: file not found", id="missing-file"),
    case("run no-such-builtin", "no-such-builtin: no such scenario", id="unknown-builtin"),
    case("run {dir}/missing[red].yaml", "missing[red].yaml: file not found", id="no-markup"),
    # run flags
    case("run {dir}/good.yaml --seed 99999999999999999999999", "--seed: ", id="seed-huge"),
    case("run {dir}/good.yaml --seed -1", "--seed: ", id="seed-negative"),
    case("run {dir}/good.yaml --seed abc", "--seed: ", id="seed-not-a-number"),
    case("run {dir}/good.yaml --replications 0", "--replications: ", id="replications-0"),
    case("run {dir}/good.yaml --workers 0", "--workers: ", id="workers-0"),
    case("run {dir}/good.yaml --backend spark", "--backend: 'spark' is not one of", id="backend"),
    case(
        "run {dir}/good.yaml --replications 2 --address 127.0.0.1:6379",
        "--address: a Ray cluster's address; give it with --backend ray",
        id="address-without-ray",
    ),
    case(
        "compare {dir}/good.yaml --fee-models flat-per-order --backend ray --address head",
        "--address head: give HOST:PORT (the head's, e.g. 10.0.0.5:6379) or ray://HOST:10001",
        id="address-without-port",
    ),
    case(
        "run {dir}/good.yaml --replications 2 --backend ray --address ray://127.0.0.1:1",
        "--address ray://127.0.0.1:1: no Ray cluster answers there (Connection refused)",
        id="address-nobody-answers",
    ),
    case(
        "run {dir}/good.yaml --backend ray",
        "--backend ray runs replications: give --replications 2 or more",
        id="ray-one-replication",
    ),
    case("run {dir}/good.yaml --trace 10", "--trace 10: small has sessions 0 to 9", id="trace"),
    case("run {dir}/good.yaml --trace -1", "--trace -1: ", id="trace-negative"),
    case(
        "run {dir}/duration.yaml --out {dir}/dur --trace 500",
        "--trace 500: the run had",
        stdout=True,
        id="trace-past-a-duration-run",
    ),
    case("run {dir}/good.yaml --replications 2 --trace 1", "--trace", id="trace-replications"),
    case("run {dir}/good.yaml --out {dir}/notes.txt", "notes.txt: exists and is not a", id="out"),
    case("run {dir}/good.yaml --out {dir}/a/b/c", "--out", id="out-two-missing-folders"),
    case("run", "Missing argument 'scenario'", id="run-no-scenario"),
    case("run {dir}/good.yaml --bogus", "No such option: --bogus", id="unknown-option"),
    case("nope", "No such command 'nope'", id="unknown-command"),
    # compare
    case(
        "compare {dir}/good.yaml --fee-models openai-instant-checkout,nope",
        "--fee-models: unknown fee model 'nope'",
        id="compare-second-model-unknown",
    ),
    case("compare {dir}/good.yaml --fee-models ,", "--fee-models", id="compare-no-models"),
    case(
        "compare {dir}/good.yaml --fee-models flat-per-order,flat-per-order",
        "--fee-models: 'flat-per-order' is named twice",
        id="compare-twice",
    ),
    case("compare {dir}/good.yaml --fee-models a --replications 0", "--replications", id="c-0"),
    case("compare {dir}/good.yaml --fee-models a --pass-through 2", "--pass-through", id="c-pt"),
    case(
        "compare {dir}/good.yaml --fee-models flat-per-order --out {dir}/x/y",
        "--out",
        id="compare-out",
    ),
    case("compare {dir}/good.yaml", "compare: name what differs: --vary", id="compare-nothing"),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=neutral --fee-models flat-per-order",
        "--vary and --fee-models: give one",
        id="compare-vary-and-fee-models",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.rankin=neutral,sponsored",
        "--vary agent.rankin=neutral: agent.rankin: unknown field",
        id="vary-unknown-field",
    ),
    case(
        "compare {dir}/good.yaml --vary nope.x=1",
        "--vary nope.x=1: nope: the scenario has no such field",
        id="vary-unknown-section",
    ),
    case(
        "compare {dir}/good.yaml --vary merchants.7.capacity=4",
        "--vary merchants.7.capacity=4: merchants.7: '7' is not an index (0 to 1)",
        id="vary-index",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=neutral,bogus",
        "--vary agent.ranking=bogus: agent.ranking.name: Input should be 'neutral'",
        id="vary-bad-value",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=neutral,sponsored",
        "--vary agent.ranking=sponsored: agent.ranking: ranking 'sponsored' has no sponsors: no "
        "merchant advertises; give advertisers: ",
        id="vary-sponsored-without-advertisers",
    ),
    case(
        "compare {dir}/good.yaml --vary shoppers.price_sensitivity=2,-1",
        "--vary shoppers.price_sensitivity=-1: shoppers.price_sensitivity: Input should be",
        id="vary-out-of-range",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking.params.bogus=1",
        "--vary agent.ranking.params.bogus=1: agent.ranking: ranking 'neutral': ",
        id="vary-ranking-params",
    ),
    case(
        "compare {dir}/good.yaml --vary fees.ai_platform=[flat-per-order],[nope]",
        "--vary fees.ai_platform=[nope]: fees: unknown fee model 'nope'",
        id="vary-fee-model",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=",
        "--vary agent.ranking: give at least one value after '='",
        id="vary-no-values",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking",
        "--vary 'agent.ranking': give PATH=VALUE,VALUE,...",
        id="vary-no-equals",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=neutral,,sponsored",
        "--vary agent.ranking=neutral,,sponsored: an empty value",
        id="vary-empty-value",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=neutral,neutral",
        "--vary agent.ranking: the value 'neutral' is named twice",
        id="vary-twice",
    ),
    case(
        "compare {dir}/good.yaml --vary agent.ranking=[unclosed",
        "--vary agent.ranking=[unclosed: not a YAML value",
        id="vary-not-yaml",
    ),
    case(
        "compare {dir}/good.yaml --vary seed=1,2",
        "--vary seed=1: seed: the root seed is common to every variant",
        id="vary-seed",
    ),
    # reprice
    case("reprice {run} --fee-models nope", "--fee-models: unknown fee model 'nope'", id="rp"),
    case("reprice {run} --fee-models flat-per-order,", "--fee-models", id="reprice-empty-entry"),
    case("reprice {run}", "Missing option '--fee-models'", id="reprice-no-models"),
    case(
        "reprice {run} --fee-models flat-per-order --engine fast",
        "--engine: 'fast' is not one of auto, per-order, vectorized",
        id="reprice-engine",
    ),
    case(
        "reprice {run} --fee-models {dir}/euro-fee.yaml --engine vectorized",
        "engine vectorized: fee model euro-fee does not price usd",
        id="reprice-engine-cannot",
    ),
    case("reprice {dir}/notes.txt --fee-models flat-per-order", "notes.txt: not a ledger", id="r"),
    case("reprice {dir}/gone --fee-models flat-per-order", "gone: no such file", id="rp-missing"),
    case(
        "reprice {reps} --fee-models flat-per-order --replication 2",
        "--replication 2: ",
        id="reprice-replication-out-of-range",
    ),
    # ledger
    case("ledger query {run} ~", "no SQL given", id="query-empty-sql"),
    case("ledger query {run} SELEC", "query failed: Parser Error", id="query-bad-sql"),
    case("ledger query {run} SELECT --format xml", "--format", id="query-format"),
    case("ledger verify {dir}/notes.txt", "notes.txt: not a ledger", id="verify-text-file"),
    case("ledger verify {dir}/empty.duckdb", "empty.duckdb: not a ledger", id="verify-empty"),
    case(
        "ledger query {dir}/other.duckdb SELECT",
        "other.duckdb: not a ledger (a DuckDB database without the orders and postings",
        id="query-another-database",
    ),
    case("ledger tables {dir}/empty-dir", "no ledger here", id="tables-no-ledger"),
    case("ledger verify {dir}/gone", "gone: no such file", id="verify-missing"),
    case(
        "ledger verify {run} --replication 1",
        "--replication 1: ",
        id="replication-of-single-run",
    ),
    case("ledger tables {reps} --replication 9", "--replication 9: ", id="replication-9"),
    case("ledger verify {reps} --replication -1", "--replication", id="replication-negative"),
    case("ledger export {run} --format xml", "--format: 'xml' is not one of", id="export-format"),
    case("ledger export {dir}/gone", "gone: no such file", id="export-missing"),
    case(
        "ledger export {run} --out {dir}/notes.txt",
        "--out {dir}/notes.txt: a file, not a folder",
        id="export-out-file",
    ),
    case("ledger export {reps} --replication 9", "--replication 9: ", id="export-replication"),
    # serve, calibrate, fees, chat
    case("serve {dir}/good.yaml --port {busy_port}", "--port {busy_port}: ", id="serve-port"),
    case("serve {dir}/good.yaml --port 0", "--port", id="serve-port-0"),
    case("serve no-such-builtin", "no-such-builtin: no such scenario", id="serve-scenario"),
    case("calibrate {dir}/good.yaml --sessions 5", "--sessions", id="calibrate-sessions"),
    case("calibrate {dir}/good.yaml --conversion 2", "--conversion", id="calibrate-conversion"),
    case("calibrate {dir}/good.yaml --seed -3", "--seed", id="calibrate-seed"),
    case("calibrate {dir}/missing.yaml", "missing.yaml: file not found", id="calibrate-file"),
    case("calibrate {dir}/good.yaml --seeds abc", "--seeds: 'abc'", id="calibrate-seeds"),
    case("calibrate {dir}/good.yaml --seeds 5-1", "--seeds: '5-1'", id="calibrate-seeds-down"),
    case(
        "calibrate {dir}/good.yaml --seeds 1-99999999999999",
        "--seeds: '1-99999999999999': give at most 100 seeds",
        id="calibrate-seeds-huge",
    ),
    case(
        "calibrate {dir}/good.yaml --channels",
        "--channels: small has no channels: section to fit",
        id="calibrate-channels-none",
    ),
    case(
        "calibrate {dir}/good.yaml --target direct=0.01",
        "--target: per-channel targets need --channels",
        id="calibrate-target-alone",
    ),
    case(
        "calibrate {dir}/two-channels.yaml --channels --conversion 0.02",
        "--conversion: with --channels, give per-channel targets with --target",
        id="calibrate-channels-conversion",
    ),
    case(
        "calibrate {dir}/two-channels.yaml --channels --target tv=0.01",
        "--target: 'tv' is not a channel (known: paid_social,",
        id="calibrate-target-channel",
    ),
    case(
        "calibrate {dir}/two-channels.yaml --channels --target direct",
        "--target: 'direct' is not channel=conversion, e.g. ai_link_out=0.012",
        id="calibrate-target-pair",
    ),
    case(
        "calibrate {dir}/two-channels.yaml --channels --target direct=lots",
        "--target: 'direct=lots': 'lots' is not a number",
        id="calibrate-target-number",
    ),
    case(
        "calibrate {dir}/two-channels.yaml --channels --target direct=1.5",
        "--target: 'direct=1.5': a target conversion is above 0 and below 1",
        id="calibrate-target-range",
    ),
    case(
        "calibrate {dir}/two-channels.yaml --channels --target affiliate=0.02",
        "--target: affiliate is not one of small's channels",
        id="calibrate-target-absent",
    ),
    case("fees show nope", "unknown fee model 'nope'", id="fees-show-unknown"),
    case("fees show {dir}/missing.yaml", "missing.yaml", id="fees-show-missing-file"),
    case("chat {dir}/missing.yaml", "missing.yaml: file not found", id="chat-file"),
    case("report {dir}/nowhere", "nowhere: not a directory", id="report-missing-dir"),
    case(
        "report {dir}/empty-dir",
        "empty-dir: no summary.json or comparison.json to report on",
        id="report-empty-dir",
    ),
    case(
        "report {run} --scenario nope", "--scenario: nope: no such scenario", id="report-scenario"
    ),
]


def fill(text: str, world: dict[str, str], port: int | None) -> str:
    return text.format(**world, busy_port=port)


@pytest.mark.parametrize(("args", "named", "code", "stdout"), CASES)
def test_bad_input_is_one_line(world, request, monkeypatch, args, named, code, stdout):
    monkeypatch.chdir(world["dir"])  # a refused run that did run would write runs/latest here
    port = request.getfixturevalue("busy_port") if "{busy_port}" in args else None
    argv = ["" if a == "~" else fill(a, world, port) for a in args.split()]
    before = {p: p.stat().st_mtime_ns for p in Path(world["dir"]).rglob("*") if p.is_file()}
    result = runner.invoke(app, argv)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert fill(named, world, port) in lines[0]
    assert "Value error," not in lines[0]
    if not stdout:
        assert result.stdout == ""
    after = {p: p.stat().st_mtime_ns for p in Path(world["dir"]).rglob("*") if p.is_file()}
    assert {p: t for p, t in after.items() if p in before} == before  # nothing rewritten


def test_nothing_is_created_for_a_refused_run(world, tmp_path):
    for args in (["--seed", "99999999999999999999999"], ["--trace", "10"], ["--replications", "0"]):
        out = tmp_path / "never"
        result = runner.invoke(app, ["run", f"{world['dir']}/good.yaml", "--out", str(out), *args])
        assert result.exit_code == 2 and not out.exists(), args


def test_no_empty_trace_file(world):
    """A trace asked of a session a duration-bounded run never reached is refused after the
    run, which is written as usual; no empty trace file is left."""
    out = Path(world["dir"]) / "dur"
    runner.invoke(
        app, ["run", f"{world['dir']}/duration.yaml", "--out", str(out), "--trace", "500"]
    )
    assert sorted(p.name for p in out.iterdir()) == ["ledger.duckdb", "summary.json"]


def test_compare_checks_every_model_before_running_any(world, monkeypatch):
    ran = []
    monkeypatch.setattr("agent_checkout.sim.compare.run_variants", lambda *a, **k: ran.append(a))
    result = runner.invoke(
        app, ["compare", f"{world['dir']}/good.yaml", "--fee-models", "flat-per-order,nope"]
    )
    assert result.exit_code == 2 and ran == []


@pytest.mark.parametrize(
    "command",
    ["run {dir}/good.yaml --replications 2", "compare {dir}/good.yaml --fee-models flat-per-order"],
)
def test_a_missing_ray_is_named_with_its_extra(world, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "ray", None)  # what an install without the extra sees
    argv = [*fill(command, world, None).split(), "--backend", "ray", "--out", f"{world['dir']}/r"]
    result = runner.invoke(app, argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.strip() == (
        "error: --backend ray needs Ray: pip install 'agent-checkout[ray]'"
    )
    assert not Path(world["dir"], "r").exists()


def test_compare_checks_every_models_currency_before_running_any(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr("agent_checkout.sim.compare.run_variants", lambda *a, **k: ran.append(a))
    yuan = {
        **TEN,
        "merchants": [{"profile": "northwind-outfitters", "currency": "CNY", "fee_models": []}],
    }
    (tmp_path / "cny.yaml").write_text(yaml.safe_dump(yuan))
    result = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "cny.yaml"),
            "--fee-models",
            "openai-instant-checkout,flat-per-order",
        ],
    )
    assert (result.exit_code, ran) == (2, [])
    assert result.stderr.strip() == (
        "error: --fee-models: fee model flat-per-order is priced in USD, but merchant northwind "
        "sells in CNY; use a model with currency: CNY, or one of rates only"
    )


def test_an_earlier_run_survives_bad_input(world, tmp_path):
    out = Path(world["run"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for args in (
        [f"{world['dir']}/burst.yaml"],
        [f"{world['dir']}/good.yaml", "--seed", "-1"],
        [f"{world['dir']}/good.yaml", "--trace", "99"],
    ):
        assert runner.invoke(app, ["run", *args, "--out", str(out)]).exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["run", "{dir}/good.yaml", "--replications", "0"],
            "error: --replications: Input should be greater than or equal to 1\n",
        ),
        (
            ["run", "{dir}/good.yaml", "--seed", "99999999999999999999999", "--out", "{dir}/x"],
            "error: --seed: Input should be less than or equal to 9223372036854775807\n",
        ),
        (
            ["ledger", "query", "{dir}/notes.txt", "SELECT 1"],
            "error: {dir}/notes.txt: not a ledger (not a DuckDB database file)\n",
        ),
        (
            ["run", "{dir}/missing[red].yaml"],
            "error: {dir}/missing[red].yaml: file not found\n",
        ),
    ],
    ids=["usage-error", "seed", "not-a-ledger", "markup-kept"],
)
def test_the_real_entry_point_prints_one_line(world, args, expected):
    command = [sys.executable, "-m", "agent_checkout.cli", *(a.format(**world) for a in args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == expected.format(**world)
