"""Catalog files: round trips, CSV attributes, and one exact line for each kind of bad row."""

from __future__ import annotations

import json

import pytest

from merchants.catalog import Catalog, CatalogSpec, Product
from merchants.catalog_files import CatalogFileError, load_catalog, write_catalog_json

HEADER = "id,title,category,price,stock"


def test_generate_write_load_round_trip(tmp_path):
    catalog = Catalog.generate(CatalogSpec(size=60, backorder_share=0.2), seed=3)
    path = tmp_path / "catalog.json"
    write_catalog_json(catalog, path)
    loaded = load_catalog(path)
    assert list(loaded) == list(catalog)
    assert loaded.currency == "usd"
    first = json.loads(path.read_text())[0]
    assert isinstance(first["price"], str) and "." in first["price"]  # editable, not a float
    assert not list(tmp_path.glob(".*.tmp"))


def test_round_trip_in_a_zero_decimal_currency(tmp_path):
    catalog = Catalog([Product("tea", "Matcha", "", "kitchen", "", 1500, 3, 4.5, 9)], "jpy")
    path = tmp_path / "jp.json"
    write_catalog_json(catalog, path)
    assert json.loads(path.read_text())[0]["price"] == "1500"
    assert list(load_catalog(path, currency="jpy")) == list(catalog)


def test_json_defaults_and_integer_minor_units(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            [
                {"id": "a", "title": "Mug", "category": "kitchen", "price": 1234, "stock": 2},
                {
                    "id": "b",
                    "title": "Ring",
                    "category": "jewelry",
                    "price": "$9",
                    "stock": 0,
                    "rating": 4,
                    "attributes": {"metal": "gold", "size": 7},
                    "allow_backorder": True,
                    "brand": None,
                },
            ]
        )
    )
    a, b = load_catalog(path)
    assert a == Product("a", "Mug", "", "kitchen", "", 1234, 2, 0.0, 0)
    assert (b.price, b.rating, b.attributes, b.allow_backorder, b.available) == (
        900,
        4.0,
        {"metal": "gold", "size": "7"},
        True,
        True,
    )


