"""Street addresses in Kazakhstan in Russian, Kazakh and English; a city alone is not one.

Streets, villages and numbers here are made up: the finder must rely on the shape of an
address (street word, house, flat), not on a list of names.
"""

from __future__ import annotations

import pytest

from compliance.masking.recognizers.addresses import find_addresses


def addresses(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_addresses(text)]


@pytest.mark.parametrize(
    "address",
    [
        "г. Караганда, ул. Ерубаева, д. 35, кв. 7",
        "г. Алматы, пр. Назарбаева, д. 223",
        "Шымкент, ул. Байтурсынова 12-45",
        "г. Астана, мкр. Жетысу-3, д. 14, кв. 88",
        "Павлодар, ул. Кутузова, 5, оф. 3",
    ],
)
def test_russian_addresses_are_found_whole(address: str) -> None:
    assert addresses(f"Адрес доставки: {address}. Спасибо.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "Қарағанды қ., Бұқар жырау даңғылы, 12-үй",
        "Алматы қ., Төле би көшесі, 187-үй, 45-пәтер",
        "Ақтөбе қаласы, Әбілқайыр хан даңғылы, 3-үй",
        "Шұғыла ықшам ауданы, 7-үй, 10-пәтер",
    ],
)
def test_kazakh_addresses_are_found_whole(address: str) -> None:
    assert addresses(f"Мекенжайым: {address}.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "45 Kunayev St, apt 12, Almaty",
        "7 Turan Avenue, Astana",
        "Apt 3, 150 Abay Avenue",
        "19 Mangilik El Ave, office 401, Astana",
    ],
)
def test_english_addresses_are_found_whole(address: str) -> None:
    assert addresses(f"I live at {address}. Thanks.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "Temirtau, Zharkyn-3 microdistrict, bld 41/2, office 17",
        "Semey, Tursynbekov St 88/3, office 12",
        "Kostanay, Baimukhanov Street 65, apt. 12",
        "Aktobe, Kenzhebai Str. 9A, flat 4",
        "Atyrau, Azattyq prospect 5-2",
        "Taraz, mkr. Kokzhiek-4, h. 33, of. 4",
        "Aksu-5 md., building 12, suite 7",
        "Balkhash, Saryarka Avenue, house 14, app. 9",
        "Orken St 12, apt 5, Uralsk",
        "PAVLODAR, ZHAYAU MUSA AVE 150, APT 21",
        "Respublika Kazakhstan, Kokshetau, Akan Seri batyr str, 17",
        "Petropavl, Internatsionalnaya st., h. 55, ap. 12",
        "apartment 5, 12 Kerey Street, Zhezkazgan",
        "Ekibastuz, Vostochny 3 microdistrict, bld. 41/2, office No. 17",
    ],
)
def test_english_transliterations_are_found_whole(address: str) -> None:
    assert addresses(f"My address: {address}. Please send the card there.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "Қостанай қаласы, Сейфуллин көшесі 131, 58 пәтер",
        "Орал қаласы, Ықылас көшесі, 41/3-үй, 112-патер",
        "Түркістан қ., Тәуке хан даңғылы 15, 3 кеңсе",
        "Алатау ауданы, Көкжиек шағын ауданы, 24-үй, 9-пәтер",
        "Ақсай-5 ықшамаудан, 12 үй, 40 пәтер",
        "Семей қаласы, Абылайхан кошеси 77, 14 пэтер",
        "Алтынсарин даңгылы, 8-үй, 2-кеңсе",
        "Шымкент қ., Нұрсат ы/а, 5-үй",
        "Байтұрсынұлы к-сі 12",
        "Жаңаөзен қ., 7 ш/а, 120А үй, 116 пәтер",
        "ТҮРКІСТАН ҚАЛАСЫ, ЕСІМ ХАН ДАҢҒЫЛЫ 150, 12 ПӘТЕР",
    ],
)
def test_kazakh_forms_and_russian_keyboard_spellings_are_found_whole(address: str) -> None:
    assert addresses(f"Тұратын мекенжайым: {address}. Рахмет.") == [address]


def test_a_kazakh_house_with_a_slash_and_a_flat_is_an_address_without_a_street() -> None:
    assert addresses("мекенжай: 97/4-үй, 211-патер, курьер келсін") == ["97/4-үй, 211-патер"]


