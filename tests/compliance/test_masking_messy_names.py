"""Names as real mail writes them: ALL CAPS, look-alike letters from another script, OCR digits,
ID-card fields and machine-readable zones, single first names, lower case, shouting — and the
capitalised words that are not names (headings, products, companies, streets, cities).

Every name here is made up and in none of the masker's tables unless a test says so.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from compliance.masking import Masker
from compliance.masking.recognizers.name_rules import name_view


@pytest.fixture(scope="module")
def masker() -> Iterator[Masker]:
    loaded = Masker.load()
    yield loaded
    loaded.close()


def masked_values(masker: Masker, text: str, sender: str | None = None) -> set[str]:
    result = masker.mask({"body": text}, sender_name=sender)
    return {text[e.start : e.end] for e in result.entities if e.entity_type == "PERSON"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Добрый день!\nФИО: НҰРМАҒАМБЕТ АЙДОС ҚАЙРАТҰЛЫ\n", {"НҰРМАҒАМБЕТ АЙДОС ҚАЙРАТҰЛЫ"}),
        ("CARDHOLDER: ZHUMABAYEVA SHYNAR\nValid thru 09/28", {"ZHUMABAYEVA SHYNAR"}),
        ("I spoke with WETHERBY LACHLAN yesterday about it.", {"WETHERBY LACHLAN"}),
        ("ЖАҚСЫЛЫҚОВ ДАРХАН БЕКОВИЧ обратился в отделение.", {"ЖАҚСЫЛЫҚОВ ДАРХАН БЕКОВИЧ"}),
        ("Имя: ЕРМОЛАЙ\nФамилия: БЕССОНОВ\n", {"ЕРМОЛАЙ", "БЕССОНОВ"}),
        (
            "ТЕГІ / ФАМИЛИЯ: KETTERING\nАТЫ / ИМЯ: TOBIAS\nТУҒАН КҮНІ: 01.02.1990",
            {"KETTERING", "TOBIAS"},
        ),
    ],
)
def test_names_in_all_caps_are_masked(masker: Masker, text: str, names: set[str]) -> None:
    assert masked_values(masker, text) == names


def test_a_latin_letter_inside_a_cyrillic_name_does_not_hide_it(masker: Masker) -> None:
    # Latin Y for Ү (a Russian keyboard), Latin a and p from OCR.
    text = "Здравствуйте, меня зовут АЙГYЛ Сейтқалиева. Курьер Дaрхан Мapaтов не пришёл."
    result = masker.mask({"body": text})

    assert {text[e.start : e.end] for e in result.entities} == {
        "АЙГYЛ Сейтқалиева",
        "Дaрхан Мapaтов",
    }
    assert "АЙГYЛ Сейтқалиева" in result.mapping.values()  # the value as written


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Нотариус Абен0ва Р.Т., лицензия № 0001923", "Абен0ва Р.Т."),
        ("Tenant: WlLHELMlNA STRAND, passport", "WlLHELMlNA STRAND"),
        ("IDKAZ<<<<<<<<<<<<\nGARIFULLINA<<DINARA<<<<<<<<", "GARIFULLINA"),
    ],
)
def test_names_damaged_by_ocr_are_masked(masker: Masker, text: str, name: str) -> None:
    assert name in masked_values(masker, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Сәлем Ғалымжан,\nкарта бұғатталды.", "Ғалымжан"),
        ("Hi team,\nplease help.\nThanks,\nSanzhar", "Sanzhar"),
        ("Прошу вернуть деньги.\n\nСпасибо.\n—\nГордей\nНачальник смены", "Гордей"),
        ("Сәлмеетсіз бе, Толқын!\n\nҚателесіп ақша аудардым.", "Толқын"),
        ("Курьер Сырым звонил с чужого номера.", "Сырым"),
        ("> Уточните ваш ИИН.\n> Меруерт, АО «Пример Банк»", "Меруерт"),
        ("I spoke with a lady called Dilnaz at the pick-up point.", "Dilnaz"),
    ],
)
def test_single_first_names_are_masked_where_the_words_around_say_so(
    masker: Masker, text: str, name: str
) -> None:
    assert name in masked_values(masker, text)


def test_names_written_in_lower_case_are_masked(masker: Masker) -> None:
    text = "Мой менеджер Маржан Туякбаева сказала подождать, но спросите маржан ещё раз."
    assert masked_values(masker, text) == {"Маржан Туякбаева", "маржан"}
    assert (
        "ask meruert from your team"
        not in masker.mask({"b": "ask meruert from your team"}).parts["b"]
    )


def test_a_shouted_letter_keeps_its_words_and_loses_its_names(masker: Masker) -> None:
    text = "ЗДРАВСТВУЙТЕ МЕНЯ ЗОВУТ ДАРХАН ВЕРНИТЕ ДЕНЬГИ СРОЧНО ЭТО УЖЕ ТРЕТЬЕ ПИСЬМО"
    result = masker.mask({"body": text})
    assert result.parts["body"] == (
        "ЗДРАВСТВУЙТЕ МЕНЯ ЗОВУТ [PERSON_1] ВЕРНИТЕ ДЕНЬГИ СРОЧНО ЭТО УЖЕ ТРЕТЬЕ ПИСЬМО"
    )


@pytest.mark.parametrize(
    "text",
    [
        "ДОГОВОР БАНКОВСКОГО ОБСЛУЖИВАНИЯ № KZ-62/2025-641",
        "АКТ СВЕРКИ за ноябрь",
        "Купил Xiaomi Redmi Note 13 и Samsung Galaxy A54 в рассрочку.",
        "ОТ: Саябақ Банк <call-center@sayabak.example.kz>",
        "Оплатил в г. Сатпаев, потом в отделении на Абая.",
        "Мекенжайым: Абай даңғылы бойындағы бөлімше.",
        "Our office is in the Nurly Tau business centre.",
        "Request for deletion of my personal data",
        "Жалдау шарты жасалды, ай сайын 7 490 теңге қымбат.",
    ],
)
def test_headings_products_companies_and_places_are_not_names(masker: Masker, text: str) -> None:
    assert masked_values(masker, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "ФИО: НҰРМАҒАМБЕТ АЙДОС\nАЙГYЛ, Дaрхан, ТЕГ1, Абен0ва, WlLHELMlNA, Äbdiqadyrov, Möldir",
        "ЗДРАВСТВУЙТЕ МЕНЯ ЗОВУТ ДАРХАН ВЕРНИТЕ ДЕНЬГИ СРОЧНО\nİstanbul, ß, ﬁ, Ǆ",
        "",
    ],
)
def test_the_view_the_name_finders_read_keeps_every_offset(text: str) -> None:
    view = name_view(text)
    assert len(view) == len(text)
    assert [i for i, ch in enumerate(text) if ch.isspace()] == [
        i for i, ch in enumerate(view) if ch.isspace()
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Анамның нөмірі: +7 702 000 00 00 (Күлпаш апай).", "Күлпаш"),
        ("Шебер келгенде Ақерке деген қызыма хабарлассын.", "Ақерке"),
        ("My wife, Zarnigor, will come to the meeting.", "Zarnigor"),
        ("Балам: Нұрсұлтан, ЖСН 000000000000", "Нұрсұлтан"),
        ("Төлеуші: Қасымов Ғалым Әділ ұлы, тел.", "Қасымов Ғалым Әділ ұлы"),
        ("Заявитель: Алиев Рустам Ильхам оглы просит вернуть.", "Алиев Рустам Ильхам оглы"),
        ("From: Yusupov Jasur Bakhodir ugli, debtor", "Yusupov Jasur Bakhodir ugli"),
        ('The card shows another buyer ("Kenzhetayev D.") and a wrong IMEI.', "Kenzhetayev D."),
        ("A plumber, Mr. Abdikarimov, checked the meter.", "Mr. Abdikarimov"),
        ("Подпись: Ж. Қ. Сәрсенбеков", "Ж. Қ. Сәрсенбеков"),
    ],
)
def test_names_by_kin_honorifics_particles_and_initials(
    masker: Masker, text: str, name: str
) -> None:
    assert name in masked_values(masker, text)


def test_every_name_in_a_list_after_a_names_label_is_masked(masker: Masker) -> None:
    text = "Балаларымның аттары: Ерасыл, Әмина, Інкәр және Дәулет."
    assert {"Ерасыл", "Әмина", "Інкәр", "Дәулет"} <= masked_values(masker, text)


@pytest.mark.parametrize(
    "text",
    [
        "Директор, Air Astana",
        "Chief Accountant | Air Astana",
    ],
)
def test_a_role_before_a_company_and_a_place_called_so_are_not_people(
    masker: Masker, text: str
) -> None:
    assert masked_values(masker, text) == set()
