"""The typed summary view: attribute and item access, nested, read-only, plain data back."""

from __future__ import annotations

import copy
import pickle

import pytest

from agent_checkout.api.summary import Funnel, RunSummary, Summary

DATA = {
    "orders": 3,
    "funnel": {"sessions": 10, "paid": 3},
    "companies": {"merchant:juniper": {"net": 1200}},
    "rows": [{"t": 0, "arrived": 2}, 5],
}


def test_keys_read_as_attributes_and_items_nested_too():
    summary = RunSummary(DATA)
    assert summary.orders == summary["orders"] == 3
    assert isinstance(summary.funnel, Funnel) and summary.funnel.paid == 3
    assert summary.companies["merchant:juniper"].net == 1200
    assert summary.rows[0].arrived == 2 and summary.rows[1] == 5
    assert isinstance(summary.rows[0], Summary)
    assert "orders" in dir(summary) and "merchant:juniper" not in dir(summary.companies)


def test_it_equals_its_dict_and_gives_a_copy_back():
    summary = RunSummary(DATA)
    assert summary == DATA and dict(summary)["orders"] == 3 and len(summary) == 4
    plain = summary.to_dict()
    plain["funnel"]["paid"] = 99
    assert DATA["funnel"]["paid"] == 3  # a deep copy: the run's own data is untouched
    assert copy.deepcopy(summary) == DATA and pickle.loads(pickle.dumps(summary)) == DATA


def test_it_is_read_only_and_names_a_missing_key():
    summary = RunSummary(DATA)
    with pytest.raises(AttributeError, match="a summary is read-only"):
        summary.orders = 4
    with pytest.raises(AttributeError, match="the summary has no 'gmv'"):
        summary.gmv  # noqa: B018
    with pytest.raises(KeyError):
        summary["gmv"]