@pytest.mark.parametrize(
    "address",
    [
        "г. Жанаозен, мкр. 4, д. 17Б, кв. 63",
        "080000, г. Тараз, ул. Толстого, д. 41",
        "Республика Казахстан, 110000, г. Костанай, ул. Гоголя 15, кв. 3",
        "Алматинская обл., Карасайский р-н, с. Жибек, ул. Новостройка, д. 9",
        "пос. Байтерек, ул. Садовая 3",
        "село Ынтымак, ул. Степная, дом 7",
        "Бостандыкский район, мкр Орбита-2, д. 3, корп. 2, под. 1, эт. 4, кв. 37",
        "ул. Свободы, д. 6, стр. 2",
        "кв-л 12, д. 8",
        "ПОС. ЖАНАЖОЛ, ПЕР. 16 110, ОФИС 23",
        "Г. АКТОБЕ, УЛ. ЖАНКОЖА БАТЫРА, Д. 22, КВ. 5",
        "Актау, 27 мкр, 5 дом, 40 кв, 3 этаж",
        "г.Сатпаев, 3-мкр, дом 14 А, кв 9",
        'Атырау, ул. Курмангазы, 5 "А", кв. 12',
        "г. Кокшетау, ул. Сулейменова, д. 12, кв. 5, 020000",
        "5-й микрорайон, дом 12",
        "ул. им. Курмангазы 5, кв.12/1",
        "Астана, ул. Кенесары 5/2, ВП-12",
        "Сарыарка р-н, ул. Тимирязева 42, корпус 15б",
    ],
)
def test_russian_microdistrict_village_and_postcode_forms_are_found_whole(address: str) -> None:
    assert addresses(f"Адрес регистрации: {address}. Жду курьера.") == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Адрес: yл. Гагaрина, д. 12", "yл. Гагaрина, д. 12"),  # Latin y and a
        ("Адрес: ул.Гагарина 12, кв.5", "ул.Гагарина 12, кв.5"),
        ("Адрес:  ул.  Гагарина,  д.  12", "ул.  Гагарина,  д.  12"),
        (
            "Адрес: г. Сарань,\nул. Гагарина, д. 12,\nкв. 5",
            "г. Сарань,\nул. Гагарина, д. 12,\nкв. 5",
        ),
    ],
)
def test_ocr_noise_does_not_hide_an_address(text: str, address: str) -> None:
    assert addresses(text) == [address]


def test_a_city_in_no_list_before_the_street_joins_the_address() -> None:
    assert addresses("Адрес: Шиели, ул. Сыганак 14") == ["Шиели, ул. Сыганак 14"]


def test_a_city_in_no_list_after_the_words_by_the_address_joins_it() -> None:
    assert addresses("Приезжайте по адресу Шиели, ул. Сыганак 14") == ["Шиели, ул. Сыганак 14"]


@pytest.mark.parametrize(
    "address",
    ["Алматы, Жарокова 150-12", "г. Шымкент, Толе би 59, кв. 3", "Almaty, Dostyk 43, apt 5"],
)
def test_a_street_without_its_type_after_a_known_city_is_found_by_its_number(
    address: str,
) -> None:
    assert addresses(f"Адрес: {address}.") == [address]


def test_a_city_in_no_list_after_the_flat_joins_the_address() -> None:
    assert addresses("I live at 8 Koktem St, apt 3, Shieli.") == ["8 Koktem St, apt 3, Shieli"]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("I live at 150 Kerey Ave. Thanks", "150 Kerey Ave."),
        ("Адрес: Актау, 27 мкр, 5 дом, 40 кв.", "Актау, 27 мкр, 5 дом, 40 кв."),
        ("Адрес: ул. Лесная 4. Спасибо", "ул. Лесная 4"),
    ],
)
def test_an_abbreviation_keeps_its_full_stop_and_a_number_leaves_the_sentences(
    text: str, address: str
) -> None:
    assert addresses(text) == [address]


def test_a_postcode_and_a_city_in_no_list_before_the_street_join_the_address() -> None:
    text = "Адрес: 161200, Шиели, ул. Сыганак 14"
    assert addresses(text) == ["161200, Шиели, ул. Сыганак 14"]


def test_two_addresses_in_one_text_are_found_apart() -> None:
    text = "Старый адрес: ул. Лесная 4, кв. 2. Новый адрес: пр. Мира, д. 10."
    assert addresses(text) == ["ул. Лесная 4, кв. 2", "пр. Мира, д. 10"]


def test_a_home_next_to_a_branch_is_still_an_address() -> None:
    assert addresses("Я живу рядом с отделением, ул. Лесная 150, кв. 5") == [
        "ул. Лесная 150, кв. 5"
    ]
    assert addresses("Живу у филиала банка, ул. Лесная 150") == ["ул. Лесная 150"]


