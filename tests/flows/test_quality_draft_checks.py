"""The draft checks, each with passing and failing drafts in Russian, Kazakh and English."""

from __future__ import annotations

import pytest

from flows.quality.draft_checks import (
    check_details,
    check_empty,
    check_language,
    check_repetition,
    draft_reasons,
)

SOURCE = {
    "ru": (
        "Здравствуйте! 17 ноября 2026 года с карты *2473 списали 207 670,00 ₸ дважды. "
        "Заявка REQ-2026-367272. Ответ пришлите на kairat@example.kz. С уважением, "
        "[PERSON_1]. Тел. 8 708 111-07-99"
    ),
    "kk": (
        "Сәлеметсіз бе! KZ-74/2022-107 шарты бойынша несие бар. 02.12.2026 дейін 88 830 теңге "
        "мерзімінен бұрын өтегім келеді. Жауапты daniyar@mail.example поштасына жіберіңіз. "
        "Құрметпен, [PERSON_1]"
    ),
    "en": (
        "Good afternoon, I want to terminate account agreement CL-2023-61398 by December 5, "
        "2026. The balance is 1,500.50 USD. Reach me at +7 904 715-43-34 or "
        "akbota@example.com. Regards, [PERSON_1]"
    ),
}
FAITHFUL = {
    "ru": (
        "Здравствуйте, [PERSON_1]! Мы проверим двойное списание 207 670 ₸ от 17.11.2026 по "
        "заявке REQ-2026-367272 и ответим на kairat@example.kz."
    ),
    "kk": (
        "Сәлеметсіз бе, [PERSON_1]! KZ-74/2022-107 шарты бойынша 88 830 теңге мерзімінен бұрын "
        "өтеу туралы өтінішіңіз қабылданды, жауапты daniyar@mail.example поштасына жібереміз."
    ),
    "en": (
        "Dear [PERSON_1], thank you for your request to terminate agreement CL-2023-61398 by "
        "5 December 2026. We will reply to akbota@example.com about the balance of 1500.5 USD."
    ),
}


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_faithful_draft_passes_every_check(language: str) -> None:
    assert draft_reasons(FAITHFUL[language], source_text=SOURCE[language]) == []


# -- empty ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reply", ["", "   ", "\n\t "])
def test_an_empty_draft_is_flagged(reply: str) -> None:
    assert check_empty(reply) == "draft_empty"
    assert draft_reasons(reply, source_text=SOURCE["ru"]) == ["draft_empty"]


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_written_draft_is_not_empty(language: str) -> None:
    assert check_empty(FAITHFUL[language]) is None


# -- repetition ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "Спасибо за обращение. Мы проверим операцию. Спасибо за обращение!",
        "Өтінішіңіз қабылданды. Біз тексереміз. Өтінішіңіз қабылданды бізде.\nӨтінішіңіз "
        "қабылданды бізде.",
        "Thank you for your message. We will check it. Thank you for your message.",
    ],
)
def test_the_same_sentence_twice_is_repetition(reply: str) -> None:
    assert check_repetition(reply) == "draft_repetition:sentence"


@pytest.mark.parametrize(
    "reply",
    [
        "мы проверим вашу операцию и мы проверим вашу операцию и мы проверим вашу операцию и",
        "біз сіздің өтінішіңізді тексереміз біз сіздің өтінішіңізді тексереміз біз сіздің "
        "өтінішіңізді тексереміз біз сіздің",
        "we will check your request and we will check your request and we will check your",
    ],
)
def test_a_looping_draft_is_repetition(reply: str) -> None:
    assert check_repetition(reply) == "draft_repetition:ngram"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_an_ordinary_draft_is_not_repetition(language: str) -> None:
    assert check_repetition(FAITHFUL[language]) is None


