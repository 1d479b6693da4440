"""``agent-checkout schema``: the printed JSON Schema is well-formed (jsonschema's meta-schema
check) and every built-in scenario and fee model file validates against it."""

from __future__ import annotations

import json
from datetime import date, datetime

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.fees.library import BUILTIN_DIR
from agent_checkout.sim.scenario import REPO_SCENARIOS, builtin_scenarios

runner = CliRunner()


def printed_schema(kind: str) -> jsonschema.Draft202012Validator:
    result = runner.invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_json(path) -> object:
    """The YAML file as a JSON document: timestamps become the ISO strings an editor sees."""

    def iso(value: object) -> str:
        if isinstance(value, datetime | date):
            return value.isoformat()
        raise TypeError(type(value))

    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=iso))


def problems(validator: jsonschema.Draft202012Validator, path) -> list[str]:
    found = validator.iter_errors(as_json(path))
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def test_every_builtin_scenario_validates_against_the_scenario_schema():
    validator = printed_schema("scenario")
    files = builtin_scenarios()
    assert len(files) == len(list(REPO_SCENARIOS.glob("*.yaml"))) >= 14
    for name, path in files.items():
        assert problems(validator, path) == [], name


def test_every_fee_model_file_validates_against_the_fee_model_schema():
    validator = printed_schema("fee-model")
    files = [*BUILTIN_DIR.glob("*.yaml"), *(REPO_SCENARIOS / "fee-models").glob("*.yaml")]
    assert len(files) >= 20
    for path in files:
        assert problems(validator, path) == [], path


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"name": "x", "merchants": ["a"], "arrivals": {"rate_per_minute": 1}, "bogus": 1}, ""),
        ({"name": "x", "merchants": ["a"]}, ""),  # neither arrivals nor users
        ({"extends": "quickstart", "channels": {"direct": -1}}, "channels"),
        ({"extends": "quickstart", "advertisers": {"northwind": 0}}, "advertisers.northwind"),
        ({"extends": "quickstart", "agent": {"policy": "oracle"}}, "agent.policy"),
    ],
    ids=["unknown field", "no arrivals", "negative share", "zero bid", "unknown policy"],
)
def test_the_scenario_schema_refuses_what_load_scenario_refuses(document, path):
    validator = printed_schema("scenario")
    errors = list(validator.iter_errors(document))
    assert errors and ".".join(map(str, errors[0].absolute_path)) == path


def test_a_derived_scenario_needs_no_other_field():
    assert list(printed_schema("scenario").iter_errors({"extends": "quickstart"})) == []
