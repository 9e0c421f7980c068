import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.lib.taxid import (
    CIF_CONTROL_LETTERS,
    cif_control_digit,
    nif_letter,
    normalize_tax_id,
    tax_id_kind,
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("12345678Z", "NIF"),
        ("00000000T", "NIF"),
        ("X1234567L", "NIE"),
        ("Y1234567X", "NIE"),
        ("Z1234567R", "NIE"),
        ("B12345674", "CIF"),  # limited company: numeric control
        ("A58818501", "CIF"),
        ("Q2826000H", "CIF"),  # public body: letter control
        ("P0800000B", "CIF"),
        ("G12345674", "CIF"),  # association: digit or letter
        ("G1234567D", "CIF"),
        ("K1234567L", "NIF"),
    ],
)
def test_valid_spanish_tax_ids_are_recognised(value, kind):
    assert tax_id_kind(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        "12345678A",  # wrong NIF letter
        "X1234567T",  # wrong NIE letter
        "B12345675",  # wrong CIF digit
        "B1234567D",  # limited companies need a digit
        "Q28260008",  # public bodies need a letter
        "I12345674",  # I is not an organisation letter
        "1234",
        "",
    ],
)
def test_invalid_tax_ids_are_refused(value):
    assert tax_id_kind(value) is None


def test_normalize_strips_separators_and_country_prefix():
    assert normalize_tax_id(" b-12.345.674 ") == "B12345674"
    assert normalize_tax_id("ES B12345674") == "B12345674"


@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_number_has_exactly_one_valid_nif_letter(number):
    digits = f"{number:08d}"
    valid = [letter for letter in "ABCDEFGHJKLMNPQRSTVWXYZ" if tax_id_kind(digits + letter)]
    assert valid == [nif_letter(digits)]


@given(st.integers(min_value=0, max_value=9_999_999))
def test_cif_control_letter_and_digit_agree(number):
    digits = f"{number:07d}"
    control = cif_control_digit(digits)
    assert tax_id_kind(f"B{digits}{control}") == "CIF"
    assert tax_id_kind(f"Q{digits}{CIF_CONTROL_LETTERS[control]}") == "CIF"
    assert tax_id_kind(f"B{digits}{(control + 1) % 10}") is None
