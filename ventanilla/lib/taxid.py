"""Spanish tax identifiers: NIF (DNI), NIE and CIF, with their check character.

Pure functions, no Django. `normalize_tax_id` cleans what people type ("b-12.345.674"),
`tax_id_kind` says which kind a normalised value is, or None when its check character is wrong.
"""

import re

NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
CIF_CONTROL_LETTERS = "JABCDEFGHI"
CIF_ORG_LETTERS = "ABCDEFGHJNPQRSUVW"
# Organisation letters whose control must be a letter / must be a digit.
CIF_LETTER_CONTROL = set("NPQRSW")
CIF_DIGIT_CONTROL = set("ABEH")

_NIF = re.compile(r"^(\d{8})([A-Z])$")
_NIE = re.compile(r"^([XYZ])(\d{7})([A-Z])$")
_KLM = re.compile(r"^([KLM])(\d{7})([A-Z])$")
_CIF = re.compile(r"^([A-Z])(\d{7})([0-9A-J])$")


def normalize_tax_id(value):
    cleaned = re.sub(r"[\s.\-/]", "", (value or "").upper())
    if cleaned.startswith("ES") and len(cleaned) == 11:
        cleaned = cleaned[2:]
    return cleaned


def nif_letter(number):
    return NIF_LETTERS[int(number) % 23]


def cif_control_digit(digits):
    even = sum(int(d) for d in digits[1::2])
    odd = sum(sum(divmod(int(d) * 2, 10)) for d in digits[0::2])
    return (10 - (even + odd) % 10) % 10


def _is_valid_cif(org_letter, digits, control):
    if org_letter not in CIF_ORG_LETTERS:
        return False
    digit = cif_control_digit(digits)
    as_letter = CIF_CONTROL_LETTERS[digit]
    if org_letter in CIF_LETTER_CONTROL:
        return control == as_letter
    if org_letter in CIF_DIGIT_CONTROL:
        return control == str(digit)
    return control in {str(digit), as_letter}


def tax_id_kind(value):
    """Return "NIF", "NIE" or "CIF" for a valid normalised identifier, else None."""
    if match := _NIF.match(value):
        return "NIF" if nif_letter(match[1]) == match[2] else None
    if match := _NIE.match(value):
        number = "XYZ".index(match[1]), match[2]
        return "NIE" if nif_letter(f"{number[0]}{number[1]}") == match[3] else None
    if match := _KLM.match(value):
        return "NIF" if nif_letter(match[2]) == match[3] else None
    if match := _CIF.match(value):
        return "CIF" if _is_valid_cif(*match.groups()) else None
    return None
