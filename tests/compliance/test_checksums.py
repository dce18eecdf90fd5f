"""Check digits of Kazakh IIN/BIN, Luhn and IBAN, against hand-computed examples and properties."""

from __future__ import annotations

import random

import pytest

from compliance.checksums import (
    iban_check_digits,
    is_luhn_valid,
    is_valid_iban,
    is_valid_kz_bin,
    is_valid_kz_iin,
    kz_check_digit,
    luhn_check_digit,
)

# 9 0 0 1 0 1 3 0 0 0 1 x weights 1..11 = 9+4+6+21+11 = 51; 51 mod 11 = 7
VALID_IIN = "900101300017"
# 1 5 0 1 4 0 0 0 0 1 2 x weights 1..11 = 1+10+4+20+10+22 = 67; 67 mod 11 = 1
VALID_BIN = "150140000121"


def _other_digit(digit: str, rng: random.Random) -> str:
    return rng.choice([d for d in "0123456789" if d != digit])


def test_kz_check_digit_is_the_weighted_sum_mod_11() -> None:
    assert kz_check_digit(VALID_IIN[:11]) == 7


def test_kz_check_digit_uses_the_second_weights_when_the_first_pass_gives_10() -> None:
    # first pass: 8+16+12+5+12+28+50 = 131 = 11*11 + 10
    # second pass (3,4,5,6,7,8,9,10,11,1,2): 24+32+18+7+16+36+5 = 138 = 11*12 + 6
    assert kz_check_digit("88031240050") == 6


def test_kz_check_digit_is_none_when_both_passes_give_10() -> None:
    # first pass 131 + 2*11 = 153 = 11*13 + 10; second pass 138 + 2*2 = 142 = 11*12 + 10
    assert kz_check_digit("88031240052") is None


@pytest.mark.parametrize("bad", ["9001013000", "900101300017", "9001013000a", "٩٠٠١٠١٣٠٠٠١"])
def test_kz_check_digit_refuses_anything_but_eleven_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="11 digits"):
        kz_check_digit(bad)


def test_an_iin_with_a_real_birth_date_and_check_digit_is_valid() -> None:
    assert is_valid_kz_iin(VALID_IIN)


def test_an_iin_with_a_wrong_check_digit_is_invalid() -> None:
    assert not is_valid_kz_iin(VALID_IIN[:11] + "8")


def test_an_iin_with_an_impossible_birth_date_is_invalid_even_with_a_matching_check_digit() -> None:
    assert kz_check_digit("90130130001") == 7  # month 13
    assert not is_valid_kz_iin("901301300017")


def test_an_iin_born_on_29_february_of_a_non_leap_year_is_invalid() -> None:
    first11 = "0102293" + "0001"
    check = kz_check_digit(first11)
    assert check is not None
    assert not is_valid_kz_iin(first11 + str(check))


@pytest.mark.parametrize(
    ("number", "century_digit"), [("900101000018", "0"), ("900101700012", "7")]
)
def test_an_iin_with_a_century_digit_outside_1_to_6_is_invalid(
    number: str, century_digit: str
) -> None:
    assert number[6] == century_digit
    assert kz_check_digit(number[:11]) == int(number[11])
    assert not is_valid_kz_iin(number)


@pytest.mark.parametrize(
    "bad", ["", "90010130001", "9001013000170", "90010130001a", " 900101300017"]
)
def test_an_iin_must_be_exactly_twelve_digits(bad: str) -> None:
    assert not is_valid_kz_iin(bad)


def test_a_bin_with_registration_month_entity_type_and_check_digit_is_valid() -> None:
    assert is_valid_kz_bin(VALID_BIN)


def test_a_bin_with_month_13_is_invalid() -> None:
    assert kz_check_digit("15134000012") == 1
    assert not is_valid_kz_bin("151340000121")


def test_a_bin_whose_fifth_digit_is_not_4_5_or_6_is_invalid() -> None:
    assert kz_check_digit("15013000012") == 7
    assert not is_valid_kz_bin("150130000127")


def test_a_bin_with_a_wrong_check_digit_is_invalid() -> None:
    assert not is_valid_kz_bin(VALID_BIN[:11] + "2")


def test_every_iin_built_with_its_check_digit_validates_and_a_changed_check_digit_fails() -> None:
    rng = random.Random(1)
    for _ in range(500):
        first11 = f"{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first11 += rng.choice("3456") + "".join(rng.choice("0123456789") for _ in range(4))
        check = kz_check_digit(first11)
        if check is None:
            continue
        assert is_valid_kz_iin(first11 + str(check))
        assert not is_valid_kz_iin(first11 + _other_digit(str(check), rng))


def test_every_bin_built_with_its_check_digit_validates_and_a_changed_check_digit_fails() -> None:
    rng = random.Random(2)
    for _ in range(500):
        first11 = f"{rng.randint(0, 25):02d}{rng.randint(1, 12):02d}{rng.choice('456')}"
        first11 += "".join(rng.choice("0123456789") for _ in range(6))
        check = kz_check_digit(first11)
        if check is None:
            continue
        assert is_valid_kz_bin(first11 + str(check))
        assert not is_valid_kz_bin(first11 + _other_digit(str(check), rng))


def test_luhn_check_digit_matches_the_textbook_example() -> None:
    assert luhn_check_digit("7992739871") == 3
    assert is_luhn_valid("79927398713")


