"""The fee model language: bad YAML is refused naming the field; the JSON Schema file is current."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from agent_checkout.fees import FeeLine, FeeModel, FeeModelError, load_fee_model
from agent_checkout.fees.library import BUILTIN_DIR
from agent_checkout.fees.schema import SCHEMA_PATH, fee_model_json_schema, schema_text


def model_with(**component) -> dict:
    return {
        "name": "bad",
        "title": "Bad",
        "source": "test",
        "components": [{"name": "fee", "payee": "ai_platform", **component}],
    }


def first_error(data: dict) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        FeeModel.model_validate(data)
    error = caught.value.errors()[0]
    return ".".join(str(p) for p in error["loc"]), error["msg"]


def test_unknown_key_is_named():
    where, message = first_error(model_with(rat_bps=400))
    assert where == "components.0.rat_bps" and "Extra inputs" in message


def test_negative_rate_is_named():
    where, message = first_error(model_with(rate_bps=-1))
    assert where == "components.0.rate_bps" and "greater than or equal to 0" in message


def test_minimum_above_maximum_names_both_fields():
    where, message = first_error(model_with(rate_bps=100, minimum=500, maximum=100))
    assert where == "components.0"
    assert "minimum (500) is above maximum (100)" in message


@pytest.mark.parametrize(
    ("component", "words"),
    [
        (
            {"rate_bps": 100, "tiers": {"bands": [{"at_least": 0, "rate_bps": 1}]}},
            "rate_bps and tiers",
        ),
        ({"tiers": {"bands": [{"at_least": 5, "rate_bps": 1}]}}, "first band must start at"),
        (
            {"tiers": {"bands": [{"at_least": 0, "rate_bps": 1}, {"at_least": 0, "rate_bps": 2}]}},
            "at_least must increase",
        ),
        (
            {
                "tiers": {
                    "by": "running_volume",
                    "mode": "marginal",
                    "bands": [{"at_least": 0, "rate_bps": 1}],
                }
            },
            "running_volume tiers are whole",
        ),
        (
            {"tiers": {"window_days": 30, "bands": [{"at_least": 0, "rate_bps": 1}]}},
            "only running_volume tiers have a window",
        ),
        ({"trigger": "purchase_attributed"}, "attribution_days"),
        ({"attribution_days": 30}, "attribution_days"),
        ({"trigger": "link_clicked", "rate_bps": 100}, "link_clicked component has no rate"),
        ({"categories": {"toys": {"rate_bps": 1}}, "base": "total"}, "base must be items"),
        (
            {"categories": {"toys": {"rate_bps": 1, "bands": [{"at_least": 0, "rate_bps": 1}]}}},
            "rate_bps and bands",
        ),
    ],
)
def test_inconsistent_components_are_refused(component, words):
    _, message = first_error(model_with(**component))
    assert words in message


def test_component_names_are_unique():
    data = model_with(rate_bps=1)
    data["components"].append(dict(data["components"][0]))
    assert "unique" in first_error(data)[1]


def test_bad_file_gives_one_line_naming_file_and_field(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(model_with(rate_bps=20_000)))
    with pytest.raises(FeeModelError) as caught:
        load_fee_model(str(path))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: components.0.rate_bps: ")
    path.write_text("name: [unclosed\n")
    with pytest.raises(FeeModelError, match=r"not valid YAML \(line 2\)"):
        load_fee_model(path)
    with pytest.raises(FileNotFoundError):
        load_fee_model(str(tmp_path / "missing.yaml"))
    with pytest.raises(KeyError, match="unknown fee model 'nope'"):
        load_fee_model("nope")


def test_a_users_file_loads(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(yaml.safe_dump(model_with(rate_bps=250)))
    assert load_fee_model(str(path)).components[0].rate_bps == 250


def test_schema_file_is_current():
    assert SCHEMA_PATH.read_text() == schema_text(), (
        'fee-model.schema.json is stale: run python -c "from agent_checkout.fees.schema '
        'import write_schema; write_schema()"'
    )


def test_builtin_files_satisfy_the_json_schema():
    schema = fee_model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        validator.validate(yaml.safe_load(path.read_text()))
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(model_with(rat_bps=1))
    assert json.loads(SCHEMA_PATH.read_text())["title"] == "FeeModel"


def test_fee_line_keeps_the_ledger_columns_in_order():
    assert [f.name for f in dataclasses.fields(FeeLine)] == [
        "model",
        "component",
        "payer",
        "payee",
        "base",
        "base_amount",
        "rate_bps",
        "fixed",
        "per_unit",
        "units",
        "amount",
        "currency",
    ]
