"""The words an address is built from, in Russian, Kazakh and English transliteration.

Each constant is a regular-expression fragment for :mod:`.addresses`. Keywords match in any
case (``УЛ.``, ``Ave``, ``AVE``) and in the spellings a Russian keyboard gives Kazakh words
(``кошеси`` for ``көшесі``, ``даңгылы``, ``пэтер``); names of streets and places are capitalized
words (or ALL CAPS), because no list of them can be complete. Short abbreviations that are also
ordinary words (``пр.``, ``д.``, ``of.``, ``h.``) need their full stop.
"""

from __future__ import annotations

#: Cities a street address may start or end with, without a marker such as ``г.`` or ``қ.``.
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
COUNTRY = (
    r"РК|RK|(?i:(?:Республика\s+)?Казахстан|Қазақстан(?:\s+Республикасы)?"
    r"|(?:Republic\s+of\s+|Respublika\s+)?Kazakhstan)"
)

# -- street types -------------------------------------------------------------------------
#: Before the name, full stop optional: "ул Абая", "ул.Абая", "улица Абая", "mkr Samal-2".
STREET_BEFORE = (
    r"ул|улица|пр-т|пр-кт|просп|проспект|мкр|мкрн|мкр-н|микрорайон|м-н|б-р|бульвар|переулок"
    r"|шоссе|площадь|набережная|тупик|аллея|трасса|тракт|кв-л|квартал|ж/м|жилмассив|массив"
    r"|ul|ulitsa|prosp|prospekt|mkr|mkrn|mikrorayon|microdistrict|micro-district|street"
    r"|avenue|prospect"
)
#: Before the name, only with a full stop: "пр. Абая", "пер. Тихий", "md. Aksai-4".
STREET_BEFORE_DOT = r"пр|пер|ш|пл|наб|бул|туп|pr|md|mcr|str|st|ave"
#: Micro-districts, which may be named by a number alone: "мкр. 5", "5 мкр", "Aksai-4 md.".
MICRO = (
    r"мкр|мкрн|мкр-н|микрорайон|м-н|кв-л|mkr|mkrn|md|mcr|mikrorayon|microdistrict"
    r"|micro-district|ша[ғг]ын\s*аудан[ыи]?|[ыи]?[қк]шам\s*аудан[ыи]?|ы/[аa]|ш/[аa]"
)
#: After the name: "Мұқанов көшесі", "Абай даңғылы", "Rozybakiev St", "Stepnoy-2 microdistrict".
STREET_AFTER = (
    r"к[өо]ш[еэ]с[іи]|к[өо]ш\.|к-с[іи]|ы/[аa]|ш/[аa]|д[аә][ңн][ғг][ыи]л[ыи]|д[аә][ңн][ғг]\.|ша[ғг]ын\s*аудан[ыи]?"
    r"|[ыи]?[қк]шам\s*аудан[ыи]?|бульвар[ыи]|т[ұу]й[ыи][ғг][ыи]|ала[ңн][ыи]|тас\s+жол[ыи]"
    r"|улица|проспект|микрорайон|мкр\.?|мкрн\.?|переулок|бульвар|шоссе|тракт"
    r"|street|st\.?|str\.?|avenue|ave\.?|av\.|road|rd\.?|boulevard|blvd\.?|lane|ln\.?"
    r"|prospect|prospekt|prosp\.?|pr\.|microdistrict|micro-district|mkr\.?|mkrn\.?|md\.|mcr\.?"
    r"|square|sq\.?|highway|hwy\.?|alley|embankment|drive"
)
#: Lower-case words inside a street name: "Қабанбай батыр", "Толе би", "10 лет Независимости".
LINK = (
    r"батыра?|би|жолы|хана?|ата|ана|баба|ақын|акын|жырау|әулие|шешен|улы|ұлы|им\.|имени|лет"
    r"|batyr|bi|khan|ata|zholy|joly|uly|akyn|zhyrau|of|the|el|хандар|khandar"
)