def test_csv_with_attributes_and_price_forms(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(
        "\ufeffid,title,description,category,brand,price,price_minor,stock,rating,review_count,"
        "attr_color,attr_size,allow_backorder\r\n"
        'tee,Cotton Tee,"Soft, ""heavy"" cotton",apparel,Acme,19.99,,10,4.5,12,navy,m,no\r\n'
        "\r\n"
        "cap,Wool Cap,,apparel,Acme,,1500,0,,,red,,YES\r\n"
    )
    tee, cap = load_catalog(path)
    assert tee == Product(
        "tee",
        "Cotton Tee",
        'Soft, "heavy" cotton',
        "apparel",
        "Acme",
        1999,
        10,
        4.5,
        12,
        {"color": "navy", "size": "m"},
        False,
    )
    assert cap == Product(
        "cap", "Wool Cap", "", "apparel", "Acme", 1500, 0, 0.0, 0, {"color": "red"}, True
    )


JSON_ROW = {"id": "a", "title": "Mug", "category": "kitchen", "price": "12.34", "stock": 1}


@pytest.mark.parametrize(
    ("change", "row", "message"),
    [
        ({"id": ""}, 2, "field id: missing value"),
        ({"id": "a b"}, 2, "field id: must not contain spaces: 'a b'"),
        ({"id": "a"}, 2, "field id: duplicate id 'a' (first at row 1)"),
        ({"title": 5}, 2, "field title: expected text, got an integer"),
        ({"category": None}, 2, "field category: missing value"),
        (
            {"price": 12.34},
            2,
            'field price: write money as a decimal string like "12.34" or an '
            "integer of minor units, not a number 12.34",
        ),
        ({"price": "12.345"}, 2, "field price: not an exact usd amount: '12.345'"),
        ({"price": "1,234.00"}, 2, "field price: not an exact usd amount: '1,234.00'"),
        ({"price": 0}, 2, "field price: must be positive, got 0"),
        ({"price": "-1.00"}, 2, "field price: must be positive, got -100"),
        ({"stock": -1}, 2, "field stock: must not be negative, got -1"),
        ({"stock": 1.5}, 2, "field stock: expected a whole number, got a number 1.5"),
        ({"stock": True}, 2, "field stock: expected a whole number, got a boolean True"),
        ({"rating": 7}, 2, "field rating: must be between 0 and 5, got 7"),
        ({"rating": "4"}, 2, "field rating: expected a number, got a string '4'"),
        ({"review_count": "3"}, 2, "field review_count: expected a whole number, got a string '3'"),
        ({"attributes": ["red"]}, 2, "field attributes: expected an object, got a list"),
        (
            {"attributes": {"color": None}},
            2,
            "field attributes.color: expected text or a number, got null",
        ),
        ({"allow_backorder": "yes"}, 2, "field allow_backorder: expected true or false, got 'yes'"),
        (
            {"stok": 3},
            2,
            "field stok: unknown field (known: id, title, description, category, "
            "brand, price, stock, rating, review_count, attributes, allow_backorder)",
        ),
    ],
)
def test_bad_json_rows(tmp_path, change, row, message):
    second = {**JSON_ROW, "id": "b", **change}
    path = tmp_path / "c.json"
    path.write_text(json.dumps([JSON_ROW, second]))
    with pytest.raises(CatalogFileError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: row {row}, {message}"
    assert "\n" not in str(caught.value)


def test_missing_required_json_field(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{k: v for k, v in JSON_ROW.items() if k != "stock"}]))
    with pytest.raises(CatalogFileError, match=r"c\.json: row 1, field stock: missing value$"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            "b,Bowl,kitchen,12,1",
            "row 3, field price: write the decimals (12.00) or use price_minor "
            "for minor units: '12' is ambiguous",
        ),
        ("b,Bowl,kitchen,twelve,1", "row 3, field price: not an exact usd amount: 'twelve'"),
        ("b,Bowl,kitchen,1.2.3,1", "row 3, field price: not an exact usd amount: '1.2.3'"),
        ("b,Bowl,kitchen,,1", "row 3, field price: missing value"),
        ("b,Bowl,kitchen,5.00,many", "row 3, field stock: expected a whole number, got 'many'"),
        ("b,,kitchen,5.00,1", "row 3, field title: missing value"),
        ("b,Bowl,kitchen,5.00", "row 3: 4 cells but the header has 5 columns"),
        ("a,Bowl,kitchen,5.00,1", "row 3, field id: duplicate id 'a' (first at row 2)"),
    ],
)
def test_bad_csv_rows(tmp_path, cells, message):
    path = tmp_path / "c.csv"
    path.write_text(f"{HEADER}\na,Mug,kitchen,12.34,1\n{cells}\n")
    with pytest.raises(CatalogFileError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,title,category,stock", "row 1, field price: missing column"),
        (
            "id,title,category,price,stock,colour",
            "row 1, field colour: unknown column (known: id, "
            "title, description, category, brand, price, stock, rating, review_count, "
            "allow_backorder, price_minor, attr_<name>)",
        ),
        ("id,title,category,price,stock,id", "row 1, field id: repeated column"),
    ],
)
def test_bad_csv_headers(tmp_path, header, message):
    path = tmp_path / "c.csv"
    path.write_text(f"{header}\n")
    with pytest.raises(CatalogFileError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: {message}"


def test_csv_price_minor_and_price_together(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,title,category,price,price_minor,stock\na,Mug,kitchen,1.00,100,1\n")
    with pytest.raises(CatalogFileError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: row 2, field price: give price or price_minor, not both"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "c.json",
            "[{",
            "not valid JSON (line 1, column 3: Expecting property name enclosed in double quotes)",
        ),
        ("c.json", '{"products": []}', "expected a JSON list of product objects, got an object"),
        ("c.json", '["mug"]', "row 1: expected an object, got a string"),
        ("c.json", "[]", "no products"),
        ("c.csv", "", "empty file, expected a header row"),
        ("c.csv", f"{HEADER}\n", "no products"),
        ("c.xlsx", "", "unsupported catalog format (use .json or .csv)"),
    ],
)
def test_bad_files(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CatalogFileError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: {message}"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(CatalogFileError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}: no such file"
    assert (caught.value.path, caught.value.row, caught.value.field) == (str(path), None, None)