@pytest.mark.parametrize(
    "text",
    [
        "Отделение №5 на пр. Мира 150 закрыто.",
        "Our branch at 150 Lesnaya St was closed.",
        "Банкомат на ул. Лесная, д. 22 не выдал деньги.",
    ],
)
def test_the_address_of_a_bank_branch_or_atm_is_left_alone(text: str) -> None:
    assert addresses(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "г. Алматы, 24.11.2026",
        "Обращалась в отделение в Астане, но там не помогли.",
        "Our branch in Almaty was closed on Saturday.",
        "Алматы қ.            24.11.2026",
        "Сумма 150 000 тенге по договору № 12/2025-КР",
        "Отделение на Абая не работает в субботу.",
        "Был в отделении на Толе би, 150 человек в очереди.",
        "Филиал на ул. Жибек жолы закрыт.",
        "Договор № 45/2024 от 12.03.2024, заказ Order 150-12.",
        "Трек-номер RB123456785CN, посылка в пути.",
        "Купил iPhone 15 Pro за 650 000 тенге, чек № 4512.",
        "ТОО «Степной-2 Строй», г. Караганда",
        "Горячая линия 8 800 080 88 88 или 7111, Kaspi Bank.",
        "План на IV квартал 2026 утверждён.",
        "См. стр. 12, п. 3 договора.",
        "Please see clause 5, page 12 of the agreement.",
        "Kazakhstan, Almaty, 050000",
        "2 этаж, офис банка",
        "Meet me at St Regis, Almaty, 12 May.",
        "Квартира 40 кв. м, рядом ул. Лесная.",
        "Был в Астане, ЭКСПО 2017 понравилось.",
        "Алматы, 12 мая 2026 года",
    ],
)
def test_a_lookalike_is_not_an_address(text: str) -> None:
    assert addresses(text) == []


@pytest.mark.parametrize(
    "address",
    [
        "Жамбыл облысы, Мерке ауданы, Ақтоған ауылы, Жеңіс көшесі",
        "села Таскарасу, Талгарский район",
        "Солтүстік Қазақстан облысы, Қызылжар ауылы, Ақ жол көш., 14",
    ],
)
def test_a_village_with_its_district_or_street_is_an_address(address: str) -> None:
    assert addresses(f"Мекенжай: {address}. Рақмет.") == [address]


@pytest.mark.parametrize(
    "address",
    [
        "Астана, ЖК «Көктерек», ул. Жанибека Тархана, 11, блок В, кв. 507",
        "Алматы, пр. Сейфуллина 40, БЦ «Самғау», блок 2А, офис 318",
        "Orda Residence, 12 Turan Ave, office 7, Astana",
        "Almaty, Kolsay business centre, Zheltoksan St 81, block 3, office 212",
    ],
)
def test_a_residential_complex_or_business_centre_joins_the_address(address: str) -> None:
    assert addresses(f"Address: {address}. Thanks") == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Адрес: Шымкент, Нурсат-2, 44-17", "Шымкент, Нурсат-2, 44-17"),
        ("г. Семей, мкр. Восточный-2, д 8, кв 41", "г. Семей, мкр. Восточный-2, д 8, кв 41"),
        ("Адрес: ул. Кенесары, д. 12, подвал 3 подъезда", "ул. Кенесары, д. 12, подвал 3 подъезда"),
        ("по ул. Жибек жолы, мкр. Самал-1, Алматы", "ул. Жибек жолы, мкр. Самал-1, Алматы"),
        (
            "Мекенжай: ЕКІБАСТҰЗ Қ., ТОРАЙҒЫРОВ К-СІ, 31, 7 ПӘТ.",
            "ЕКІБАСТҰЗ Қ., ТОРАЙҒЫРОВ К-СІ, 31, 7 ПӘТ.",
        ),
        (
            "Мекенжай: Тараз қ., Ж.Жабаев к-сі, 14 үй, 3 пәт",
            "Тараз қ., Ж.Жабаев к-сі, 14 үй, 3 пәт",
        ),
        ("Адрес: г. Рудный, ул. 40 лет Победы, д. 9", "г. Рудный, ул. 40 лет Победы, д. 9"),
        (
            "Адрес: г. Тараз, р-н им. Толе би, ул. Сулейманова, д. 3",
            "г. Тараз, р-н им. Толе би, ул. Сулейманова, д. 3",
        ),
        ("Мекенжай: Шу қ., Береке ш/а, 21 ү", "Шу қ., Береке ш/а, 21 ү"),
    ],
)
def test_hurried_short_and_numbered_forms_are_found_whole(text: str, address: str) -> None:
    assert addresses(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Property: KAZAKHSTAN, ZHAMBYL REGION, MERKE, UL. ABAYA 17",
            "KAZAKHSTAN, ZHAMBYL REGION, MERKE, UL. ABAYA 17",
        ),
        (
            "Ship to:\nBaiterek St 9, apt 31\nZhitikara 111500\nKazakhstan",
            "Baiterek St 9, apt 31\nZhitikara 111500\nKazakhstan",
        ),
        (
            "Courier to:\nDana Sultanova\nmkr. Orbita-3, bld 12, apt 5",
            "mkr. Orbita-3, bld 12, apt 5",
        ),
    ],
)
def test_places_before_and_a_town_known_by_its_postcode_join_the_address(
    text: str, address: str
) -> None:
    assert addresses(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "Отделение на ул. Абая, мкр. Самал работает до 18:00.",
        "Мы живём в селе Бесагаш.",
        "Talgar district is far from Almaty.",
        "Встреча у ЖК «Нурлы Тау» в 10:00.",
    ],
)
def test_a_village_or_a_complex_alone_and_a_branch_are_not_addresses(text: str) -> None:
    assert addresses(text) == []
