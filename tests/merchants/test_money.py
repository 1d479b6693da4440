import pytest

from merchants.money import apply_bps, divide_half_even, format_money, to_minor


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5, 10, 0),
        (15, 10, 2),
        (25, 10, 2),
        (35, 10, 4),
        (14, 10, 1),
        (16, 10, 2),
        (-5, 10, 0),
        (-15, 10, -2),
        (-16, 10, -2),
        (0, 7, 0),
    ],
)
def test_divide_half_even(numerator, denominator, expected):
    assert divide_half_even(numerator, denominator) == expected


def test_apply_bps_rounds_once_half_even():
    assert apply_bps(1250, 400) == 50  # exactly 50.00
    assert apply_bps(12_345, 290) == 358  # 358.005 -> 358 (even)
    assert apply_bps(12_355, 290) == 358  # 358.295 -> 358
    assert apply_bps(12_362, 290) == 358  # 358.498 -> 358
    assert apply_bps(12_363, 290) == 359  # 358.527 -> 359
    assert apply_bps(250, 200) == 5  # 5.00
    assert apply_bps(25, 200) == 0  # 0.5 -> 0 (even)
    assert apply_bps(75, 200) == 2  # 1.5 -> 2 (even)


def test_format_and_parse():
    assert format_money(123_456, "usd") == "$1,234.56"
    assert format_money(-5, "usd") == "-$0.05"
    assert format_money(1500, "jpy") == "¥1,500"
    assert to_minor("12.34") == 1234
    assert to_minor("0.5") == 50
    with pytest.raises(ValueError):
        to_minor("1.234")
