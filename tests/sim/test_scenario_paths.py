"""Files a scenario names resolve beside the scenario file, wherever the run starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ScenarioError, load_scenario

CSV = """id,title,description,category,brand,price,stock,rating,review_count,attr_color
mug-1,Blue Stoneware Mug,A mug.,kitchen,Acme,12.50,500,4.8,20,blue
mug-2,Grey Stoneware Mug,A mug.,kitchen,Acme,14.00,500,4.6,11,grey
"""
MODEL = """\
name: my-model
title: 5% of the sale plus 10 cents
source: a test
currency: USD
components:
  - {name: checkout_fee, payee: ai_platform, base: items_shipping, rate_bps: 500, fixed: 10}
"""
SCENARIO = """\
name: beside
seed: 5
merchants:
  - {profile: northwind-outfitters, catalog: {file: catalog.csv}, fee_models: []}
arrivals: {process: poisson, rate_per_minute: 120, sessions: 60}
shoppers: {categories: {kitchen: 1}, outside_utility: -2.0}
fees: {ai_platform: [fees/my-model.yaml]}
"""
PROFILE = """\
id: shop
name: A shop with its own files
platform: shopify
catalog: {file: mugs.csv}
shipping: [{id: standard, title: Standard, price: 500, min_days: 2, max_days: 5}]
fee_models: [../fees/my-model.yaml]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenario folder with its files, and a working directory somewhere else."""
    folder = tmp_path / "project"
    (folder / "fees").mkdir(parents=True)
    (folder / "fees" / "my-model.yaml").write_text(MODEL)
    (folder / "catalog.csv").write_text(CSV)
    (folder / "scenario.yaml").write_text(SCENARIO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def test_fee_model_and_catalog_resolve_beside_the_scenario(project):
    scenario = load_scenario(project / "scenario.yaml")
    assert scenario.fees.ai_platform == [str(project / "fees" / "my-model.yaml")]
    summary = run_scenario(scenario).summary
    assert summary["orders"] > 0 and summary["unhandled_errors"] == 0
    assert set(summary["fees_by_model"]) == {"my-model"}
    assert summary["orders_by_merchant"] == {"northwind": summary["orders"]}


def test_a_relative_scenario_path_works_too(project, monkeypatch):
    monkeypatch.chdir(project.parent)
    scenario = load_scenario(Path("project") / "scenario.yaml")
    assert scenario.merchant_profiles()[0].catalog.file == str(Path("project") / "catalog.csv")
    assert run_scenario(scenario).summary["unhandled_errors"] == 0


def test_profile_files_resolve_beside_the_profile(project):
    shops = project / "shops"
    shops.mkdir()
    (shops / "shop.yaml").write_text(PROFILE)
    (shops / "mugs.csv").write_text(CSV)
    (project / "scenario.yaml").write_text(
        SCENARIO.replace(
            "{profile: northwind-outfitters, catalog: {file: catalog.csv}, fee_models: []}",
            "shops/shop.yaml",
        ).replace("fees: {ai_platform: [fees/my-model.yaml]}", "fees: {ai_platform: []}")
    )
    scenario = load_scenario(project / "scenario.yaml")
    [profile] = scenario.merchant_profiles()
    assert profile.catalog.file == str(shops / "mugs.csv")
    assert profile.fee_models == [str(shops / ".." / "fees" / "my-model.yaml")]
    summary = run_scenario(scenario).summary
    assert summary["orders"] > 0 and set(summary["fees_by_model"]) == {"my-model"}


def test_built_in_names_and_absolute_paths_keep_working(project):
    absolute = project / "fees" / "my-model.yaml"
    (project / "scenario.yaml").write_text(
        SCENARIO.replace("fees/my-model.yaml", f"openai-instant-checkout, {absolute}")
    )
    scenario = load_scenario(project / "scenario.yaml")
    assert scenario.fees.ai_platform == ["openai-instant-checkout", str(absolute)]


def test_a_missing_file_is_named_where_it_was_looked_for(project):
    (project / "catalog.csv").unlink()
    with pytest.raises(ScenarioError) as raised:
        load_scenario(project / "scenario.yaml")
    assert str(raised.value).startswith(
        f"{project / 'scenario.yaml'}:4: merchants.0: {project / 'catalog.csv'}"
    )


def test_an_inline_profile_selling_only_a_catalog_file_runs(project):
    (project / "scenario.yaml").write_text(
        SCENARIO.replace(
            "{profile: northwind-outfitters, catalog: {file: catalog.csv}, fee_models: []}",
            "{id: mugs, name: Mugs, platform: shopify, catalog: {file: catalog.csv}, "
            "shipping: [{id: s, title: S, price: 500, min_days: 1, max_days: 3}]}",
        ).replace("shoppers: {categories: {kitchen: 1}, outside_utility: -2.0}", "")
    )
    summary = run_scenario(load_scenario(project / "scenario.yaml")).summary
    assert summary["sessions"] == 60 and summary["unhandled_errors"] == 0


def test_a_missing_fee_model_file_of_a_profile_names_the_merchant(project):
    (project / "scenario.yaml").write_text(
        SCENARIO.replace("fee_models: []", "fee_models: [fees/gone.yaml]")
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(project / "scenario.yaml")
    assert str(raised.value) == (
        f"{project / 'scenario.yaml'}:4: merchants.0.fee_models: fee model file "
        f"{project / 'fees' / 'gone.yaml'} does not exist"
    )