# -- language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("customer", "reply", "reason"),
    [
        ("kk", FAITHFUL["ru"], "draft_wrong_language:ru!=kk"),
        ("ru", FAITHFUL["en"], "draft_wrong_language:en!=ru"),
        ("en", FAITHFUL["kk"], "draft_wrong_language:kk!=en"),
    ],
)
def test_a_draft_in_another_language_is_flagged(customer: str, reply: str, reason: str) -> None:
    assert check_language(reply, SOURCE[customer]) == reason


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_draft_in_the_customers_language_passes(language: str) -> None:
    assert check_language(FAITHFUL[language], SOURCE[language]) is None


def test_a_draft_in_either_language_of_a_mixed_message_passes() -> None:
    mixed = SOURCE["ru"] + "\nPlease check it as soon as possible, the charge is wrong."
    assert check_language(FAITHFUL["ru"], mixed) is None
    assert check_language(FAITHFUL["en"], mixed) is None
    assert check_language(FAITHFUL["kk"], mixed) == "draft_wrong_language:kk!=ru"


def test_a_draft_too_short_to_tell_falls_back_to_its_declared_language() -> None:
    assert check_language("Рақмет!", SOURCE["ru"], declared="kk") == "draft_wrong_language:kk!=ru"
    assert check_language("Рақмет!", SOURCE["kk"], declared="kk") is None
    assert check_language("OK", SOURCE["en"]) is None


# -- invented details ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "reply", "kind"),
    [
        ("ru", "Мы вернём деньги в течение 3 рабочих дней.", "number"),
        ("kk", "Жауапты 10 күн ішінде береміз.", "number"),
        ("en", "We will answer within 48 hours.", "number"),
        ("ru", "Мы вернём 150 000 ₸ на вашу карту.", "amount"),
        ("kk", "Сізге 88 830 USD қайтарылады.", "amount"),
        ("en", "We will refund 2,000 USD.", "amount"),
        ("ru", "Ответ будет готов к 25 ноября 2026 года.", "date"),
        ("kk", "Жауап 2026 жылғы 3 желтоқсан дайын болады.", "date"),
        ("en", "We will reply by 2026-12-07.", "date"),
        ("ru", "Напишите нам на help@bank.kz.", "email"),
        ("kk", "Хатты info@bank.kz поштасына жіберіңіз.", "email"),
        ("en", "Please write to support@bank.example.", "email"),
        ("ru", "Уважаемый [PERSON_2], спасибо.", "placeholder"),
        ("kk", "Құрметті [PERSON 1], рақмет.", "placeholder"),
        ("en", "Dear [person_1], thank you.", "placeholder"),
        ("ru", "С вами свяжется менеджер Иван Петров.", "name"),
        ("kk", "Сізге менеджер Ержан Касымов хабарласады.", "name"),
        ("en", "Your manager John Smith will call you.", "name"),
    ],
)
def test_a_detail_not_in_the_source_is_flagged(language: str, reply: str, kind: str) -> None:
    assert check_details(reply, SOURCE[language]) == f"draft_invented_detail:{kind}"


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("ru", "Списание 207670 тенге от 17 ноября проверим; звоним 8 708 111 07 99."),
        ("ru", "По заявке req-2026-367272 и карте *2473 ответ придёт на KAIRAT@example.kz."),
        ("kk", "02.12.2026 дейін 88 830 ₸ өтеу туралы KZ-74/2022-107 шарты бойынша жауап береміз."),
        ("kk", "Құрметті [PERSON_1], 2 желтоқсан 2026 дейін жауап береміз."),
        ("en", "Agreement CL-2023-61398, balance $1500.50, by 05.12.2026."),
        ("en", "We will call you at +7 904 715 43 34."),
    ],
)
def test_details_written_differently_but_present_in_the_source_pass(
    language: str, reply: str
) -> None:
    assert check_details(reply, SOURCE[language]) is None


def test_several_kinds_of_invented_details_are_listed_in_order() -> None:
    reply = "Write to x@bank.kz by 1 March 2027 about 77 USD, [CARD_9]."
    assert check_details(reply, SOURCE["en"]) == (
        "draft_invented_detail:placeholder+email+date+amount"
    )
