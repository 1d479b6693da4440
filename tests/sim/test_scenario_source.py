"""extends, --set overrides and file:line in errors (agent_checkout.sim.scenario_source)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_checkout.sim.scenario import ScenarioError, load_scenario
from agent_checkout.sim.scenario_source import SourceError, parse_overrides

REPO = Path(__file__).resolve().parents[2]
BASE = """\
name: base
merchants: [northwind-outfitters, juniper-handmade]
arrivals:
  process: poisson
  rate_per_minute: 60
  sessions: 20
shoppers:
  locales: {en_US: 1}
  price_sensitivity: 3.0
fees:
  ai_platform: [fee-models/cps.yaml]
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "fee-models").mkdir()
    cps = REPO / "scenarios" / "fee-models" / "cps-link-out-cn.yaml"
    (tmp_path / "base" / "fee-models" / "cps.yaml").write_text(cps.read_text())
    (tmp_path / "base" / "base.yaml").write_text(BASE)
    return tmp_path


def test_extends_merges_mappings_and_replaces_lists(files):
    child = files / "child.yaml"
    child.write_text(
        "extends: base/base.yaml\nname: child\nmerchants: [juniper-handmade]\n"
        "arrivals: {sessions: 7}\nshoppers: {locales: {de_DE: 1}}\n"
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.merchants == ["juniper-handmade"]  # the list replaced, not appended
    assert (scenario.arrivals.sessions, scenario.arrivals.rate_per_minute) == (7, 60)
    assert scenario.shoppers.price_sensitivity == 3.0  # kept from the base
    assert scenario.shoppers.locales == {"en_US": 1.0, "de_DE": 1.0}  # mappings merged
    # the base's fee model file is found beside the base, not beside the child
    assert scenario.fees.ai_platform == [str(files / "base" / "fee-models" / "cps.yaml")]


def test_extends_a_builtin_name(tmp_path):
    child = tmp_path / "small.yaml"
    child.write_text("extends: quickstart\nname: small\narrivals: {sessions: 12}\n")
    scenario = load_scenario(child)
    quickstart = load_scenario("quickstart")
    assert (scenario.name, scenario.arrivals.sessions) == ("small", 12)
    assert scenario.merchants == quickstart.merchants
    assert scenario.arrivals.rate_per_minute == quickstart.arrivals.rate_per_minute


def test_a_cycle_is_refused_in_one_line(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: c.yaml\n")
    (tmp_path / "c.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "a.yaml")
    assert str(raised.value) == (
        f"{tmp_path / 'c.yaml'}:1: extends: a.yaml makes a cycle "
        "(a.yaml -> b.yaml -> c.yaml -> a.yaml)"
    )


def test_extends_an_unknown_name(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\nextends: nowhere\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "a.yaml")
    assert str(raised.value).startswith(
        f"{tmp_path / 'a.yaml'}:2: extends: nowhere: no such scenario file or built-in scenario "
        "(built in: affiliate-links, "
    )


def test_errors_name_the_line_in_the_file_that_wrote_the_field(files):
    child = files / "child.yaml"
    child.write_text("extends: base/base.yaml\nname: child\n\nshoppers:\n  trust: 2\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(child)
    assert str(raised.value) == (
        f"{child}:5: shoppers.trust: Input should be less than or equal to 1"
    )
    # a bad field kept from the base is named in the base, at its line
    (files / "base" / "base.yaml").write_text(BASE.replace("3.0", "-1"))
    with pytest.raises(ScenarioError) as raised:
        load_scenario(child)
    assert str(raised.value) == (
        f"{files / 'base' / 'base.yaml'}:9: shoppers.price_sensitivity: "
        "Input should be greater than or equal to 0 (and 1 more)"  # the child's trust: 2
    )


def test_a_validator_key_and_a_list_item_get_their_own_lines(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nmerchants:\n  - northwind-outfitters\n  - no-such-profile\n"
        "arrivals: {process: poisson, rate_per_minute: 60, sessions: 20}\n"
        "shoppers:\n  categories:\n    apparel: 1\n    spaceships: 1\n"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(f"{path}:9: shoppers.categories.spaceships: unknown")
    path.write_text(path.read_text().replace("    spaceships: 1\n", ""))
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value).startswith(
        f"{path}:4: merchants.1: no merchant profile 'no-such-profile'"
    )


def test_overrides_apply_before_validation(files):
    base = files / "base" / "base.yaml"
    overrides = parse_overrides(
        [
            "arrivals.sessions=5",
            "merchants.1={profile: juniper-handmade, id: june}",
            "shoppers.locales={ja_JP: 2}",
            "seed=9",
        ]
    )
    assert overrides["arrivals.sessions"] == 5 and overrides["shoppers.locales"] == {"ja_JP": 2}
    scenario = load_scenario(base, overrides)
    assert (scenario.arrivals.sessions, scenario.seed) == (5, 9)
    assert [p.id for p in scenario.merchant_profiles()] == ["northwind", "june"]
    assert scenario.shoppers.locales == {"ja_JP": 2.0}  # a value replaces, --set never merges
    assert load_scenario(base).arrivals.sessions == 20  # the file itself is unchanged


def test_an_overridden_field_is_blamed_on_the_override(files):
    base = files / "base" / "base.yaml"
    with pytest.raises(ScenarioError) as raised:
        load_scenario(base, {"shoppers.trust": 5})
    assert str(raised.value) == (
        f"{base} (--set): shoppers.trust: Input should be less than or equal to 1"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(base, {"arrivals.sessions.deep": 5})
    assert (
        str(raised.value)
        == "--set arrivals.sessions.deep: arrivals.sessions is a value, not a mapping"
    )


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (
            ["arrivals.sessions"],
            "--set arrivals.sessions: write path=value, e.g. arrivals.sessions=50",
        ),
        (["=4"], "--set =4: write path=value, e.g. arrivals.sessions=50"),
        (["a.b=[1, 2"], "--set a.b: the value is not valid YAML"),
    ],
)
def test_bad_overrides(texts, message):
    with pytest.raises(SourceError) as raised:
        parse_overrides(texts)
    assert str(raised.value) == message