@pytest.mark.parametrize("card", ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111"])
def test_luhn_ignores_spaces_and_dashes(card: str) -> None:
    assert is_luhn_valid(card)


@pytest.mark.parametrize("bad", ["", "0", "4111 1111 1111 111x", "4111_1111_1111_1111"])
def test_luhn_rejects_empty_single_digit_and_non_digit_input(bad: str) -> None:
    assert not is_luhn_valid(bad)


def test_luhn_check_digit_refuses_non_digits() -> None:
    with pytest.raises(ValueError, match="digits"):
        luhn_check_digit("4111 1111")


def test_every_luhn_number_validates_and_any_single_changed_digit_fails() -> None:
    rng = random.Random(3)
    for _ in range(300):
        partial = "".join(rng.choice("0123456789") for _ in range(15))
        number = partial + str(luhn_check_digit(partial))
        assert is_luhn_valid(number)
        i = rng.randrange(16)
        flipped = number[:i] + _other_digit(number[i], rng) + number[i + 1 :]
        assert not is_luhn_valid(flipped)


def test_iban_check_digits_of_a_kazakh_iban() -> None:
    assert iban_check_digits("KZ", "125KZT5004100100") == "86"


@pytest.mark.parametrize(
    "iban", ["KZ86125KZT5004100100", "KZ86 125K ZT50 0410 0100", "GB82 WEST 1234 5698 7654 32"]
)
def test_known_good_ibans_are_valid_with_or_without_grouping(iban: str) -> None:
    assert is_valid_iban(iban)


def test_an_iban_with_wrong_check_digits_is_invalid() -> None:
    assert not is_valid_iban("KZ87125KZT5004100100")


def test_a_kazakh_iban_of_the_wrong_length_is_invalid_even_with_matching_check_digits() -> None:
    bban = "125KZT50041001001"
    assert not is_valid_iban("KZ" + iban_check_digits("KZ", bban) + bban)


def test_a_kazakh_iban_needs_a_numeric_bank_code() -> None:
    bban = "12AKZT5004100100"
    assert not is_valid_iban("KZ" + iban_check_digits("KZ", bban) + bban)


def test_iban_check_digits_refuses_a_country_that_is_not_two_letters() -> None:
    with pytest.raises(ValueError, match="country"):
        iban_check_digits("K1", "125KZT5004100100")


def test_every_kazakh_iban_validates_and_any_single_changed_character_fails() -> None:
    rng = random.Random(4)
    for _ in range(300):
        bban = f"{rng.randint(0, 999):03d}" + "".join(rng.choice("0123456789") for _ in range(13))
        iban = "KZ" + iban_check_digits("KZ", bban) + bban
        assert is_valid_iban(iban)
        i = rng.randrange(2, 20)
        assert not is_valid_iban(iban[:i] + _other_digit(iban[i], rng) + iban[i + 1 :])


# The hand-written Luhn and mod-97 that python-stdnum replaced, kept here as the reference the
# stdnum-backed functions must agree with on every input, valid or not.
def _reference_luhn_sum(digits: str, double_first: bool) -> int:
    total, double = 0, double_first
    for c in reversed(digits):
        d = int(c)
        if double:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        double = not double
    return total


def _reference_mod97(rearranged: str) -> int:
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


def _random_text(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def test_luhn_gives_the_answers_of_the_hand_written_check_it_replaced() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        digits = _random_text(rng, "0123456789", 2, 19)
        expected_digit = (10 - _reference_luhn_sum(digits, double_first=True) % 10) % 10
        assert luhn_check_digit(digits) == expected_digit
        expected_valid = _reference_luhn_sum(digits, double_first=False) % 10 == 0
        assert is_luhn_valid(digits) is expected_valid
        grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
        assert is_luhn_valid(grouped) is expected_valid


def test_iban_check_digits_give_the_answers_of_the_hand_written_mod_97_they_replaced() -> None:
    rng = random.Random(6)
    for _ in range(3000):
        country = _random_text(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2, 2)
        bban = _random_text(rng, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 11, 30)
        expected = f"{98 - _reference_mod97(bban + country + '00'):02d}"
        assert iban_check_digits(country, bban) == expected


def test_iban_validity_gives_the_answers_of_the_hand_written_mod_97_it_replaced() -> None:
    rng = random.Random(7)
    lengths = {"KZ": 20, "DE": 22, "GB": 22, "FR": 27, "NL": 18, "CH": 21, "RU": 33, "TR": 26}
    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    seen = {True: 0, False: 0}
    for _ in range(3000):
        country = rng.choice([*lengths, "XK"])  # XK: a country without a length of its own
        size = lengths.get(country, rng.randint(15, 34)) - 4
        bban = _random_text(rng, alnum, size, size)
        if country == "KZ":  # the Kazakh shape: a numeric bank code
            bban = _random_text(rng, "0123456789", 3, 3) + bban[3:]
        check = (
            iban_check_digits(country, bban) if rng.random() < 0.5 else f"{rng.randrange(100):02d}"
        )
        iban = country + check + bban
        expected = _reference_mod97(iban[4:] + iban[:4]) == 1
        assert is_valid_iban(iban) is expected
        assert is_valid_iban(" ".join(iban[i : i + 4] for i in range(0, len(iban), 4))) is expected
        seen[expected] += 1
    assert seen[True] > 1000 and seen[False] > 1000
