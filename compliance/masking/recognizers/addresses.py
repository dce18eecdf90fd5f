"""Street addresses in Kazakh cities, written in Russian, Kazakh or English.

A street address needs a street word and a house number; a city alone ("г. Алматы") is not one.

- Russian: ``г. Алматы, пр. Абая, д. 150, кв. 12``, ``Алматы, пр. Абая 150-12``,
  ``ул. Толе би, 5, оф. 3`` — street type before the name.
- Kazakh: ``Астана қ., Қабанбай батыр даңғылы, 53-үй, 12-пәтер`` — street type after the name.
- English: ``12 Dostyk Ave, apt 5, Almaty``, ``Apt 5, 150 Abay Avenue`` — number first.

A city (from :data:`CITIES`) directly before or after the street joins the span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.masking.entities import ADDRESS, SCORE_IN_CONTEXT
from compliance.masking.recognizers.base import Found

CITIES = (
    "Алматы|Астана|Нур-Султан|Нұр-Сұлтан|Шымкент|Караганд[аы]|Қарағанды|Актобе|Ақтөбе|Тараз"
    "|Павлодар|Усть-Каменогорск[а]?|Өскемен|Семей|Атырау|Костанай|Қостанай|Кызылорд[аы]"
    "|Қызылорда|Уральск[а]?|Орал|Петропавловск[а]?|Петропавл|Актау|Ақтау|Темиртау|Теміртау"
    "|Туркестан|Түркістан|Кокшетау|Көкшетау|Талдыкорган|Талдықорған|Экибастуз|Екібастұз"
    "|Жезказган|Жезқазған|Конаев|Қонаев|Каскелен|Қаскелең|Балхаш|Балқаш|Рудный|Жанаозен"
    "|Жаңаөзен|Сатпаев|Сәтбаев|Байконур|Байқоңыр|Косшы|Қосшы"
    "|Almaty|Astana|Nur-Sultan|Shymkent|Karagand[ay]|Aktobe|Aqtobe|Taraz|Pavlodar"
    "|Ust-Kamenogorsk|Oskemen|Semey|Atyrau|Kostanay|Qostanay|Kyzylorda|Qyzylorda|Oral|Uralsk"
    "|Petropavl(?:ovsk)?|Aktau|Aqtau|Temirtau|Turkistan|Turkestan|Kokshetau|Taldykorgan"
    "|Ekibastuz|Zhezkazgan|Konaev|Kaskelen|Balkhash|Rudny|Zhanaozen|Satpayev|Baikonur|Kosshy"
)
_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_WORD = rf"(?:[{_UP}][\w'’\-]*|\d+(?:-[\w]+)?)"
_LINK = (
    r"(?:батыра?|би|жолы|хана?|ата|ана|баба|ақын|акын|жырау|әулие|шешен|улы|ұлы|им\.|имени"
    r"|of|the)"
)
_NAME = rf"{_WORD}(?:[ \u00a0]+(?:{_WORD}|{_LINK})){{0,2}}"
_HOUSE = r"\d{1,4}[а-яa-z]?(?:/\d{1,4})?"
_SP = r"[ \u00a0]*"

_RU_STREET = (
    r"(?:ул\.|улица|пр\.|пр-т|просп\.|проспект|мкр\.?|микрорайон|б-р|бул\.|бульвар|пер\.|переулок"
    r"|ш\.|шоссе|пл\.|площадь|наб\.|набережная|тупик|аллея|трасса)"
)
_RU_FLAT = r"(?:кв\.?|квартира|оф\.?|офис|пом\.?|помещение|комн\.?)"
_RU = (
    rf"(?:(?:г\.|город){_SP})?(?:(?:{CITIES}),{_SP})?"
    rf"{_RU_STREET}{_SP}{_NAME},?{_SP}(?:д\.|дом){_SP}{_HOUSE}"
    rf"(?:,?{_SP}(?:корп\.|к\.){_SP}\d+)?(?:,?{_SP}{_RU_FLAT}{_SP}\d{{1,4}})?"
    rf"|(?:(?:г\.|город){_SP})?(?:(?:{CITIES}),{_SP})?"
    rf"{_RU_STREET}{_SP}{_NAME},?{_SP}{_HOUSE}(?:{_SP}[-/]{_SP}\d{{1,4}}"
    rf"|,?{_SP}{_RU_FLAT}{_SP}\d{{1,4}})?"
)
_KK_STREET = (
    r"(?:даңғылы|көшесі|ықшам\s+ауданы|шағын\s*ауданы|шағынауданы|бульвары|тұйығы|алаңы"
    r"|тас\s+жолы)"
)
_KK = (
    rf"(?:(?:{CITIES}){_SP}(?:қ\.|қаласы),?{_SP})?"
    rf"{_NAME}{_SP}{_KK_STREET},?{_SP}{_HOUSE}{_SP}-?{_SP}үй"
    rf"(?:,?{_SP}\d{{1,4}}{_SP}-?{_SP}(?:пәтер|кеңсе))?"
)
_EN_STREET = (
    r"(?:Ave(?:nue)?|St(?:reet)?|R(?:oa)?d|Blvd|Boulevard|Lane|Ln|Microdistrict|Mkr|District"
    r"|Prospe[ck]t|Square|Sq|Highway|Hwy|Alley|Embankment)\.?"
)
_EN_FLAT = r"(?i:apt|apartment|flat|office|unit|suite|room)\.?"
_EN = (
    rf"(?:{_EN_FLAT}{_SP}\d{{1,4}},{_SP})?"
    rf"{_HOUSE}{_SP}{_NAME}{_SP}{_EN_STREET}"
    rf"(?:,?{_SP}{_EN_FLAT}{_SP}\d{{1,4}}\w?)?(?:,{_SP}(?:{CITIES}))?"
)
STREET_ADDRESS = re.compile(rf"(?<![\w])(?:{_RU}|{_KK}|{_EN})(?![\w])")
_TRAILING_CITY = re.compile(rf",{_SP}(?:г\.{_SP})?(?:{CITIES})(?![\w])")


def find_addresses(text: str) -> Iterator[Found]:
    """Street addresses in ``text``, with the city when it is written next to them."""
    for match in STREET_ADDRESS.finditer(text):
        end = match.end()
        city = _TRAILING_CITY.match(text, end)
        if city is not None and not match.group().endswith(city.group()):
            end = city.end()
        if text[end - 1] == "." and text[end : end + 1] in ("", " ", "\n"):
            end -= 1  # the sentence's full stop, not "Ave."
        yield Found(ADDRESS, match.start(), end, SCORE_IN_CONTEXT)
