"""Sweeps on Ray give the local backend's results: same seeds, same summaries, same order, the
same files in a run directory; a task that raises is retried, and one that keeps failing is
named in one line.

One local Ray instance serves the whole module (starting one costs seconds): two CPUs, no
dashboard, shut down at the end, so no Ray process outlives the module. ``--dist loadscope``
keeps the module on one xdist worker.
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path

import duckdb
import pytest
import ray
from typer.testing import CliRunner

import agent_checkout as ac
from agent_checkout.cli import app
from agent_checkout.sim.backends import LocalBackend, Replication, SweepError, run_replication
from agent_checkout.sim.compare import compare_models, variant
from agent_checkout.sim.ray_backend import RayBackend
from agent_checkout.sim.replications import replication_jobs, replication_seed, run_replicated
from agent_checkout.sim.scenario import Scenario
from tests.conftest import SMALL_SCENARIO

MODELS = ["openai-instant-checkout", "flat-per-order"]
SMALL = {**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 40}}


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray instance for the module; the sweeps below find it connected and use it."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    # The tasks below are defined in this test module, which Ray's workers cannot import.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    ray.shutdown()


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.model_validate(SMALL)


@pytest.fixture(scope="module")
def local(small) -> dict:
    """The 2 x 2 comparison on the local backend, serially: what every Ray run must give."""
    return compare_models(small, MODELS, seed=5, replications=2)


def test_a_two_by_two_sweep_on_ray_equals_the_local_backend(local_ray, small, local):
    heard: list[tuple[str, int]] = []
    on_ray = compare_models(
        small,
        MODELS,
        seed=5,
        replications=2,
        backend="ray",
        progress=lambda label, done: heard.append((label, done)),
    )
    assert on_ray == local
    assert on_ray["seeds"] == [5, replication_seed(5, 1)]
    assert sorted(heard) == [(m, n) for m in sorted(MODELS) for n in (1, 2)]
    # The variants differ, so equality above is not two empty comparisons.
    fees = [on_ray["figures"][m]["ai_platform_revenue"]["mean"] for m in MODELS]
    assert fees[0] != fees[1] and on_ray["demand_identical"] is True


def _rows(run: Path) -> list[tuple]:
    rows = []
    for r in (0, 1):
        with duckdb.connect(str(run / "replications" / str(r) / "ledger.duckdb")) as con:
            rows += con.sql("SELECT * FROM postings ORDER BY ALL").fetchall()
    return rows


def test_replications_on_ray_fill_the_run_directory_as_local_ones_do(local_ray, small, tmp_path):
    on_ray = run_replicated(small, seed=3, replications=2, backend="ray", out=tmp_path / "ray")
    local = run_replicated(small, seed=3, replications=2, out=tmp_path / "local")
    assert on_ray == local
    names = sorted(p.relative_to(tmp_path / "ray") for p in (tmp_path / "ray").rglob("*"))
    assert names == sorted(
        p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*")
    )
    for name in ("summary.json", "replications/0/summary.json", "replications/1/summary.json"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert _rows(tmp_path / "ray") == _rows(tmp_path / "local") != []


def flaky(attempts: Path, fail_times: int, job: Replication) -> dict:
    """Replication 1 of variant ``b`` raises on its first ``fail_times`` attempts (each leaves
    a file in ``attempts``); every other task runs as usual."""
    if (job.variant, job.index) == ("b", 1):
        tried = len(list(attempts.iterdir()))
        (attempts / str(tried)).touch()
        if tried < fail_times:
            raise RuntimeError(f"merchant catalog unreachable (attempt {tried + 1})")
    return run_replication(job)


def _jobs(small: Scenario) -> list[Replication]:
    return [
        job
        for label, model in zip("ab", MODELS, strict=True)
        for job in replication_jobs(variant(small, model), seed=7, replications=2, variant=label)
    ]


def test_a_task_that_raises_once_is_retried_and_the_sweep_completes(local_ray, small, tmp_path):
    jobs = _jobs(small)
    backend = RayBackend(max_retries=2, task=partial(flaky, tmp_path, 1))
    assert backend.run(jobs) == LocalBackend().run(jobs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0", "1"]  # failed once, then ran


def test_a_task_that_keeps_failing_is_named_in_one_line(local_ray, small, tmp_path):
    backend = RayBackend(max_retries=1, task=partial(flaky, tmp_path, 99))
    with pytest.raises(SweepError) as raised:
        backend.run(_jobs(small))
    seed = replication_seed(7, 1)
    assert str(raised.value) == (
        f"variant 'b', replication 1 (seed {seed}) failed after 2 attempts: "
        "RuntimeError: merchant catalog unreachable (attempt 2)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0", "1"]


def test_compare_on_the_command_line_runs_on_ray(local_ray, tmp_path, local):
    path = tmp_path / "small.yaml"
    path.write_text(json.dumps(SMALL))
    args = ["compare", str(path), "--fee-models", ",".join(MODELS), "--replications", "2"]
    result = CliRunner().invoke(
        app, [*args, "--seed", "5", "--backend", "ray", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    written = json.loads((tmp_path / "comparison.json").read_text())
    assert written == json.loads(json.dumps(local))
    said = " ".join(result.stdout.split())
    assert "demand (sessions, orders, buyer spend) identical across models" in said


def test_the_python_api_takes_the_backend(local_ray, small, local):
    on_ray = ac.compare(small, fee_models=MODELS, seed=5, replications=2, backend="ray")
    assert dict(on_ray.summary) == local