# -- places: cities, villages, districts, regions -----------------------------------------
#: Before the place name: "г. Актау", "с. Бесагаш", "р-н Алмалинский", "city of Oral".
PLACE_BEFORE = (
    r"г\.|гор\.|город|[сc]\.|сел[оае]|пос\.|посёлок|поселок|п\.|пгт\.?|аул|ауыл|ст\.|станица"
    r"|р-н|район|обл\.|область|city\s+of|village\s+of|g\."
)
#: A village or settlement, before or after its name: with a district or a street it is an
#: address ("села Чунджа, Уйгурский район", "Шелек ауылы, Момышұлы көшесі").
VILLAGE = (
    r"^(?:[сc]\.|сел[оае]|пос\.|пос[её]л\w*|п\.|пгт\.?|аул|ауыл|ст\.|станиц\w*|village\s+of)"
    r"|(?:ауылы|аулы|кенті|village)$"
)
#: Village words an address can be built around, for the scan that finds where to look.
VILLAGE_ANCHOR = r"сел[оае]|ауыл\w*|аул[ыа]?|кенті|посёлок|поселок|станиц\w*|village"
#: After the place name: "Қостанай қаласы", "Астана қ.", "Алмалинский р-н", "Almaly district".
PLACE_AFTER = (
    r"[қк]\.|[қк](?=,)|[қк]аласы|ауылы|аулы|кенті|ауданы|облысы|обл\.|область|р-н|район|city|town"
    r"|village|district|region|oblast|obl\."
)

# -- house, flat and the rest -------------------------------------------------------------
#: A house number: "137/1", "120А", "12 A", "5-2", "12a", '5 "А"'.
HOUSE_NUMBER = (
    r"\d{1,4}(?:[A-ZА-ЯЁ](?![\w])|[ \u00a0][A-ZА-ЯЁ](?![\w.])|[a-zа-яё](?![\w])"
    r"|[ \u00a0]?[\"«][A-Za-zА-Яа-яЁё][\"»])?"
    r"(?:[/-]\d{1,4}[A-Za-zА-Яа-яЁё]?(?![\w])){0,2}"
)
#: Before the house number: "д. 12", "дом 12", "bld 137/1", "h. 5", "үй 5".
HOUSE_BEFORE = (
    r"дом|здание|house|bld|bldg|building|[үу]й|д\.|зд\.|d\.|h\.|bld\.|bldg\."
    r"|д(?=[ \t\u00a0]*\d)"  # "д 12" as typed in a hurry
)
#: After the house number: "53-үй", "97/2-үй", "12 уй", "12 дом".
HOUSE_AFTER = r"[үу]й|ү|дом|house"  # "17 ү": the word cut off at the line's end
#: Before the flat number: "кв. 116", "оф 3", "apt 5", "office 96", "of. 5", "пәтер 12".
FLAT_BEFORE = (
    r"кв|квартира|оф|офис|пом|помещение|комн|комната|apt|apartment|flat|office|suite|unit"
    r"|п[әаэе]тер|ке[ңн]се|вп|нп|кв\.|оф\.|пом\.|комн\.|apt\.|app\.|ap\.|kv\.|of\.|ste\.|off\."
    r"|п[әаэе]т\."
)
#: After the flat number: "56 пәтер", "104-патер", "12-кеңсе".
FLAT_AFTER = r"п[әаэе]тер|п[әаэе]т\.?|ке[ңн]се|квартира|офис|кв\.?+(?![ \t\u00a0]*(?:м(?![\w])|\d))"
#: The rest of a building: "корп. 2", "стр. 1", "эт. 3", "под. 2", "floor 4", "блок Б".
EXTRA_BEFORE = (
    r"корп\.|корпус|к\.|стр\.|строение|блок|block|эт\.|этаж|floor|fl\.|под\.|подъезд"
    r"|entrance|литер|лит\.|секция|каб\.|кабинет|room|r00m|r0om|ro0m|қабат|garage|гараж|box|бокс"
)
#: After its number: "3 этаж", "4-й этаж", "2 floor", "5-қабат".
EXTRA_AFTER = r"этаж|floor|қабат|подъезд\w{0,2}|корпус"
#: Parts of a building named without a number: "подвал 2 подъезда", "цоколь", "basement".
EXTRA_ALONE = r"подвал\w{0,2}|цоколь\w{0,3}|мансард\w{0,2}|basement|ground\s+floor"
#: A residential complex or business centre by name: "ЖК «Highvill»", "БЦ «Нурлы Тау»".
COMPLEX_BEFORE = r"ЖК|БЦ|ТЦ|ТРЦ|ТДЦ|ЖМ|BC|RC"
#: After a name: "Rixos Residence", "Esentai Tower", "Talan Towers".
COMPLEX_AFTER = (
    r"Residence|Residences|Tower|Towers|Plaza|(?i:business\s+cent(?:er|re))"
    r"|(?i:residential\s+complex)"
)

#: Words that never end an address as a trailing unknown place ("…, кв. 5, Спасибо.").
NOT_PLACES = frozenset(
    {
        "спасибо",
        "рахмет",
        "thanks",
        "thank",
        "regards",
        "please",
        "пожалуйста",
        "жду",
        "курьер",
        "courier",
        "тел",
        "phone",
        "телефон",
    }
)
