"""CSV cells a spreadsheet would run as formulas are written as text."""

from decimal import Decimal

import pytest

from profiles.csvfile import csv_download, safe_cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+44 20 7946 0000", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'],
)
def test_text_starting_like_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Alice", "Alice"),
        ("", ""),
        (None, ""),
        (3, 3),
        (-2, -2),
        (Decimal("-1.50"), Decimal("-1.50")),
    ],
)
def test_plain_text_and_numbers_are_left_alone(value, expected):
    assert safe_cell(value) == expected


def test_the_download_is_an_attachment_with_every_cell_safe():
    response = csv_download("x.csv", ["=Name"], [["=cmd|' /C calc'!A0", -3]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode().splitlines() == ["'=Name", "'=cmd|' /C calc'!A0,-3"]
