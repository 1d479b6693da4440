"""The scenario language as JSON Schema, for editors and for checking YAML outside Python.

Generated from the pydantic :class:`~agent_checkout.sim.scenario.Scenario`, then amended where
a validator accepts more than the fields say: a bare number for a channel (its share) or an
advertiser (its bid), ``users`` standing in for ``arrivals``, and ``extends``, read before
validation (:mod:`agent_checkout.sim.scenario_source`), with which a file may leave any field to
its base. Cross-field rules (currencies, known merchant ids, fee models that load) stay with
``load_scenario``.
"""

from __future__ import annotations

from typing import Any

from agent_checkout.sim.scenario import Scenario

#: Models a before-validator lets be written as one number: (definition, the number's schema).
BARE_NUMBERS = {
    "ChannelSpec": {"type": "number", "minimum": 0, "description": "the channel's share"},
    "AdvertiserSpec": {"type": "integer", "minimum": 1, "description": "the bid per click"},
}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a scenario YAML file satisfies."""
    schema = Scenario.model_json_schema()
    definitions = schema.get("$defs", {})
    for name, bare in BARE_NUMBERS.items():
        if name in definitions:
            model = definitions[name]
            definitions[name] = {"title": model.get("title", name), "anyOf": [bare, model]}
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "A scenario file (relative to this one) or built-in name to start from: "
        "mappings merge key by key, other values (lists too) replace the base's.",
    }
    # A file that extends another may leave anything out; else users may stand in for arrivals.
    own = [field for field in schema.pop("required", []) if field != "arrivals"]
    arrivals = [{"required": ["arrivals"]}, {"required": ["users"]}]
    schema["anyOf"] = [{"required": ["extends"]}, {"required": own, "anyOf": arrivals}]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
