"""Language detection: ru / kk / en by letters and function words, shares for mixed text."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.quality.language import detect_language, language_profile
from sampledata import generate_records

RU = "Здравствуйте! Прошу вернуть деньги, списанные дважды. Жду ответа."
KK = "Сәлеметсіз бе! Менің картамнан ақша екі рет алынды. Ақшаны қайтаруыңызды сұраймын."
EN = "Good afternoon, my card was charged twice. Please refund the second payment."


@pytest.mark.parametrize(("text", "language"), [(RU, "ru"), (KK, "kk"), (EN, "en")])
def test_each_language_is_recognized(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_kazakh_without_kazakh_letters_is_recognized_by_its_function_words() -> None:
    assert detect_language("Бизге акт керек, бирак мен шарт бойынша жазамын және сураймын.") == "kk"


def test_a_russian_letter_signed_with_a_kazakh_name_stays_russian() -> None:
    text = RU + "\n\nС уважением,\nБайжанов Қайрат Асқарұлы"
    profile = language_profile(text)
    assert profile.primary == "ru"


def test_placeholders_and_emails_do_not_count_as_english() -> None:
    text = "Здравствуйте, [PERSON_1]! Ответ пришлите на [EMAIL_ADDRESS_1] или a.b@example.kz."
    assert detect_language(text) == "ru"


def test_a_mixed_message_accepts_both_of_its_languages() -> None:
    profile = language_profile(RU + "\n" + EN)
    assert profile.mixed
    assert profile.accepts("ru") and profile.accepts("en")
    assert not profile.accepts("kk")


def test_too_little_text_has_no_language() -> None:
    assert detect_language("Ок, 12345") is None
    assert language_profile("").languages == ()


def test_the_main_language_of_sample_emails_matches_their_labels() -> None:
    results: Counter[bool] = Counter()
    for record in generate_records(150, seed=21):
        language = record["labels"]["language"]
        if language != "mixed":
            results[detect_language(record["subject"] + "\n" + record["body"]) == language] += 1
    assert results[True] >= 0.97 * sum(results.values())
