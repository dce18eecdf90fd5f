#!/usr/bin/env python3
"""Varied synthetic PII evaluation set for the nightshift masker (independent of its generator).

What it covers
--------------
Synthetic customer e-mails to a (fictional) Kazakh bank / telecom / retailer / HR desk, in
Russian (~35 %), Kazakh (~25 %), English (~20 %) and mixed/code-switched text (~20 %),
built from 58 situations (card blocked, loan, address change, power of attorney, web-form
dumps, SMS-like one-liners, HR, telecom, retail, replies quoting earlier mail, forwarded
mail, ...) and interchangeable pieces (greetings, closings, 1-6 line signatures,
disclaimers, forwarded headers, ``>`` quotes, OCR'd attachments with look-alike noise).

Every personal-data mention is labelled as a span in ``labels.pii`` (PERSON, ADDRESS,
KZ_IIN, KZ_BIN, PHONE_NUMBER, EMAIL_ADDRESS, CREDIT_CARD, IBAN_CODE, ID_DOC,
DATE_OF_BIRTH), and things that merely look like personal data (order / contract /
request numbers, tracking ids, products, companies, stand-alone cities, branches,
hotlines, role mailboxes, amounts, ordinary dates, masked cards, URLs) in
``labels.lookalikes``.

Names come from the generator's own lists (deliberately *not* the most common names):
Kazakh, Russian, Uzbek, Uyghur, Korean, Tatar and English names, Kazakh surnames with
-ов/-ева/-ин, -ұлы/-қызы (-улы/-кызы) and without endings, patronymics of both styles.
Forms: full FIO, first+last, single first name (greetings/signatures), initials,
Russian dative/genitive case forms, ALL CAPS (Cyrillic with Kazakh letters and Latin),
three transliteration schemes, mixed-script look-alikes (Latin letters inside Cyrillic
names), lower-case names, third parties mentioned mid-sentence.
Streets, micro-districts and villages are mostly invented; people and numbers are all
invented.  IIN/BIN check digits, Luhn card numbers and mod-97 IBANs are valid, except
~10 % of IINs that carry a typo breaking the check digit; those always sit directly after
an ``ИИН``/``ЖСН``/``IIN`` label and carry ``"typo": true``.

How it was built
----------------
Text is composed piece by piece: every template string is parsed into literal text and
``{placeholders}``; literals may be "messed up" (typos, missing punctuation, shouting,
``<br>``, OCR noise) *before* being appended, and each placeholder appends a value
whose offsets are recorded at that moment.  No span is found by searching afterwards.
PERSON spans carry an extra ``form`` attribute (fl, full, first, init, caps, lat, ...);
typo'd IIN spans carry ``"typo": true``.  ``meta.traits`` lists the phenomena a record
contains (all_caps_name, mixed_script_name, single_first_name, transliteration,
case_form, lowercase_name, initials, third_party_name, ocr, form_dump, sms_style,
code_switch, quoted_reply, forwarded, disclaimer, long_signature, html_br, typos,
caps_shouting, iin_typo, grouped_iin, foreign_phone, address_ru/kk/en/caps/multiline, dob).
Template usage is balanced (least-used first; web-form dumps and SMS one-liners weighted x4).
Only the Python standard library is used; output is deterministic for (count, seed).

Usage:  python3 varied.py --count 320 --seed 2412 --out varied-2412.jsonl
"""

import argparse
import datetime as _dt
import json
import random
import re
from collections import Counter

# ----------------------------------------------------------------------------------
# name sources (invented combinations; avoiding the most common names)
# ----------------------------------------------------------------------------------
KK_MALE = [
    "Ғалымжан",
    "Дархан",
    "Бекарыс",
    "Мейіржан",
    "Ескендір",
    "Тілеуберді",
    "Сәкен",
    "Ағабек",
    "Бағдат",
    "Жандос",
    "Ілияс",
    "Қуандық",
    "Мұхтарбек",
    "Нұрбол",
    "Олжас",
    "Рауан",
    "Сағындық",
    "Талғат",
    "Төлеген",
    "Ұлан",
    "Шыңғыс",
    "Әділет",
    "Жасұлан",
    "Бейбарыс",
    "Алтынбек",
    "Бекзат",
    "Ерасыл",
    "Құдайберген",
    "Сырым",
    "Темірлан",
    "Ақжол",
    "Жеңіс",
    "Қайсар",
    "Мирас",
    "Нұрдәулет",
    "Оңдасын",
    "Серікбол",
    "Тұрсынбек",
    "Абылайхан",
    "Жәнібек",
    "Еламан",
    "Бақберген",
    "Санжар",
    "Айдос",
    "Бақытжан",
    "Ерболат",
    "Қалдыбек",
    "Өркен",
    "Тоқтасын",
]
KK_FEMALE = [
    "Еркеназ",
    "Аққу",
    "Нұрай",
    "Балауса",
    "Жайна",
    "Мөлдір",
    "Ақмарал",
    "Гүлназ",
    "Дариға",
    "Жансая",
    "Зере",
    "Інжу",
    "Қарлығаш",
    "Күнсұлу",
    "Ләззат",
    "Маржан",
    "Назерке",
    "Перизат",
    "Раушан",
    "Сымбат",
    "Томирис",
    "Ұлжан",
    "Шырын",
    "Әсем",
    "Айару",
    "Ботагөз",
    "Гаухар",
    "Дильназ",
    "Ақбота",
    "Нәзира",
    "Толқын",
    "Меруерт",
    "Күміс",
    "Шынар",
    "Айгүл",
    "Жібек",
    "Аружан",
    "Ақерке",
    "Бибігүл",
    "Сандуғаш",
]
RU_MALE = [
    "Всеволод",
    "Прохор",
    "Ефим",
    "Трофим",
    "Савелий",
    "Елисей",
    "Фрол",
    "Аристарх",
    "Мирон",
    "Тихон",
    "Игнат",
    "Лука",
    "Платон",
    "Святослав",
    "Захар",
    "Евграф",
    "Остап",
    "Венедикт",
    "Филипп",
    "Гордей",
    "Ермолай",
]
RU_FEMALE = [
    "Ефросинья",
    "Агния",
    "Василиса",
    "Евдокия",
    "Серафима",
    "Любава",
    "Аглая",
    "Мирослава",
    "Злата",
    "Пелагея",
    "Таисия",
    "Ульяна",
    "Стефания",
    "Варвара",
    "Лидия",
    "Алевтина",
    "Фаина",
    "Римма",
    "Нинель",
]
RU_SURN = [
    "Ступин",
    "Гребенщиков",
    "Шелепин",
    "Вершинин",
    "Тетерин",
    "Пичугин",
    "Зимогоров",
    "Кулагин",
    "Сорокоумов",
    "Рябинин",
    "Черемисин",
    "Огурцов",
    "Дробышев",
    "Хлебников",
    "Полозов",
    "Бессонов",
    "Луговской",
    "Плотицын",
    "Нестеренко",
    "Ткачук",
    "Белоус",
    "Крутиков",
    "Ведерников",
]
RU_PATR = [
    ("Прохорович", "Прохоровна"),
    ("Тихонович", "Тихоновна"),
    ("Миронович", "Мироновна"),
    ("Всеволодович", "Всеволодовна"),
    ("Игнатович", "Игнатовна"),
    ("Аркадьевич", "Аркадьевна"),
    ("Эдуардович", "Эдуардовна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Ростиславович", "Ростиславовна"),
    ("Вадимович", "Вадимовна"),
    ("Леонидович", "Леонидовна"),
]
KK_SURN_ROOTS = [
    "Жақсылық",
    "Сейтқали",
    "Нұрмағамбет",
    "Әбдіқадыр",
    "Тілеуқабыл",
    "Байжұма",
    "Есболат",
    "Мырзахмет",
    "Төлепберген",
    "Сағынтай",
    "Ізбасар",
    "Қожахмет",
    "Бекмұхамбет",
    "Оразалы",
    "Жұмабай",
    "Әлімжан",
    "Қуанышбай",
    "Досжан",
    "Ысқақ",
    "Тұяқбай",
    "Керімбай",
    "Ақылбек",
    "Жолдасбек",
    "Сәрсенбай",
    "Өтеген",
    "Үмбетәлі",
    "Қалдыбай",
    "Нұрпейіс",
    "Есенгелді",
    "Бөрібай",
    "Шәмшідин",
    "Жақып",
    "Сұлтанғали",
]
KK_FATHERS = [
    "Қайрат",
    "Бауыржан",
    "Жомарт",
    "Серік",
    "Тоқтар",
    "Бақыт",
    "Әмір",
    "Ерлан",
    "Талап",
    "Мағжан",
    "Болат",
    "Құрманғали",
    "Есенгелді",
    "Өмірзақ",
    "Ержігіт",
    "Сабыржан",
    "Темірхан",
]
OTHER = {  # (surname_m, surname_f, male first names, female first names)
    "korean": (
        ["Ким", "Тен", "Пак", "Цой", "Хегай", "Когай", "Шин", "Лигай"],
        None,
        ["Виталий", "Ростислав", "Эдуард", "Станислав", "Вячеслав"],
        ["Алина", "Эльвира", "Виолетта", "Снежана", "Анжелика"],
    ),
    "uzbek": (
        ["Юлдашев", "Хасанов", "Мирзаев", "Турсунов", "Рахимбердиев", "Усманходжаев"],
        "ova",
        ["Шерзод", "Улугбек", "Жахонгир", "Бахтиёр", "Отабек"],
        ["Дилноза", "Нодира", "Гулчехра", "Мохинур", "Шахзода"],
    ),
    "uyghur": (
        ["Турдиев", "Розахунов", "Ахметжанов", "Сабитов", "Мамутов", "Ниязбаков"],
        "ova",
        ["Дильмурат", "Мурадил", "Ильшат", "Абдурешит", "Хамит"],
        ["Рошангуль", "Хурмет", "Парида", "Зульфия", "Мукаддас"],
    ),
    "tatar": (
        ["Гарифуллин", "Сафиуллин", "Хайруллин", "Мингазов", "Валиуллин", "Галимзянов"],
        "ova",
        ["Ильдар", "Ринат", "Наиль", "Ильнур", "Рафаэль"],
        ["Рамиля", "Гульшат", "Альфия", "Ляйсан", "Динара"],
    ),
}
EN_MALE = [
    "Lachlan",
    "Peregrine",
    "Torquil",
    "Barnaby",
    "Ambrose",
    "Crispin",
    "Fergus",
    "Alaric",
    "Jolyon",
    "Rupert",
    "Tobias",
    "Leofric",
]
EN_FEMALE = [
    "Ottoline",
    "Imogen",
    "Rosalind",
    "Cressida",
    "Fenella",
    "Philippa",
    "Honora",
    "Marigold",
    "Clementine",
    "Isolde",
    "Wilhelmina",
]
EN_SURN = [
    "Wetherby",
    "Fenwick",
    "Ashcombe",
    "Thistlewood",
    "Harrowgate",
    "Pemberton",
    "Quigley",
    "Ravensworth",
    "Holloway",
    "Marchbanks",
    "Dunleavy",
    "Kettering",
    "Aldridge",
    "Penhallow",
    "Trevelyan",
    "Hazeldine",
]

KK2RU = str.maketrans("ӘәҒғҚқҢңӨөҰұҮүҺһІі", "АаГгКкНнОоУуУуХхИи")

TR_BASE = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
}
TR_SCHEMES = [
    {},  # passport style: Zhaksylykov, Aigul? (й->y)
    {"ж": "j", "х": "h", "й": "i", "ю": "iu", "я": "ia"},  # Jaksylykov, Aigul
    {"қ": "q", "ғ": "gh", "ң": "ng", "ү": "ü", "ө": "ö", "ә": "ä", "й": "i"},  # Zhaqsylyqov
]
LOOK_LAT = {
    "А": "A",
    "а": "a",
    "В": "B",
    "Е": "E",
    "е": "e",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "о": "o",
    "Р": "P",
    "р": "p",
    "С": "C",
    "с": "c",
    "Т": "T",
    "Х": "X",
    "х": "x",
    "у": "y",
    "Ү": "Y",
    "ү": "y",
    "І": "I",
    "і": "i",
}
CYR_RE = re.compile("[\u0400-\u04ff]")
LAT_RE = re.compile("[A-Za-z]")


def has_cyr(s):
    return bool(CYR_RE.search(s))


def translit(s, scheme):
    m = dict(TR_BASE)
    m.update(TR_SCHEMES[scheme])
    out = []
    for ch in s:
        lo = ch.lower()
        if lo in m:
            t = m[lo]
            out.append(t.capitalize() if ch != lo else t)
        else:
            out.append(ch)
    return "".join(out)


def mixify(s, rng, k=None):
    idx = [i for i, c in enumerate(s) if c in LOOK_LAT]
    if not idx:
        return s
    k = k or rng.choice([1, 1, 2])
    k = min(k, max(1, len(idx) - 1)) if len(idx) > 1 else 1
    ch = rng.sample(idx, k)
    r = list(s)
    for i in ch:
        r[i] = LOOK_LAT[r[i]]
    out = "".join(r)
    if not has_cyr(out):  # keep at least one Cyrillic letter
        return s
    return out


# ---------------------------------------------------------------- russian case forms
def _first_case(n, sex, case):
    if sex == "m":
        if n[-1] in "йь":
            return n[:-1] + ("ю" if case == "dat" else "я")
        if n[-1].lower() in "аеиоуыэюяіәөұү":
            return n
        return n + ("у" if case == "dat" else "а")
    if n.endswith("ия"):
        return n[:-1] + "и"
    if n.endswith("я"):
        return n[:-1] + ("е" if case == "dat" else "и")
    if n.endswith("а"):
        if case == "dat":
            return n[:-1] + "е"
        return n[:-1] + ("и" if n[-2] in "кгхжшщчц" else "ы")
    return n


def _sur_case(s, sex, case):
    low = s.lower()
    if sex == "m":
        if re.search("(ов|ев|ин|ын|ёв)$", low):
            return s + ("у" if case == "dat" else "а")
        return s
    if re.search("(ова|ева|ина|ына)$", low):
        return s[:-1] + "ой"
    return s


def _patr_case(p, case):
    if p.endswith("ич"):
        return p + ("у" if case == "dat" else "а")
    if p.endswith("вна"):
        return p[:-1] + ("е" if case == "dat" else "ы")
    return p


# ----------------------------------------------------------------------------------
# identifiers
# ----------------------------------------------------------------------------------
def kz_check(d11):
    d = [int(c) for c in d11]
    s = sum(x * w for x, w in zip(d, range(1, 12))) % 11
    if s == 10:
        s = sum(x * w for x, w in zip(d, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
        if s == 10:
            return None
    return s


def iin_valid(s):
    s = re.sub(r"\D", "", s)
    if len(s) != 12:
        return False
    c = kz_check(s[:11])
    return c is not None and c == int(s[11])


def iin_date_ok(s):
    s = re.sub(r"\D", "", s)
    cen = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}.get(s[6])
    if not cen:
        return False
    try:
        d = _dt.date(cen + int(s[:2]), int(s[2:4]), int(s[4:6]))
    except ValueError:
        return False
    return d < _dt.date(2026, 12, 1)


def make_iin(rng, dob, sex):
    cen = "3" if dob.year < 2000 else "5"
    if sex == "f":
        cen = str(int(cen) + 1)
    while True:
        base = dob.strftime("%y%m%d") + cen + "%04d" % rng.randrange(1, 10000)
        c = kz_check(base)
        if c is not None:
            return base + str(c)


def make_bin(rng):
    while True:
        base = (
            "%02d%02d" % (rng.randrange(0, 25), rng.randrange(1, 13))
            + rng.choice("456")
            + rng.choice("0123")
            + "%05d" % rng.randrange(100000)
        )
        c = kz_check(base)
        if c is not None:
            return base + str(c)


def luhn_ok(s):
    d = [int(c) for c in re.sub(r"\D", "", s)][::-1]
    tot = 0
    for i, x in enumerate(d):
        if i % 2:
            x *= 2
            if x > 9:
                x -= 9
        tot += x
    return tot % 10 == 0


def make_card(rng):
    pre = rng.choice(["4", "51", "53", "55", "2202", "4405", "4263", "5169"])
    body = pre + "".join(rng.choice("0123456789") for _ in range(15 - len(pre)))
    for c in "0123456789":
        if luhn_ok(body + c):
            return body + c


def iban_ok(s):
    s = s.replace(" ", "")
    r = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in r)
    return len(s) == 20 and s[:2] == "KZ" and int(num) % 97 == 1


def make_iban(rng):
    bank = "%03d" % rng.randrange(100, 999)
    rest = "".join(
        rng.choice("0123456789" if rng.random() < 0.9 else "ABCDEFGHKLMNPRTX") for _ in range(13)
    )
    bban = bank + rest
    num = "".join(str(int(c, 36)) for c in bban + "KZ00")
    chk = 98 - int(num) % 97
    return "KZ%02d" % chk + bban


def s10(rng):
    d = [rng.randrange(10) for _ in range(8)]
    w = [8, 6, 4, 2, 3, 5, 9, 7]
    c = 11 - sum(a * b for a, b in zip(d, w)) % 11
    c = {10: 0, 11: 5}.get(c, c)
    return rng.choice(["RR", "RA", "CP", "EE", "LZ"]) + "".join(map(str, d)) + str(c) + "KZ"


def rdigits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


# ----------------------------------------------------------------------------------
# people
# ----------------------------------------------------------------------------------
class Person:
    def __init__(self, rng, eth=None, sex=None):
        self.rng = rng
        self.sex = sex or rng.choice("mf")
        self.eth = eth or rng.choices(["kazakh", "russian", "other", "english"], [60, 17, 15, 8])[0]
        m = self.sex == "m"
        self.patr = None
        if self.eth == "kazakh":
            self.first = rng.choice(KK_MALE if m else KK_FEMALE)
            root = rng.choice(KK_SURN_ROOTS)
            father = rng.choice(KK_FATHERS)
            style = rng.choices(["ov", "uly", "bare", "in"], [50, 20, 20, 10])[0]
            if style == "ov":
                suf = "ев" if root[-1] in "аеиоуыэюяіәөұүй" else "ов"
                root_ = root[:-1] if root[-1] == "й" else root
                if root[-1] == "й":
                    suf = "ев"
                self.last = root_ + suf + ("" if m else "а")
            elif style == "uly":
                self.last = root + ("ұлы" if m else "қызы")
            elif style == "in" and root[-1] in "іы":
                self.last = root[:-1] + ("ин" if m else "ина")
            else:
                self.last = root
            r = rng.random()
            if r < 0.4:
                self.patr = father + ("ұлы" if m else "қызы")
            elif r < 0.85:
                fr = father.translate(KK2RU)
                self.patr = fr + (
                    ("евич" if m else "евна") if fr[-1] in "аеиоуы" else ("ович" if m else "овна")
                )
            self.kkspell = rng.random() < 0.6
            if not self.kkspell:
                self.first = self.first.translate(KK2RU)
                self.last = self.last.translate(KK2RU)
                if self.patr:
                    self.patr = self.patr.translate(KK2RU)
        elif self.eth == "russian":
            self.first = rng.choice(RU_MALE if m else RU_FEMALE)
            s = rng.choice(RU_SURN)
            if not m and re.search("(ов|ев|ин|ын)$", s):
                s += "а"
            elif not m and s.endswith("ский"):
                s = s[:-4] + "ская"
            self.last = s
            self.patr = rng.choice(RU_PATR)[0 if m else 1]
        elif self.eth == "other":
            sub = rng.choice(list(OTHER))
            surs, fem, mf, ff = OTHER[sub]
            self.sub = sub
            self.first = rng.choice(mf if m else ff)
            s = rng.choice(surs)
            if not m and fem:
                s += "а"
            self.last = s
            if rng.random() < 0.6:
                self.patr = rng.choice(RU_PATR)[0 if m else 1]
        else:
            self.first = rng.choice(EN_MALE if m else EN_FEMALE)
            self.last = rng.choice(EN_SURN)
        self.scheme = rng.randrange(3)
        self.dob = _dt.date(rng.randrange(1948, 2007), rng.randrange(1, 13), rng.randrange(1, 29))
        self.iin = make_iin(rng, self.dob, self.sex)
        self._email = None
        self.maiden = None

    @property
    def latin(self):
        return self.eth == "english"

    def tr(self, s):
        return s if self.latin else translit(s, self.scheme)

    def email(self):
        if not self._email:
            rng = self.rng
            f, l = self.tr(self.first).lower(), self.tr(self.last).lower()
            f = re.sub("[^a-z]", "", f.replace("ü", "u").replace("ö", "o").replace("ä", "a"))
            l = re.sub("[^a-z]", "", l.replace("ü", "u").replace("ö", "o").replace("ä", "a"))
            loc = rng.choice(
                [
                    f[0] + "." + l,
                    f + "." + l,
                    f + str(self.dob.year % 100),
                    l + "_" + f[0],
                    f[:4] + "." + l[:5],
                    l + f[0] + str(rng.randrange(1, 99)),
                ]
            )
            dom = rng.choice(
                [
                    "mail.kz",
                    "mail.ru",
                    "gmail.com",
                    "inbox.kz",
                    "yandex.kz",
                    "outlook.com",
                    "bk.ru",
                    "list.ru",
                    "icloud.com",
                    "proton.me",
                ]
            )
            self._email = loc + "@" + dom
        return self._email

    def fio(self):
        return f"{self.last} {self.first} {self.patr}" if self.patr else f"{self.last} {self.first}"

    def initials(self, rng):
        ini = self.first[0] + "." + (self.patr[0] + "." if self.patr else "")
        return rng.choice(
            [
                f"{self.last} {ini}",
                f"{ini} {self.last}",
                f"{self.last} {ini.replace('.', '. ').strip()}",
            ]
        )

    def case(self, c, rng):
        if self.latin:
            return f"{self.first} {self.last}"
        sur = _sur_case(self.last, self.sex, c)
        fn = _first_case(self.first, self.sex, c)
        r = rng.random()
        if r < 0.35:
            return sur
        if r < 0.75 or not self.patr:
            return f"{sur} {fn}"
        return f"{sur} {fn} {_patr_case(self.patr, c)}"

    def low(self):
        n = self.first if self.latin else _first_case(self.first, self.sex, "gen")
        return n.lower()

    def maiden_name(self, rng):
        if not self.maiden:
            while True:
                p = Person(rng, eth=self.eth if self.eth != "other" else "kazakh", sex=self.sex)
                if p.last != self.last:
                    self.maiden = p.last
                    break
        return self.maiden


# ----------------------------------------------------------------------------------
# places (cities are real; streets, micro-districts and villages are mostly invented)
# ----------------------------------------------------------------------------------
CITIES = [  # ru, kk, en, ru-locative, postcode prefix, oblast ru, oblast kk
    ("Алматы", "Алматы", "Almaty", "Алматы", "050", None, None),
    ("Астана", "Астана", "Astana", "Астане", "010", None, None),
    ("Актау", "Ақтау", "Aktau", "Актау", "130", "Мангистауская", "Маңғыстау"),
    ("Караганда", "Қарағанды", "Karaganda", "Караганде", "100", "Карагандинская", "Қарағанды"),
    ("Темиртау", "Теміртау", "Temirtau", "Темиртау", "101", "Карагандинская", "Қарағанды"),
    ("Костанай", "Қостанай", "Kostanay", "Костанае", "110", "Костанайская", "Қостанай"),
    ("Актобе", "Ақтөбе", "Aktobe", "Актобе", "030", "Актюбинская", "Ақтөбе"),
    ("Уральск", "Орал", "Oral", "Уральске", "090", "Западно-Казахстанская", "Батыс Қазақстан"),
    ("Шымкент", "Шымкент", "Shymkent", "Шымкенте", "160", None, None),
    ("Павлодар", "Павлодар", "Pavlodar", "Павлодаре", "140", "Павлодарская", "Павлодар"),
    ("Семей", "Семей", "Semey", "Семее", "071", "Абайская", "Абай"),
    ("Кокшетау", "Көкшетау", "Kokshetau", "Кокшетау", "020", "Акмолинская", "Ақмола"),
    ("Тараз", "Тараз", "Taraz", "Таразе", "080", "Жамбылская", "Жамбыл"),
    ("Атырау", "Атырау", "Atyrau", "Атырау", "060", "Атырауская", "Атырау"),
    ("Кызылорда", "Қызылорда", "Kyzylorda", "Кызылорде", "120", "Кызылординская", "Қызылорда"),
    ("Талдыкорган", "Талдықорған", "Taldykorgan", "Талдыкоргане", "040", "Жетысуская", "Жетісу"),
    ("Экибастуз", "Екібастұз", "Ekibastuz", "Экибастузе", "141", "Павлодарская", "Павлодар"),
    ("Жезказган", "Жезқазған", "Zhezkazgan", "Жезказгане", "100", "Улытауская", "Ұлытау"),
    ("Туркестан", "Түркістан", "Turkistan", "Туркестане", "161", "Туркестанская", "Түркістан"),
    (
        "Петропавловск",
        "Петропавл",
        "Petropavl",
        "Петропавловске",
        "150",
        "Северо-Казахстанская",
        "Солтүстік Қазақстан",
    ),
    (
        "Усть-Каменогорск",
        "Өскемен",
        "Oskemen",
        "Усть-Каменогорске",
        "070",
        "Восточно-Казахстанская",
        "Шығыс Қазақстан",
    ),
    ("Сатпаев", "Сәтбаев", "Satpayev", "Сатпаеве", "101", "Улытауская", "Ұлытау"),
    ("Балхаш", "Балқаш", "Balkhash", "Балхаше", "100", "Карагандинская", "Қарағанды"),
    ("Риддер", "Риддер", "Ridder", "Риддере", "071", "Восточно-Казахстанская", "Шығыс Қазақстан"),
]
STREETS_RU = [
    "Тополиная",
    "Сиреневая",
    "Кольцевая",
    "Металлургов",
    "Шахтёрская",
    "Целинная",
    "Ботаническая",
    "Заречная",
    "Каменистая",
    "Ольховая",
    "Лесозаводская",
    "Геологов",
    "Радужная",
    "Элеваторная",
    "Буровиков",
    "Солончаковая",
    "Жандосова",
    "Аққайнар",
    "Көктерек",
    "Шұғыла",
    "Таңшолпан",
    "Ақжелкен",
    "Бозторғай",
    "Қызылжар",
    "Жиделі",
    "Ақбастау",
    "Шаңырақ",
    "Камышовая",
    "Облепиховая",
    "Снежная",
    "Дальняя",
    "Тихая",
    "Подгорная",
    "Мостовая",
]
STREETS_KK = [
    "Бейбітшілік",
    "Аққайнар",
    "Көктерек",
    "Шұғыла",
    "Таңшолпан",
    "Ақжелкен",
    "Бозторғай",
    "Қызылжар",
    "Жиделі",
    "Ақбастау",
    "Шаңырақ",
    "Ынтымақ",
    "Жасыл алқап",
    "Көкөзек",
    "Сарыбұлақ",
    "Ақтерек",
    "Құмкент",
    "Жайлаукөл",
    "Таскескен",
    "Есенгелді Мырзалиев",
    "Сейтқали Бекмұратов",
    "Ахметжан Тұяқбаев",
]
STREETS_EN = [
    "Kurmangazy",
    "Zheltoksan",
    "Tolqyn",
    "Koktal",
    "Akzhelken",
    "Shugyla",
    "Zhidely",
    "Sarybulak",
    "Aktobe-Tas",
    "Tangsholpan",
    "Beybitshilik",
    "Birch Grove",
    "Geologists",
    "Metallurgists",
    "Kyzylzhar",
    "Baytal",
    "Uly Dala",
    "Zhasyl Alkap",
]
MKR = [
    "14",
    "Степной-4",
    "Аққу",
    "Жетісу-3",
    "Көкжиек",
    "Самал-2",
    "Восток-5",
    "Тұлпар",
    "Нұрсат",
    "Сайран",
    "Кулагер",
    "Асар-2",
    "Таугүл-3",
    "Мерей",
]
MKR_EN = [
    "Stepnoy-4",
    "Nursat",
    "Samal-2",
    "Vostok-5",
    "Tulpar",
    "Koktem-7",
    "Zhetysu-3",
    "Kulager",
    "Asar-2",
]
VILLAGES = [
    "Талапкер",
    "Қаратөбе",
    "Жаңаталап",
    "Береке",
    "Ақсай",
    "Шұбаркөл",
    "Көктөбе",
    "Майқайың",
    "Алғабас",
    "Ақжар",
    "Үлгілі",
    "Тасарық",
]
DISTRICTS = ["Жетісу", "Алатау", "Сарыарқа", "Әуезов", "Байқоңыр", "Есіл", "Қаратау", "Абай"]


def _hn(rng):
    h = str(rng.randrange(1, 180))
    r = rng.random()
    if r < 0.15:
        h += rng.choice("АБВ")
    elif r < 0.3:
        h += "/" + str(rng.randrange(1, 9))
    return h


def make_address(rng, lang, caps=False, multiline=False):
    """returns (text, variant, lang_of_address)"""
    c = rng.choice(CITIES)
    city_ru, city_kk, city_en, _, pc, obl_ru, obl_kk = c
    post = pc + "%03d" % rng.randrange(0, 999)
    f = rng.randrange(1, 240)
    h = _hn(rng)
    if lang == "mix":
        lang = rng.choice(["ru", "kk", "en"])
    if lang == "ru":
        st = rng.choice(STREETS_RU)
        v = rng.randrange(7)
        if multiline:
            t = rng.choice(
                [
                    f"ул. {st}, д. {h}, кв. {f}\n{post}, г. {city_ru}",
                    f"г. {city_ru},\nул. {st} {h}-{f}",
                    f"{post}, {city_ru}\nмкр. {rng.choice(MKR)}, д. {h}, кв. {f}",
                ]
            )
        elif v == 0:
            t = f"{post}, г. {city_ru}, ул. {st}, д. {h}, кв. {f}"
        elif v == 1:
            t = f"г. {city_ru}, мкр. {rng.choice(MKR)}, д. {h}, кв. {f}"
        elif v == 2 and obl_ru:
            t = f"Республика Казахстан, {post}, {obl_ru} обл., г. {city_ru}, пр. {st} {h}-{f}"
        elif v == 3:
            t = f"с. {rng.choice(VILLAGES)}, ул. {rng.choice(['Центральная', 'Школьная', 'Набережная', st])} {rng.randrange(1, 60)}"
        elif v == 4:
            t = f"{city_ru}, {st} {h}, кв {f}"
        elif v == 5:
            t = f"г.{city_ru}, ул.{st}, дом {h}, квартира {f}"
        else:
            t = f"{city_ru}, {rng.choice(['ул.', 'пр-т', 'переулок'])} {st}, {h}, офис {rng.randrange(1, 40)}"
    elif lang == "kk":
        st = rng.choice(STREETS_KK)
        flat = rng.choice(["пәтер", "пәтер", "пәтер", "патер"])
        v = rng.randrange(6)
        if multiline:
            t = rng.choice(
                [
                    f"{st} көшесі, {h}-үй, {f}-{flat}\n{city_kk} қ., {post}",
                    f"{city_kk} қаласы,\n{rng.choice(MKR)} шағын ауданы, {h}-үй",
                ]
            )
        elif v == 0:
            t = f"{city_kk} қаласы, {st} көшесі {h}, {f} {flat}"
        elif v == 1:
            t = f"{city_kk} қ., {st} даңғылы, {h}-үй, {f}-{flat}"
        elif v == 2:
            t = f"{rng.choice(DISTRICTS)} ауданы, {rng.choice(MKR)} шағын ауданы, {h}-үй"
        elif v == 3 and obl_kk:
            t = f"{obl_kk} облысы, {rng.choice(VILLAGES)} ауылы, {st} көш., {rng.randrange(1, 70)}"
        elif v == 4:
            t = f"{post}, {city_kk}, {st} к-сі, {h} үй, {f} {flat}"
        else:
            t = f"{city_kk} қ, {rng.choice(MKR)} ш/а, {h} үй {f} {flat}"
    else:
        st = rng.choice(STREETS_EN)
        v = rng.randrange(6)
        if multiline:
            t = rng.choice(
                [
                    f"{st} St {h}, apt {f}\n{city_en} {post}\nKazakhstan",
                    f"Apt {f}, {h} {st} str.,\n{city_en}",
                ]
            )
        elif v == 0:
            t = f"{city_en}, {rng.choice(MKR_EN)} microdistrict, bld {h}, office {rng.randrange(1, 30)}"
        elif v == 1:
            t = f"{city_en}, {st} St {h}, apt {f}"
        elif v == 2:
            t = f"Apt {f}, {h} {st} str., {city_en}"
        elif v == 3:
            t = f"{city_en} city, {rng.choice(MKR_EN)} mkr, house {h}"
        elif v == 4:
            t = f"{post}, {city_en}, {st} avenue {h}, flat {f}"
        else:
            t = f"{h} {st} Street, Apartment {f}, {city_en}, Kazakhstan {post}"
    if caps:
        t = t.upper()
    return t, lang


# ----------------------------------------------------------------------------------
# look-alike vocab
# ----------------------------------------------------------------------------------
PRODUCTS = [
    "Samsung Galaxy A54",
    "iPhone 15 Pro",
    "Xiaomi Redmi Note 13",
    "MacBook Air M2",
    "Honor X8b",
    "PlayStation 5",
    "Dyson V11",
    "LG OLED55C3",
    "Artel холодильник HD 455",
    "Bosch Serie 4",
    "Apple Watch SE",
    "Lenovo IdeaPad 3",
]
TARIFFS = [
    "Тариф «Шексіз 5000»",
    "тариф «Дала 30 ГБ»",
    "Тариф «Отбасы+»",
    "tariff «Smart Unlim»",
    "«Жастар 2900»",
    "пакет «Бизнес Старт»",
]
COMPANIES = [
    "ТОО «Алтын Дала Логистик»",
    "Kaspi",
    "Freedom Bank",
    "Jusan",
    "Halyk",
    "Beeline",
    "Kcell",
    "Tele2",
    "ТОО «Қызылжар Агро»",
    "АО «Теміртау Энерго Сервис»",
    "ТОО «Сарыарқа Молл»",
    "ИП «Ақбидай»",
    "Technodom",
    "Sulpak",
    "ТОО «Каспий Бурсервис»",
    "Wildberries",
    "Ozon.kz",
    "ТОО «Дала Мобайл»",
    "Bereke Bank",
    "ТОО «Тұлпар Транс»",
    "Air Astana",
    "AO «ҚазТрансКом»",
]
BANK = ["Sayabak Bank", "Саябақ Банк", "АО «Саябақ Банк»"]
ROLEMAIL = [
    "support@sayabak.kz",
    "noreply@sayabak.kz",
    "info@dalamobile.kz",
    "call-center@sayabak.kz",
    "hr@tulpar-trans.kz",
    "no-reply@orders.dala-shop.kz",
    "complaints@sayabak.kz",
    "help@dalamobile.kz",
]
URLS = [
    "https://sayabak.kz/help",
    "www.sayabak.kz/otp",
    "https://my.dalamobile.kz/login",
    "https://dala-shop.kz/orders",
    "sayabak.kz/tarify",
    "https://egov.kz",
    "http://bit.ly/3xYz7Q",
]
BRANCH = {
    "ru": [
        "отделении на Абая",
        "филиале №4 на Толе би",
        "ЦОК на Республики",
        "отделении в ТРЦ «Мега»",
        "отделении на Сейфуллина",
        "отделении №17",
    ],
    "kk": [
        "Абай даңғылындағы бөлімше",
        "№12 бөлімше",
        "Сейфуллин көшесіндегі филиал",
        "«Мега» СОО-дағы бөлімше",
    ],
    "en": ["Abay Ave branch", "branch #7 on Tole bi", "Mega mall branch", "Seifullin St office"],
}
MONTHS_RU = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
MONTHS_KK = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

PHONE_OPS = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]


def fmt_phone(rng, kind="mobile"):
    d = rdigits(rng, 7)
    a, b, c = d[:3], d[3:5], d[5:]
    if kind == "city":
        code, n = rng.choice(
            [
                ("7172", 6),
                ("727", 7),
                ("7212", 6),
                ("7252", 6),
                ("7132", 6),
                ("7292", 6),
                ("7182", 6),
            ]
        )
        d = rdigits(rng, n)
        loc = f"{d[:-4]}-{d[-4:-2]}-{d[-2:]}"
        return rng.choice([f"8 ({code}) {loc}", f"+7 ({code}) {loc}", f"8{code}{d}"])
    if kind == "foreign":
        return rng.choice(
            [
                f"+998 90 {a} {b} {c}",
                f"+998 93 {a}-{b}-{c}",
                f"+44 7700 900{rdigits(rng, 3)}",
                f"+82 10-{rdigits(rng, 4)}-{rdigits(rng, 4)}",
                f"+90 532 {a} {b} {c}",
                f"+7 916 {a}-{b}-{c}",
                f"+996 555 {a} {c}{b[:1]}",
            ]
        )
    op = rng.choice(PHONE_OPS)
    return rng.choice(
        [
            f"+7 {op} {a} {b} {c}",
            f"8 ({op}) {a}-{b}-{c}",
            f"+7-{op}-{a}-{b}-{c}",
            f"8{op}{d}",
            f"+7{op}{d}",
            f"8 {op} {a} {b}{c}",
            f"+7 ({op}) {a} {b} {c}",
            f"8-{op}-{a}-{b}-{c}",
        ]
    )


def fmt_date(rng, d, lang):
    r = rng.random()
    if lang == "ru":
        if r < 0.6:
            return d.strftime("%d.%m.%Y")
        return f"{d.day} {MONTHS_RU[d.month - 1]} {d.year}" + (" г." if r < 0.8 else "")
    if lang == "kk":
        if r < 0.6:
            return d.strftime("%d.%m.%Y")
        return rng.choice(
            [
                f"{d.year} жылғы {d.day} {MONTHS_KK[d.month - 1]}",
                f"{d.day} {MONTHS_KK[d.month - 1]} {d.year} ж.",
            ]
        )
    if r < 0.35:
        return d.strftime("%d/%m/%Y")
    if r < 0.7:
        return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
    return d.strftime("%Y-%m-%d") if r < 0.85 else f"{d.day} {MONTHS_EN[d.month - 1][:3]} {d.year}"


def fmt_iin(rng, s):
    r = rng.random()
    if r < 0.6:
        return s, False
    if r < 0.8:
        return s[:6] + " " + s[6:], True
    return f"{s[:4]} {s[4:8]} {s[8:]}", True


def typo_iin(rng, s):
    while True:
        i = rng.randrange(6, 11)
        t = s[:i] + str((int(s[i]) + rng.randrange(1, 10)) % 10) + s[i + 1 :]
        if not iin_valid(t):
            return t


IIN_LABEL_RE = re.compile(r"(ИИН|ЖСН|IIN|ИИН/IIN|ЖСН / ИИН|ЖСН/ИИН)\s*[:№]?\s*$", re.I)
TPL_RE = re.compile(r"\{([A-Za-z_]+)(?:\.([A-Za-z_]+))?\}")


# ----------------------------------------------------------------------------------
# composition machinery
# ----------------------------------------------------------------------------------
class Field:
    def __init__(self, ctx, name, ocr=False):
        self.ctx, self.name, self.ocr = ctx, name, ocr
        self.parts, self.n = [], 0
        self.mess = ctx.mess if name == "body" else None

    def lit(self, s, raw=False):
        if not raw:
            if self.ocr:
                s = self.ctx.ocr_noise(s)
            elif self.mess:
                s = self.ctx.apply_mess(s)
        self.parts.append(s)
        self.n += len(s)

    def span(self, s, typ, kind="pii", **extra):
        st = self.n
        self.parts.append(s)
        self.n += len(s)
        d = {"field": self.name, "start": st, "end": self.n, "type": typ, "value": s}
        if kind == "pii" and typ in ("PERSON", "ADDRESS"):
            d["script"] = "cyrillic" if has_cyr(s) else "latin"
            if has_cyr(s) and LAT_RE.search(s):
                d["mixed_script"] = True
        d.update(extra)
        (self.ctx.pii if kind == "pii" else self.ctx.look).append(d)

    def text(self):
        return "".join(self.parts)


class Ctx:
    def __init__(self, rng, lang, base, tplname):
        self.rng, self.lang, self.base, self.tpl = rng, lang, base, tplname
        self.people, self.traits, self.pii, self.look = {}, set(), [], []
        self.mess = None
        r = rng.random()
        if r < 0.10:
            self.mess = "typos"
        elif r < 0.16:
            self.mess = "nopunct"
        elif r < 0.245:
            self.mess = "shout"
        elif r < 0.345:
            self.mess = "br"
        self.latpref = base == "en" and (lang != "mix" or rng.random() < 0.4)
        self.cur_field = None

    # -------- people
    def P(self, k):
        if k not in self.people:
            rng = self.rng
            if k == "S" and self.lang == "en" and rng.random() < 0.35:
                p = Person(rng, eth="english")
            elif k == "S" and self.lang == "kk":
                p = Person(rng, eth=rng.choice(["kazakh"] * 6 + ["other"]))
            elif self.lang == "mix" and self.base == "en":
                p = Person(rng, eth=rng.choice(["kazakh", "russian", "other"]))
            else:
                p = Person(rng)
            self.people[k] = p
        return self.people[k]

    # -------- messiness
    def apply_mess(self, s):
        rng = self.rng
        m = self.mess
        orig = s
        if m == "typos":
            words = s.split(" ")
            for i, w in enumerate(words):
                if len(w) > 4 and w.isalpha() and rng.random() < 0.12:
                    j = rng.randrange(1, len(w) - 2)
                    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            s = " ".join(words).replace("пәтер", "патер")
        elif m == "nopunct":
            s = re.sub(r"[,.!](?=\s)", "", s)
        elif m == "shout":
            s = s.upper()
        elif m == "br":
            s = s.replace("\n", "<br>\n" if rng.random() < 0.5 else "<br>")
        if s != orig and (m != "shout" or any(c.isalpha() for c in orig)):
            self.traits.add(
                {"typos": "typos", "nopunct": "typos", "shout": "caps_shouting", "br": "html_br"}[m]
            )
        return s

    def ocr_noise(self, s):
        rng = self.rng
        out = []
        for ch in s:
            r = rng.random()
            if ch in "НОСРЕАТКМХ" and r < 0.12:
                out.append(
                    {
                        "Н": "H",
                        "О": "0",
                        "С": "C",
                        "Р": "P",
                        "Е": "E",
                        "А": "A",
                        "Т": "T",
                        "К": "K",
                        "М": "M",
                        "Х": "X",
                    }[ch]
                )
            elif ch in "оеа" and r < 0.05:
                out.append({"о": "0", "е": "e", "а": "a"}[ch])
            elif ch == " " and r < 0.12:
                out.append("  ")
            elif ch.isalpha() and r < 0.015:
                out.append(ch + " ")
            elif ch in "ІіЁ" and r < 0.2:
                out.append({"І": "1", "і": "i", "Ё": "Е"}[ch])
            else:
                out.append(ch)
        return "".join(out)

    # -------- rendering
    def render(self, F, tpl):
        pos = 0
        for m in TPL_RE.finditer(tpl):
            if m.start() > pos:
                F.lit(tpl[pos : m.start()])
            self.ph(F, m.group(1), m.group(2))
            pos = m.end()
        if pos < len(tpl):
            F.lit(tpl[pos:])

    def person(self, F, k, form):
        rng, p = self.rng, self.P(k)
        if form == "auto":
            form = rng.choices(
                ["fl", "lf", "full", "init", "caps", "dat", "mix"], [35, 15, 20, 12, 8, 5, 5]
            )[0]
        if form == "sig":
            form = rng.choices(
                ["fl", "full", "first", "init", "caps", "lat", "mix", "lf"],
                [25, 15, 20, 10, 10, 8, 5, 7],
            )[0]
        if (
            self.latpref
            and not p.latin
            and form not in ("capslast", "capsfirst", "capspatr")
            and rng.random() < 0.85
        ):
            form = {
                "fl": "lat",
                "lf": "lat",
                "full": "lat",
                "first": "latfirst",
                "init": "latinit",
                "caps": "lcaps",
                "dat": "lat",
                "gen": "lat",
                "low": "latlow",
                "mix": "lat",
                "maiden": "maiden",
            }.get(form, form)
        if p.latin:
            form = {
                "caps": "lcaps",
                "mix": "fl",
                "dat": "fl",
                "gen": "fl",
                "latfirst": "first",
                "lat": "fl",
                "init": "latinit",
                "full": "fl",
                "latlow": "low",
                "latlast": "last",
            }.get(form, form)
        if form in ("capspatr", "patr") and not p.patr:
            form = "capsfirst" if form == "capspatr" else "first"
        tr = p.tr
        if form == "fl":
            v = f"{p.first} {p.last}"
        elif form == "lf":
            v = f"{p.last} {p.first}"
        elif form == "full":
            v = p.fio()
        elif form == "first":
            v = p.first
        elif form == "init":
            v = p.initials(rng)
        elif form == "caps":
            v = rng.choice([p.fio(), f"{p.last} {p.first}", p.last, f"{p.first} {p.last}"]).upper()
        elif form == "lat":
            v = rng.choice([f"{tr(p.first)} {tr(p.last)}"] * 3 + [f"{tr(p.last)} {tr(p.first)}"])
        elif form == "latfirst":
            v = tr(p.first)
        elif form == "latlow":
            v = tr(p.first).lower()
        elif form == "latinit":
            v = f"{tr(p.first)[0]}. {tr(p.last)}"
        elif form == "lcaps":
            v = rng.choice([f"{tr(p.last)} {tr(p.first)}", f"{tr(p.first)} {tr(p.last)}"]).upper()
        elif form in ("dat", "gen"):
            v = p.case(form, rng)
        elif form == "low":
            v = p.low()
        elif form == "mix":
            v = mixify(
                rng.choice([f"{p.first} {p.last}", p.first, f"{p.last} {p.first}".upper(), p.last]),
                rng,
            )
        elif form == "mr":
            F.lit(
                rng.choice(["Mr ", "Ms ", "г-н ", "г-жа "]) if p.latin or rng.random() < 0.5 else ""
            )
            v = tr(p.last)
        elif form == "capslast":
            v = p.last.upper()
        elif form == "last":
            v = p.last
        elif form == "patr":
            v = p.patr
        elif form == "latlast":
            v = tr(p.last)
        elif form == "lcapslast":
            v = tr(p.last).upper()
        elif form == "lcapsfirst":
            v = tr(p.first).upper()
        elif form == "capsfirst":
            v = p.first.upper()
        elif form == "capspatr":
            v = p.patr.upper()
        elif form == "maiden":
            v = (
                f"{p.first} {p.maiden_name(rng)}"
                if rng.random() < 0.6 or p.latin
                else p.maiden_name(rng)
            )
            if self.latpref and not p.latin:
                v = tr(v)
        else:
            raise KeyError(form)
        if (F.ocr and has_cyr(v) and v.isupper() and rng.random() < 0.35) or (
            has_cyr(v) and form not in ("mix",) and rng.random() < 0.03
        ):
            v = mixify(v, rng)
        if has_cyr(v) and LAT_RE.search(v):
            self.traits.add("mixed_script_name")
        if v.isupper() and len(v) > 2:
            self.traits.add("all_caps_name")
        if form in ("first", "latfirst", "low", "latlow", "capsfirst", "lcapsfirst") or (
            form == "mix" and " " not in v
        ):
            self.traits.add("single_first_name")
        if (
            form
            in (
                "lat",
                "latfirst",
                "latinit",
                "lcaps",
                "latlow",
                "latlast",
                "lcapslast",
                "lcapsfirst",
            )
            and not p.latin
        ):
            self.traits.add("transliteration")
        if form in ("dat", "gen"):
            self.traits.add("case_form")
        if form in ("low", "latlow"):
            self.traits.add("lowercase_name")
        if form in ("init", "latinit"):
            self.traits.add("initials")
        if k in "TE" and F.name == "body":
            self.traits.add("third_party_name")
        F.span(v, "PERSON", form=form)

    def ph(self, F, key, form):
        rng, lang = self.rng, self.base
        if key in ("S", "M", "T", "R", "E") and form:
            p = self.P(key)
            if form == "email":
                return F.span(p.email(), "EMAIL_ADDRESS")
            if form in ("iin", "iinT"):
                return self.ph_iin(F, p, form == "iinT")
            if form == "dob":
                self.traits.add("dob")
                return F.span(fmt_date(rng, p.dob, lang if not F.ocr else "ru"), "DATE_OF_BIRTH")
            return self.person(F, key, form)
        if key == "iin":
            return self.ph_iin(F, self.P("S"), False)
        if key == "iinT":
            return self.ph_iin(F, self.P("S"), True)
        if key == "dob":
            return self.ph(F, "S", "dob")
        if key == "email":
            return F.span(self.P("S").email(), "EMAIL_ADDRESS")
        if key in ("addr", "addr_ml", "addr_caps", "addr_ru", "addr_kk", "addr_en"):
            al = (
                key[5:]
                if key[5:] in ("ru", "kk", "en")
                else (self.lang if self.lang != "kk" or rng.random() < 0.75 else "ru")
            )
            if al == "en" and self.lang != "en" and self.lang != "mix":
                al = "ru"
            if self.base == "en" and self.lang == "mix" and rng.random() < 0.5:
                al = "en"
            caps = key == "addr_caps" or (F.ocr and rng.random() < 0.5) or rng.random() < 0.04
            v, al = make_address(rng, al, caps=caps, multiline=key == "addr_ml")
            if F.ocr and rng.random() < 0.3:
                v = mixify(v, rng, 2)
            self.traits.add("address_" + al)
            if caps:
                self.traits.add("address_caps")
            if "\n" in v:
                self.traits.add("address_multiline")
            return F.span(v, "ADDRESS")
        if key == "bin":
            b = make_bin(rng)
            v = b if rng.random() < 0.8 else b[:6] + " " + b[6:]
            return F.span(v, "KZ_BIN")
        if key in ("phone", "cphone", "fphone"):
            kind = {"phone": "mobile", "cphone": "city", "fphone": "foreign"}[key]
            if key == "phone" and rng.random() < 0.06:
                kind = "foreign"
            if kind == "foreign":
                self.traits.add("foreign_phone")
            return F.span(fmt_phone(rng, kind), "PHONE_NUMBER")
        if key == "card":
            c = make_card(rng)
            r = rng.random()
            v = (
                c
                if r < 0.3
                else (
                    " ".join(c[i : i + 4] for i in range(0, 16, 4))
                    if r < 0.8
                    else "-".join(c[i : i + 4] for i in range(0, 16, 4))
                )
            )
            return F.span(v, "CREDIT_CARD")
        if key == "iban":
            b = make_iban(rng)
            v = b if rng.random() < 0.5 else " ".join(b[i : i + 4] for i in range(0, 20, 4))
            return F.span(v, "IBAN_CODE")
        if key == "idcard":
            return F.span("0" + rdigits(rng, 8), "ID_DOC")
        if key == "passport":
            return F.span("N" + rdigits(rng, 8), "ID_DOC")
        # ---- look-alikes
        L = lambda v, t: F.span(v, t, kind="look")
        if key == "order":
            return L(
                rng.choice(
                    [
                        f"№ {rng.randrange(1, 999)}/{rng.choice([2024, 2025, 2026])}",
                        f"№{rdigits(rng, 7)}",
                        f"#{rdigits(rng, 9)}",
                        f"ORD-{rdigits(rng, 6)}",
                        f"{rdigits(rng, 10)}",
                    ]
                ),
                "ORDER_ID",
            )
        if key == "contract":
            return L(
                rng.choice(
                    [
                        f"№ KZ-{rng.choice([2023, 2024, 2025])}-{rdigits(rng, 5)}",
                        f"№ {rdigits(rng, 2)}-{rdigits(rng, 2)}/{rdigits(rng, 4)}",
                        f"№{rdigits(rng, 3)}-КЗ-{rdigits(rng, 6)}",
                        f"KD{rdigits(rng, 9)}",
                        f"№ {rdigits(rng, 4)}/ЮЛ",
                    ]
                ),
                "CONTRACT_NO",
            )
        if key == "req":
            while True:
                v = rdigits(rng, 12)
                if not iin_valid(v):
                    break
            if rng.random() < 0.5:
                v = "1" + v[1:]
                if iin_valid(v):
                    v = v[:11] + str((int(v[11]) + 1) % 10)
            return L(v, "REQUEST_NO")
        if key == "track":
            r = rng.random()
            if r < 0.5:
                return L(s10(rng), "TRACKING_ID")
            F.lit(rng.choice(["CDEK ", "СДЭК ", "Kazpost ", ""]))
            return L(rdigits(rng, 10), "TRACKING_ID")
        if key == "device":
            return L(rng.choice(DEVICES), "PRODUCT")
        if key == "product":
            return L(rng.choice(PRODUCTS), "PRODUCT")
        if key == "tariff":
            return L(rng.choice(TARIFFS), "PRODUCT")
        if key == "company":
            return L(rng.choice(COMPANIES), "COMPANY")
        if key == "bank":
            return L(rng.choice(BANK), "COMPANY")
        if key in ("city", "cityloc"):
            c = rng.choice(CITIES)
            if key == "city":
                return L(c[{"ru": 0, "kk": 1, "en": 2}[lang]], "CITY")
            if lang == "ru":
                F.lit(rng.choice(["в ", "в г. "]))
                return L(c[3], "CITY")
            if lang == "kk":
                L(c[1], "CITY")
                return F.lit(" қаласында")
            F.lit(rng.choice(["in ", "from "]))
            return L(c[2], "CITY")
        if key == "branch":
            return L(rng.choice(BRANCH[lang]), "BRANCH")
        if key == "hotline":
            return L(
                rng.choice(
                    [
                        f"8 800 0{rdigits(rng, 2)} {rdigits(rng, 2)} {rdigits(rng, 2)}",
                        f"+7 727 2{rdigits(rng, 2)} {rdigits(rng, 2)} {rdigits(rng, 2)}",
                        f"7{rdigits(rng, 3)}",
                        f"8 (800) 0{rdigits(rng, 2)}-{rdigits(rng, 2)}-{rdigits(rng, 2)}",
                    ]
                ),
                "HOTLINE",
            )
        if key == "rolemail":
            return L(rng.choice(ROLEMAIL), "ROLE_MAILBOX")
        if key == "amount":
            n = rng.choice([rng.randrange(500, 99999), rng.randrange(1, 3000) * 1000])
            s = f"{n:,}".replace(",", rng.choice([" ", " ", ".", ","]))
            return L(
                rng.choice(
                    [
                        f"{s} тг",
                        f"{s} тенге",
                        f"₸ {s}",
                        f"KZT {s}",
                        f"{s} ₸",
                        f"{s}.00 KZT",
                        f"{n} теңге",
                    ]
                ),
                "AMOUNT",
            )
        if key == "date":
            d = _dt.date(2025, 1, 1) + _dt.timedelta(days=rng.randrange(0, 700))
            return L(fmt_date(rng, d, lang), "DATE")
        if key == "mcard":
            return L(
                rng.choice(
                    [
                        f"**** {rdigits(rng, 4)}",
                        f"4405 62** **** {rdigits(rng, 4)}",
                        f"*{rdigits(rng, 4)}",
                        f"5169 **** **** {rdigits(rng, 4)}",
                        f"XXXX-XXXX-XXXX-{rdigits(rng, 4)}",
                    ]
                ),
                "MASKED_CARD",
            )
        if key == "url":
            return L(rng.choice(URLS), "URL")
        raise KeyError(key)

    def ph_iin(self, F, p, allow_typo):
        rng = self.rng
        before = "".join(F.parts)[-20:]
        labelled = bool(IIN_LABEL_RE.search(before))
        if allow_typo and labelled and rng.random() < 0.2:
            v = typo_iin(rng, p.iin)
            self.traits.add("iin_typo")
            return F.span(v, "KZ_IIN", typo=True)
        v, grouped = fmt_iin(rng, p.iin)
        if grouped:
            self.traits.add("grouped_iin")
        return F.span(v, "KZ_IIN")


# ----------------------------------------------------------------------------------
# situations: {name: {lang: (subject, body)}}; 'mix' = explicitly code-switched body
# ----------------------------------------------------------------------------------
T = {}
T["card_blocked"] = {
    "ru": (
        "Карта заблокирована",
        "Моя карта {card} заблокирована без объяснения причин. Вчера пытался оплатить {product} {cityloc}, операция отклонена. Прошу разблокировать. ИИН {iinT}, телефон для связи {phone}.",
    ),
    "kk": (
        "Карта бұғатталды",
        "Менің {card} картам бұғатталып қалды. Кеше {company} дүкенінде төлем өтпеді. ЖСН: {iinT}. Байланыс телефоны: {phone}. Тез арада ашып беруіңізді сұраймын.",
    ),
    "en": (
        "Card blocked",
        "My card {card} was blocked yesterday when I tried to pay for a {product} {cityloc}. My IIN is {iinT}, you can reach me at {phone}. Please unblock it ASAP.",
    ),
    "mix": (
        "карта блок",
        "Сәлеметсіз бе, карта {card} заблокирована, төлем өтпей жатыр. ИИН {iinT}. Позвоните мне {phone}, рахмет.",
    ),
}
T["card_lost"] = {
    "ru": (
        "Утеря карты",
        "Я потеряла карту, последние цифры {mcard}. Прошу перевыпустить и доставить по адресу: {addr}. Получатель {S.full}, тел. {phone}.",
    ),
    "kk": (
        "Карта жоғалды",
        "Картамды жоғалтып алдым ({mcard}). Жаңа картаны мына мекенжайға жеткізіңіз: {addr}. Алушы: {S.full}, тел.: {phone}.",
    ),
    "en": (
        "Lost card",
        "I lost my card ending {mcard}. Please reissue it and deliver to {addr}. Recipient: {S.fl}, mobile {phone}. Name on card: {S.lcaps}.",
    ),
}
T["complaint_fee"] = {
    "ru": (
        "Жалоба на комиссию",
        "С моего счёта {iban} списали комиссию {amount} за обслуживание, хотя при открытии менеджер {T.fl} в {branch} сказал, что обслуживание бесплатное. Прошу вернуть деньги.",
    ),
    "kk": (
        "Комиссия туралы шағым",
        "{iban} шотымнан {amount} комиссия алынды. {branch} қызметкері {T.fl} тегін деп айтқан еді. Ақшаны қайтаруыңызды сұраймын.",
    ),
    "en": (
        "Unfair fee",
        "You charged me a fee of {amount} on account {iban}. When I opened it, your manager {T.fl} at the {branch} promised no fees. I want a refund.",
    ),
    "mix": (
        "комиссия???",
        "Hi, I was charged {amount} on {iban}. Менеджер {T.fl} said it's free, бірақ ақша алынды. Please check.",
    ),
}
T["loan_request"] = {
    "ru": (
        "Заявка на кредит",
        "Прошу рассмотреть заявку на потребительский кредит на сумму {amount}.\nФИО: {S.full}\nДата рождения: {dob}\nИИН: {iinT}\nУдостоверение личности № {idcard}\nМесто работы: {company}\nАдрес регистрации: {addr}",
    ),
    "kk": (
        "Несиеге өтінім",
        "{amount} көлемінде тұтынушылық несие алғым келеді. Мәліметтерім: {S.full}, туған күні {dob}, ЖСН {iinT}, жеке куәлік № {idcard}. Тіркелген мекенжайым: {addr}.",
    ),
    "en": (
        "Loan application",
        "I would like to apply for a consumer loan of {amount}. Full name: {S.fl}, DOB {dob}, IIN {iinT}, ID card № {idcard}. Registered address: {addr}.",
    ),
}
T["loan_restructure"] = {
    "ru": (
        "Реструктуризация",
        "Из-за сокращения на работе ({company}) не могу платить по договору {contract}. Прошу реструктуризацию. Заёмщик {S.init}, созаёмщик — моя супруга {R.fl}, ИИН {R.iin}.",
    ),
    "kk": (
        "Несиені қайта құрылымдау",
        "{contract} келісімшарты бойынша төлей алмай жүрмін. Қарыз алушы: {S.init}, ЖСН {iinT}. Несиені қайта құрылымдауды сұраймын.",
    ),
    "en": (
        "Restructuring request",
        "Due to layoffs at {company} I cannot keep up with payments under contract {contract}. Borrower: {S.init}; co-borrower: {R.fl}. Please restructure.",
    ),
}
T["address_change"] = {
    "ru": (
        "Смена адреса",
        "Прошу изменить мой адрес проживания.\nСтарый адрес: {addr}\nНовый адрес: {addr}\nФИО: {S.full}, ИИН {iinT}.",
    ),
    "kk": (
        "Мекенжайды өзгерту",
        "Мекенжайымды өзгертуді сұраймын. Ескі мекенжай: {addr}. Жаңа мекенжай: {addr}. Аты-жөні: {S.full}.",
    ),
    "en": (
        "Change of address",
        "Please update my address. Old: {addr}. New: {addr}. Name: {S.fl}, IIN {iinT}.",
    ),
    "mix": (
        "Адрес ауыстыру",
        "Мекенжайым өзгерді, новый адрес: {addr}. Старый был {addr}. Рахмет, {S.first}",
    ),
}
T["contract_attached"] = {
    "ru": (
        "Договор {contract}",
        "Направляю скан подписанного договора {contract} от {date}. Если чего-то не хватает, звоните {phone}.",
    ),
    "kk": (
        "Келісімшарт",
        "{date} күнгі {contract} келісімшартының сканын жіберіп отырмын. Сұрақ болса, {phone} нөміріне хабарласыңыз.",
    ),
    "en": (
        "Signed contract",
        "Please find attached the signed contract {contract} dated {date}. Call me on {phone} if anything is missing.",
    ),
}
T["power_of_attorney"] = {
    "ru": (
        "Доверенность",
        "Я, {S.full}, доверяю {R.dat} получить мою карту в {branch}. Доверенность во вложении. Паспорт доверенного лица {passport}.",
    ),
    "kk": (
        "Сенімхат",
        "Мен, {S.full}, картамды алуды {R.fl} деген адамға сеніп тапсырамын. Сенімхат қоса беріліп отыр. Сенім білдірілген адамның жеке куәлігі № {idcard}.",
    ),
    "en": (
        "Power of attorney",
        "I, {S.fl}, authorise {R.fl} (passport {passport}) to collect my card on my behalf. The power of attorney is attached.",
    ),
}
T["web_form_dump"] = {"ru": (None, None), "kk": (None, None), "en": (None, None)}
T["sms_oneliner"] = {
    "ru": (None, None),
    "kk": (None, None),
    "en": (None, None),
    "mix": (None, None),
}
T["hr_employment_certificate"] = {
    "ru": (
        "Справка с места работы",
        "Прошу выдать справку с места работы для банка. Сотрудник: {S.full}, табельный {order}, дата рождения {dob}, ИИН {iinT}. Работает в {company} с {date}.",
    ),
    "kk": (
        "Анықтама",
        "Банкке жұмыс орнынан анықтама беруіңізді сұраймын. Қызметкер: {S.full}, ЖСН {iinT}, туған күні {dob}.",
    ),
    "en": (
        "Employment certificate",
        "Could HR please issue an employment certificate for {S.fl} (DOB {dob}, IIN {iinT})? It is needed for a mortgage application at {company}.",
    ),
}
T["telecom_number_port"] = {
    "ru": (
        "Перенос номера",
        "Хочу перенести номер {phone} от {company} к вам с сохранением номера. Владелец номера {S.full}, удостоверение личности № {idcard}, ИИН {iinT}.",
    ),
    "kk": (
        "Нөмірді көшіру",
        "{phone} нөмірімді {company} операторынан сіздерге көшіргім келеді. Иесі: {S.full}, жеке куәлік № {idcard}.",
    ),
    "en": (
        "Number porting",
        "I want to port my number {phone} from {company}. Owner: {S.fl}, ID card № {idcard}.",
    ),
}
T["telecom_sim_replace"] = {
    "ru": (
        "Замена SIM",
        "Сломалась сим-карта на номере {phone}, нужен дубликат. Номер оформлен на моего отца {R.full}, он сейчас живёт по адресу {addr}.",
    ),
    "kk": (
        "SIM-карта",
        "{phone} нөміріндегі SIM-карта істемей қалды. Нөмір әкемнің атында: {R.full}. Мекенжайы: {addr}.",
    ),
    "mix": (
        "сим карта",
        "Сим-карта сломалась, нөмір {phone}. Оформлен на {R.fl}, мекенжайы {addr}. Рахмет.",
    ),
}
T["retail_delivery_problem"] = {
    "ru": (
        "Не доставлен заказ {order}",
        "Заказ {order} ({product}) так и не доставлен. Трек {track}. Адрес доставки: {addr}, получатель {S.fl}, тел. {phone}.",
    ),
    "kk": (
        "Тапсырыс жеткізілмеді",
        "{order} тапсырысым ({product}) әлі жеткізілмеді. Трек-нөмір: {track}. Мекенжай: {addr}.",
    ),
    "en": (
        "Order not delivered",
        "My order {order} ({product}) has not arrived. Tracking {track}. Delivery address: {addr}. Recipient {S.fl}.",
    ),
}
T["reply_quoted"] = {
    "ru": (
        "Re: Обращение {order}",
        "Спасибо за ответ, но проблема не решена. Деньги {amount} так и не вернулись на карту {mcard}.",
    ),
    "kk": (
        "Re: Өтініш {order}",
        "Жауабыңызға рахмет, бірақ мәселе шешілмеді. {amount} әлі қайтарылған жоқ.",
    ),
    "en": (
        "RE: Case {order}",
        "Thanks, but the issue is still open. The {amount} has not been returned to my card {mcard}.",
    ),
}
T["forwarded_complaint"] = {
    "ru": (
        "Fwd: жалоба",
        "Пересылаю жалобу моей мамы, она не пользуется почтой. Ответьте, пожалуйста, мне.",
    ),
    "kk": ("Fwd: шағым", "Анамның шағымын жіберіп отырмын, ол поштаны қолданбайды."),
    "en": ("Fwd: complaint", "Forwarding my relative's complaint below, please reply to me."),
}
T["transfer_wrong_iban"] = {
    "ru": (
        "Ошибочный перевод",
        "Ошибочно перевёл {amount} на счёт {iban} вместо {iban}. Получатель {T.full}. Прошу отменить перевод.",
    ),
    "kk": (
        "Қате аударым",
        "Қателесіп {amount} соманы {iban} шотына аударып жібердім. Алушы: {T.fl}. Аударымды кері қайтаруды сұраймын.",
    ),
    "en": (
        "Wrong transfer",
        "I sent {amount} to {iban} by mistake instead of {iban}. The recipient name shown was {T.lcaps}. Please reverse it.",
    ),
}
T["deposit_open"] = {
    "ru": (
        "Открытие депозита",
        "Хочу открыть депозит на имя дочери {R.fl} (д.р. {R.dob}, ИИН {R.iin}). Сумма {amount}.",
    ),
    "kk": (
        "Депозит ашу",
        "Қызым {R.fl} атына депозит ашқым келеді. Туған күні: {R.dob}, ЖСН {R.iin}.",
    ),
    "en": (
        "Deposit for my son",
        "I'd like to open a deposit for my son {R.fl}, born on {R.dob}. Amount {amount}.",
    ),
}
T["deposit_close"] = {
    "ru": (
        "Закрытие депозита",
        "Прошу закрыть депозит по договору {contract} и перечислить остаток на карту {card}.",
    ),
    "kk": (
        "Депозитті жабу",
        "{contract} шарты бойынша депозитті жауып, қалдығын {card} картасына аударуыңызды сұраймын.",
    ),
    "en": (
        "Close deposit",
        "Please close my deposit under contract {contract} and transfer the balance to card {card}.",
    ),
}
T["mortgage_docs"] = {
    "ru": (
        "Документы на ипотеку",
        "Отправляю документы для ипотеки: заявление, справку о доходах. Объект: {addr}. Продавец {T.full}, ИИН {T.iin}.",
    ),
    "en": (
        "Mortgage documents",
        "Sending the documents for the mortgage. Property: {addr}. Seller: {T.fl}, IIN {T.iin}.",
    ),
}
T["account_statement_request"] = {
    "ru": (
        "Выписка по счёту",
        "Нужна выписка по счёту {iban} за период с {date} по {date} для посольства. Владелец счёта {S.lf}.",
    ),
    "kk": (
        "Үзінді көшірме",
        "{iban} шоты бойынша {date} мен {date} аралығындағы үзінді көшірме керек. Шот иесі: {S.lf}.",
    ),
    "en": (
        "Bank statement",
        "I need a statement for account {iban} from {date} to {date} for a visa application. Account holder: {S.lcaps}.",
    ),
}
T["otp_not_received"] = {
    "ru": (
        "Не приходит код",
        "Не приходят SMS-коды на номер {phone}. Захожу через {url}, пишет ошибку. Логин {email}.",
    ),
    "kk": ("SMS-код келмейді", "{phone} нөміріне SMS-код келмейді. Логин: {email}. Сайт: {url}."),
    "en": (
        "OTP not received",
        "I'm not receiving OTP codes on {phone}. Login {email}, page {url}.",
    ),
}
T["fraud_report"] = {
    "ru": (
        "МОШЕННИКИ",
        "Мне позвонил человек, представился сотрудником службы безопасности {T.fl}, звонил с номера {phone}. После разговора с карты {card} списали {amount}. Заблокируйте!",
    ),
    "kk": (
        "Алаяқтық",
        "Маған {phone} нөмірінен {T.fl} деген адам қоңырау шалып, банк қызметкерімін деді. Содан кейін {card} картамнан {amount} шешіліп қалды.",
    ),
    "en": (
        "Fraud",
        "Someone called me from {phone}, introduced himself as {T.fl} from your security team, and then {amount} was taken from my card {card}.",
    ),
}
T["salary_project"] = {
    "ru": (
        "Зарплатный проект",
        "Направляем список сотрудников для зарплатного проекта {company}, БИН {bin}:\n1. {E.full}, ИИН {E.iin}\n2. {T.full}, ИИН {T.iin}\n3. {R.init}, ИИН {R.iin}",
    ),
    "en": (
        "Payroll project",
        "Company {company}, BIN {bin}. Employees to enrol:\n- {E.lcaps}, IIN {E.iin}\n- {T.fl}, IIN {T.iin}",
    ),
    "kk": (
        "Жалақы жобасы",
        "{company}, БСН {bin}. Қызметкерлер тізімі:\n1) {E.full} — ЖСН {E.iin}\n2) {T.full} — ЖСН {T.iin}",
    ),
}
T["inheritance_claim"] = {
    "ru": (
        "Наследство",
        "Мой отец {R.full} умер {date}. Я его наследник. Прошу сообщить об остатках на его счетах, ИИН отца {R.iin}. Свидетельство о праве на наследство прилагаю.",
    ),
    "kk": (
        "Мұра",
        "Әкем {R.full} {date} қайтыс болды. Мен оның мұрагерімін. Әкемнің ЖСН: {R.iin}.",
    ),
}
T["refund_request"] = {
    "ru": (
        "Возврат денег",
        "Вернул {product} в {company}, но {amount} до сих пор не пришли на карту {card}.",
    ),
    "kk": (
        "Ақшаны қайтару",
        "{company} дүкеніне {product} қайтардым, бірақ {amount} әлі {card} картама түскен жоқ.",
    ),
    "en": (
        "Refund missing",
        "I returned a {product} to {company} on {date} but the refund of {amount} never reached card {card}.",
    ),
}
T["chargeback"] = {
    "ru": (
        "Оспорить операцию",
        "Прошу оспорить операцию на {amount} в {company} от {date} по карте {mcard}. Я её не совершал.",
    ),
    "en": (
        "Chargeback",
        "Please raise a chargeback for the transaction of {amount} at {company} on {date}; card {mcard}. I did not authorise it.",
    ),
}
T["id_card_update"] = {
    "ru": (
        "Новое удостоверение",
        "Получил новое удостоверение личности № {idcard}, прошу обновить данные. Скан во вложении.",
    ),
    "kk": (
        "Жаңа жеке куәлік",
        "Жаңа жеке куәлік алдым (№ {idcard}), деректерімді жаңартуыңызды сұраймын. Сканы қоса берілді.",
    ),
    "en": (
        "New ID card",
        "I have a new ID card № {idcard}, scan attached. Please update my profile.",
    ),
}
T["name_change_marriage"] = {
    "ru": (
        "Смена фамилии",
        "В связи с замужеством сменила фамилию: была {S.maiden}, теперь {S.fl}. ИИН прежний: {iin}.",
    ),
    "kk": (
        "Тегін өзгерту",
        "Тұрмысқа шығуыма байланысты тегім өзгерді: бұрын {S.maiden}, қазір {S.fl}.",
    ),
    "en": (
        "Name change",
        "Following my marriage my name changed from {S.maiden} to {S.fl}. IIN {iin}.",
    ),
}
T["guarantor_info"] = {
    "ru": (
        "Гарант по кредиту",
        "Гарантом по кредиту будет мой брат {R.full}, проживает: {addr}, тел. {phone}, ИИН {R.iin}.",
    ),
    "en": ("Guarantor", "My guarantor is my brother {R.fl}, living at {addr}, phone {phone}."),
}
T["car_loan"] = {
    "ru": (
        "Автокредит",
        "Хочу взять автокредит, продавец — {company}, сумма {amount}. Мой ИИН {iinT}, телефон {phone}.",
    ),
    "en": (
        "Car loan",
        "I'd like a car loan of {amount} from dealer {company}. IIN {iinT}, mobile {phone}.",
    ),
    "kk": (
        "Автонесие",
        "{company} салонынан көлік алғым келеді, сомасы {amount}. ЖСН {iinT}, тел. {phone}.",
    ),
}
T["insurance_claim"] = {
    "ru": (
        "Страховой случай",
        "Страховой случай по полису {contract}: ДТП {date}, второй участник {T.fl}, его телефон {phone}.",
    ),
    "kk": (
        "Сақтандыру жағдайы",
        "{contract} полисі бойынша: {date} жол апаты, екінші қатысушы {T.fl}, тел. {phone}.",
    ),
}
T["overdue_debt_dispute"] = {
    "ru": (
        "Звонки коллекторов",
        "Мне звонят коллекторы по долгу гражданина {T.gen}, а я не имею к нему отношения! Мой номер {phone}, я {S.fl}. Прекратите звонки.",
    ),
    "en": (
        "Collectors calling",
        "Your collectors keep calling me about a debt of {T.fl}. I am {S.fl}, not that person. My number is {phone}.",
    ),
}
T["callback_request"] = {
    "ru": (
        "Перезвоните",
        "Перезвоните мне, пожалуйста, на {phone} или {cphone}, спросите {S.low}.",
    ),
    "kk": ("Хабарласыңыз", "Маған {phone} нөміріне хабарласыңызшы. Жұмыс телефоны {cphone}."),
    "en": ("Call me back", "Please call me back on {phone}. Ask for {S.latlow}."),
}
T["complaint_branch_staff"] = {
    "ru": (
        "Жалоба на сотрудника",
        "Хочу пожаловаться на сотрудника — кассир {T.fl} в {branch} нагрубил(а) мне. Также прошу отметить менеджера {E.fl}, который помог.",
    ),
    "kk": (
        "Қызметкерге шағым",
        "{branch} кассирі {T.fl} маған дөрекі сөйледі. Ал менеджер {E.fl} көп көмектесті.",
    ),
    "en": (
        "Complaint about staff",
        "I spoke with {T.fl} at the {branch} and was treated very rudely. Her colleague {E.fl} was helpful though.",
    ),
}
T["business_account_open"] = {
    "ru": (
        "Открытие счёта ТОО",
        "Хотим открыть расчётный счёт для {company}, БИН {bin}. Директор {S.full}, ИИН {iin}. Юридический адрес: {addr}.",
    ),
    "kk": (
        "Шот ашу",
        "{company} үшін шот ашқымыз келеді, БСН {bin}. Директор: {S.full}. Заңды мекенжайы: {addr}.",
    ),
    "en": (
        "Business account",
        "We want to open a business account for {company}, BIN {bin}. Director: {S.fl}. Legal address: {addr}.",
    ),
}
T["pension_transfer"] = {
    "ru": (
        "Пенсия на счёт",
        "Прошу перевести пенсионные выплаты моей матери {R.full} (ИИН {R.iin}) на её счёт {iban}.",
    ),
    "kk": (
        "Зейнетақы",
        "Анам {R.full} (ЖСН {R.iin}) зейнетақысын {iban} шотына аударуды сұраймын.",
    ),
}
T["student_loan"] = {
    "ru": (
        "Образовательный кредит",
        "Прошу рассмотреть образовательный кредит для сына {R.fl}, д.р. {R.dob}, студента. Сумма за год {amount}.",
    ),
    "en": (
        "Student loan",
        "I'm applying for a student loan for my daughter {R.fl}, date of birth {R.dob}. Tuition is {amount}.",
    ),
    "kk": (
        "Білім беру несиесі",
        "Ұлым {R.fl} үшін білім беру несиесін сұраймын, туған күні {R.dob}.",
    ),
}
T["telecom_tariff_change"] = {
    "ru": (
        "Смена тарифа",
        "Хочу сменить {tariff} на более дешёвый на номере {phone}. Абонент {S.lf}.",
    ),
    "kk": (
        "Тарифті ауыстыру",
        "{phone} нөміріндегі {tariff} тарифін ауыстырғым келеді. Абонент: {S.lf}.",
    ),
    "en": ("Plan change", "Please switch my plan {tariff} on {phone} to something cheaper."),
}
T["telecom_billing_dispute"] = {
    "ru": (
        "Неверный счёт",
        "В счёте за {date} списали {amount} за роуминг, хотя я не выезжал из {city}. Номер {phone}, договор {contract}.",
    ),
    "kk": (
        "Шот қате",
        "{date} шотында роуминг үшін {amount} алынды, бірақ мен {city} қаласынан шыққан жоқпын. Нөмір {phone}.",
    ),
    "en": (
        "Billing error",
        "My bill for {date} shows {amount} of roaming although I never left {city}. Number {phone}, contract {contract}.",
    ),
}
T["retail_warranty"] = {
    "ru": (
        "Гарантийный ремонт",
        "Купил {product} по заказу {order}, через месяц перестал включаться. Прошу ремонт по гарантии. Покупатель {S.fl}, тел. {phone}, адрес {addr}.",
    ),
    "en": (
        "Warranty repair",
        "I bought a {product} (order {order}) and it died after a month. Buyer: {S.fl}, phone {phone}, address {addr}.",
    ),
}
T["retail_order_cancel"] = {
    "ru": (
        "Отмена заказа",
        "Отмените заказ {order}, пожалуйста. Деньги {amount} верните на карту {card}.",
    ),
    "kk": (
        "Тапсырысты болдырмау",
        "{order} тапсырысын болдырмауыңызды сұраймын. {amount} соманы {card} картасына қайтарыңыз.",
    ),
    "en": ("Cancel order", "Please cancel order {order} and refund {amount} to card {card}."),
}
T["hr_vacation_request"] = {
    "ru": (
        "Заявление на отпуск",
        "Прошу предоставить мне ежегодный отпуск с {date} по {date}. На время отпуска мои обязанности исполняет {T.full}.",
    ),
    "kk": (
        "Демалыс",
        "{date} бастап {date} дейін жыл сайынғы демалыс беруіңізді сұраймын. Міндеттерімді {T.fl} атқарады.",
    ),
    "en": (
        "Leave request",
        "I'd like to take annual leave from {date} to {date}. {T.fl} will cover for me.",
    ),
}
T["hr_new_employee_data"] = {
    "ru": (
        "Данные нового сотрудника",
        "Данные нового сотрудника для оформления:\nФИО: {E.full}\nДата рождения: {E.dob}\nИИН: {E.iinT}\nАдрес: {addr}\nТелефон: {phone}\nКарта для зарплаты: {card}",
    ),
    "en": (
        "New hire details",
        "New hire details:\nName: {E.fl}\nDOB: {E.dob}\nIIN: {E.iinT}\nAddress: {addr}\nMobile: {phone}",
    ),
    "kk": (
        "Жаңа қызметкер",
        "Жаңа қызметкер:\nАты-жөні: {E.full}\nТуған күні: {E.dob}\nЖСН: {E.iinT}\nМекенжайы: {addr}",
    ),
}
T["utility_payment_issue"] = {
    "ru": (
        "Платёж за коммуналку",
        "Оплатил коммуналку {amount} по адресу {addr}, но платёж не дошёл до {company}. Лицевой счёт {order}.",
    ),
    "kk": (
        "Коммуналдық төлем",
        "{addr} мекенжайы бойынша {amount} коммуналдық төлем жасадым, бірақ {company} алмапты.",
    ),
}
T["ocr_id_scan"] = {
    "ru": ("Скан удостоверения", "Высылаю скан удостоверения, как просили."),
    "kk": ("Жеке куәлік сканы", "Сұраған жеке куәлігімнің сканын жіберемін."),
    "en": ("ID scan", "Attached is a scan of my ID as requested."),
}
T["court_order_arrest"] = {
    "ru": (
        "Арест счёта",
        "На мой счёт {iban} наложен арест по делу {contract}, хотя долг погашен {date}. Прошу снять арест. Должник {S.full}, ИИН {iinT}.",
    ),
    "kk": (
        "Шотқа тыйым",
        "{iban} шотыма {contract} іс бойынша тыйым салынды, бірақ қарыз өтелген. ЖСН {iinT}.",
    ),
}
T["currency_exchange"] = {
    "ru": (
        "Обменник",
        "В обменнике в {branch} мне неправильно посчитали курс, недодали {amount}. Кассир — {T.first}.",
    ),
    "en": (
        "Exchange rate",
        "At the exchange desk in the {branch} I was shortchanged by {amount}. The cashier's badge said {T.first}.",
    ),
}
T["mobile_app_login"] = {
    "ru": (
        "Не могу войти в приложение",
        "Не могу войти в приложение {bank}. Телефон {phone}, почта {email}, карта {mcard}.",
    ),
    "kk": (
        "Қосымшаға кіре алмаймын",
        "{bank} қосымшасына кіре алмай жүрмін. Телефон {phone}, пошта {email}.",
    ),
    "en": ("App login", "Can't log in to the app. Phone {phone}, e-mail {email}, card {mcard}."),
}
T["thank_you_feedback"] = {
    "ru": (
        "Благодарность",
        "Хочу поблагодарить сотрудника {T.fl} из {branch} за помощь. Очень вежливое обслуживание!",
    ),
    "kk": ("Алғыс", "{branch} қызметкері {T.fl} көмектескені үшін алғыс айтамын!"),
    "en": ("Thank you", "Big thanks to {T.fl} at the {branch} for sorting out my problem."),
}
T["relative_account_access"] = {
    "ru": (
        "Доступ к счёту бабушки",
        "Моя бабушка {R.full}, {R.dob} г.р., не может прийти в банк. Как оформить доступ? Она живёт: {addr}.",
    ),
    "kk": (
        "Әжемнің шоты",
        "Әжем {R.full}, туған күні {R.dob}, банкке бара алмайды. Мекенжайы: {addr}.",
    ),
    "mix": (
        "grandmother account",
        "Hi, my grandmother {R.full} (ИИН {R.iin}) cannot access her account. She lives at {addr}. Please help, рахмет.",
    ),
}
T["courier_delivery_card"] = {
    "ru": (
        "Курьер не приехал",
        "Курьер {T.first} звонил с {phone}, но так и не приехал. Мой адрес: {addr}.",
    ),
    "en": (
        "Courier no-show",
        "The courier {T.first} called from {phone} but never came. My address is {addr}.",
    ),
    "kk": (
        "Курьер келмеді",
        "Курьер {T.first} {phone} нөмірінен хабарласты, бірақ келмеді. Мекенжайым: {addr}.",
    ),
}
T["foreign_transfer"] = {
    "ru": (
        "SWIFT перевод",
        "Жду перевод от родственника из Ташкента, отправитель {T.full}, тел. {fphone}. Мой счёт {iban}.",
    ),
    "en": (
        "Incoming SWIFT",
        "Expecting a transfer from {T.fl} in Seoul, phone {fphone}. My IBAN is {iban}.",
    ),
}
T["overdue_notice_reply"] = {
    "ru": (
        "Re: Просрочка",
        "Я оплатил просрочку {date} через терминал {company}, чек есть. Прошу пересчитать. Заёмщик {S.init}.",
    ),
    "kk": (
        "Re: Мерзімі өткен қарыз",
        "Қарызды {date} төлеп қойдым. Қарыз алушы {S.init}, ЖСН {iinT}.",
    ),
}
T["mix_codeswitch_atm"] = {
    "mix": (
        "банкомат ақшаны жұтты",
        "Сәлеметсіз бе! Вчера банкомат {company} терминалы ақшамды жұтып қойды, {amount}. Менің картам {card}. Пожалуйста, тезірек шешіңіздер. {S.first}",
    ),
    "ru": (
        "Банкомат съел деньги",
        "Банкомат в {branch} не выдал {amount}, но списал с карты {card}. Телефон {phone}.",
    ),
}
T["esim_activation"] = {
    "en": ("eSIM", "Need eSIM for {phone}, the line is registered to {S.lcaps}, IIN {iinT}."),
    "ru": ("eSIM", "Нужна eSIM для номера {phone}, владелец {S.caps}, ИИН {iinT}."),
    "kk": ("eSIM қосу", "{phone} нөміріне eSIM керек, иесі {S.caps}."),
}
T["rent_contract_payment"] = {
    "ru": (
        "Аренда",
        "Оплачиваю аренду квартиры по адресу {addr} арендодателю {T.dat}, на его карту {card}. Платёж {amount} завис.",
    ),
    "en": (
        "Rent payment stuck",
        "My rent payment of {amount} to landlord {T.fl} for {addr} is stuck.",
    ),
}
T["joint_account"] = {
    "ru": (
        "Совместный счёт",
        "Хотим открыть совместный счёт с мужем. Я — {S.full}, муж — {R.full}, ИИН {R.iin}, тел. {phone}.",
    ),
    "kk": ("Ортақ шот", "Жолдасым {R.full} екеуміз ортақ шот ашқымыз келеді. Оның ЖСН {R.iin}."),
}

# ----------------------------------------------------------------------------------
# interchangeable pieces
# ----------------------------------------------------------------------------------
GREET = {
    "ru": [
        "Здравствуйте!\n\n",
        "Добрый день.\n\n",
        "Здравствуйте, {M.first}!\n\n",
        "Добрый день, {M.first}.\n\n",
        "Уважаемый банк,\n\n",
        "Доброго времени суток!\n\n",
        "{M.first}, добрый день!\n\n",
        "Здравствуйте, {M.fl}!\n\n",
        "Уважаемая служба поддержки!\n\n",
    ],
    "kk": [
        "Сәлеметсіз бе!\n\n",
        "Құрметті {M.first}!\n\n",
        "Қайырлы күн, {M.first}!\n\n",
        "Сәлем!\n\n",
        "Құрметті банк қызметкерлері,\n\n",
        "Ассалаумағалейкум!\n\n",
        "Сәлеметсіз бе, {M.first}!\n\n",
    ],
    "en": [
        "Hello,\n\n",
        "Dear {M.first},\n\n",
        "Hi {M.first},\n\n",
        "Dear Sir or Madam,\n\n",
        "Good afternoon {M.fl},\n\n",
        "Dear {M.mr},\n\n",
        "Hi there,\n\n",
    ],
}
CLOSE = {
    "ru": [
        "\n\nС уважением,\n",
        "\n\nСпасибо.\n",
        "\n\nЗаранее благодарю,\n",
        "\n\nЖду ответа.\n",
        "\n\n",
    ],
    "kk": ["\n\nҚұрметпен,\n", "\n\nРахмет!\n", "\n\nАлдын ала рахмет,\n", "\n\nЖауап күтемін.\n"],
    "en": [
        "\n\nBest regards,\n",
        "\n\nKind regards,\n",
        "\n\nThanks,\n",
        "\n\nCheers,\n",
        "\n\nRegards\n",
    ],
}
TITLES = {
    "ru": [
        "Главный бухгалтер",
        "Менеджер по продажам",
        "Инженер-технолог",
        "Индивидуальный предприниматель",
        "Директор",
        "Специалист отдела кадров",
        "Ведущий специалист",
        "Начальник смены",
    ],
    "kk": [
        "Бас есепші",
        "Сату менеджері",
        "Директор",
        "Кадр бөлімінің маманы",
        "Жетекші маман",
        "Мұғалім",
    ],
    "en": [
        "Chief Accountant",
        "Procurement Manager",
        "Senior Engineer",
        "Director",
        "HR Specialist",
        "Logistics Coordinator",
    ],
}
SIG_LINES = {
    "ru": {
        "phone": [
            "Тел.: {phone}",
            "моб. {phone}",
            "раб.: {cphone}",
            "WhatsApp: {phone}",
            "тел/факс {cphone}",
        ],
        "addr": ["{addr_ml}", "Адрес: {addr}"],
        "email": ["E-mail: {email}", "{email}"],
        "dev": ["Отправлено с {device}", "Отправлено из мобильной Почты Mail"],
    },
    "kk": {
        "phone": ["Тел.: {phone}", "Ұялы: {phone}", "Жұмыс тел.: {cphone}"],
        "addr": ["{addr_ml}", "Мекенжай: {addr}"],
        "email": ["Эл. пошта: {email}", "{email}"],
        "dev": ["{device} арқылы жіберілді"],
    },
    "en": {
        "phone": ["Mob: {phone}", "T: {cphone}", "Phone: {phone}", "WhatsApp {phone}"],
        "addr": ["{addr_ml}", "Address: {addr}"],
        "email": ["Email: {email}", "{email}"],
        "dev": ["Sent from my {device}"],
    },
}
DISCL = {
    "ru": "\n\nКОНФИДЕНЦИАЛЬНОСТЬ: Данное сообщение и любые вложения предназначены только для указанного получателя. Если вы получили его по ошибке, сообщите на {rolemail} и удалите его.",
    "kk": "\n\nБұл хат және оның қосымшалары құпия ақпарат болып табылады. Қате алған болсаңыз, {rolemail} мекенжайына хабарлаңыз және хатты жойыңыз.",
    "en": "\n\nDISCLAIMER: This e-mail and any attachments are confidential and intended solely for the addressee. If you received it in error please notify {rolemail}. {company} accepts no liability for any damage caused by this message.",
}
EXTRA_ID = {
    "ru": [
        "\n\nМои данные: ИИН {iinT}, дата рождения {dob}.",
        "\nДля идентификации: удостоверение личности № {idcard}, ИИН {iinT}.",
        "\nКонтактный телефон: {phone}, e-mail {email}.",
        "\nПроживаю по адресу: {addr}.",
        "\nД.р. {dob}, паспорт {passport}.",
    ],
    "kk": [
        "\n\nМенің ЖСН: {iinT}, туған күні {dob}.",
        "\nЖеке куәлік № {idcard}, ЖСН {iinT}.",
        "\nБайланыс: {phone}, {email}.",
        "\nМекенжайым: {addr}.",
    ],
    "en": [
        "\n\nMy details: IIN {iinT}, DOB {dob}.",
        "\nFor ID: passport {passport}, born on {dob}.",
        "\nContact: {phone}, {email}.",
        "\nI live at {addr}.",
    ],
}
EXTRA_CASE = {
    "ru": [
        "\nПрошу передать это письмо {M.dat}.",
        "\nЯ уже обращался к {M.dat}, без толку.",
        "\nОригиналы документов остались у {T.gen}.",
        "\nЗвонок принимала ваша сотрудница, уточните у {M.gen}.",
        "\nесли что спросите {T.low} из вашего отдела",
        "\nпередайте {M.dat} что я перезвоню",
        "\nмой менеджер {T.fl} сказал подождать, но спросите {T.low} ещё раз",
    ],
    "en": [
        "\nask {T.latlow} from your team, he knows the case.",
        "\nI already spoke to {M.fl} twice.",
        "\nmy manager {T.fl} said to wait, pls ask {M.latlow}",
    ],
    "kk": ["\nмен {T.fl} деген қызметкермен сөйлестім.", "\nменеджеріңіз {M.fl} біледі."],
}
EXTRA_LOOK = {
    "ru": [
        "\nНомер заявки: {req}.",
        "\nДозвониться на горячую линию {hotline} невозможно.",
        "\nПодробности на {url}.",
        "\nВ приложении {bank} пишет ошибку.",
        "\nОбращение {order} от {date}.",
        "\nЯ нахожусь {cityloc} до {date}.",
        "\nНапишите на {rolemail}, как мне сказали.",
        "\nПоследние цифры карты {mcard}.",
        "\nТрек-номер посылки: {track}.",
    ],
    "kk": [
        "\nӨтінім нөмірі: {req}.",
        "\nЖедел желі {hotline} жауап бермейді.",
        "\nСайт: {url}.",
        "\nҚазір {cityloc}мын.",
        "\n{date} күнгі {order} өтінішім бар.",
        "\nКартаның соңғы сандары {mcard}.",
        "\nТрек-нөмір: {track}.",
    ],
    "en": [
        "\nRequest number: {req}.",
        "\nYour hotline {hotline} is always busy.",
        "\nSee {url}.",
        "\nTicket {order} was opened on {date}.",
        "\nI moved here {cityloc} last year.",
        "\nCard ending {mcard}.",
        "\nParcel tracking: {track}.",
    ],
}
QUOTE_HDR = {
    "ru": [
        "\n\n{date}, {rolemail} пишет:\n",
        "\n\n-----Original Message-----\nFrom: {rolemail}\nSent: {date}\nTo: {S.lat} <{email}>\nSubject: Обращение {req}\n\n",
        "\n\nОт: {bank} <{rolemail}>\nОтправлено: {date}\nКому: {S.fl}\nТема: Ваше обращение\n\n",
    ],
    "kk": [
        "\n\n{date}, {rolemail} жазды:\n",
        "\n\n-----Original Message-----\nFrom: {rolemail}\nSent: {date}\nTo: {email}\n\n",
    ],
    "en": [
        "\n\nOn {date}, {rolemail} wrote:\n",
        "\n\n-----Original Message-----\nFrom: {rolemail}\nSent: {date}\nTo: {S.fl} <{email}>\nSubject: Your request {req}\n\n",
    ],
}
QUOTE_BODY = {
    "ru": [
        "> Здравствуйте, {S.first}!\n> По вашему обращению {req} сообщаем, что заявка передана в работу.\n> Горячая линия: {hotline}\n> С уважением,\n> {M.fl}\n> {bank}",
        "> Уважаемый(ая) {S.full}!\n> Ваш запрос рассмотрен. Возврат {amount} будет произведён в течение 10 дней.\n> Специалист {M.init}",
        "> Мой ИИН {iin}, прошу вернуть деньги.\n> {S.first}\n>\n>> Уточните, пожалуйста, ваш ИИН.\n>> {M.first}, {bank}",
    ],
    "kk": [
        "> Құрметті {S.first}!\n> Сіздің {req} өтінішіңіз қаралуда.\n> Байланыс орталығы: {hotline}\n> Құрметпен, {M.fl}",
        "> Құрметті {S.full}!\n> {amount} 10 күн ішінде қайтарылады.\n> {M.init}",
    ],
    "en": [
        "> Dear {S.first},\n> Your request {req} is being processed.\n> Hotline: {hotline}\n> Regards,\n> {M.fl}, {bank}",
        "> Dear {S.mr},\n> we will refund {amount} within 10 business days.\n> {M.first} | Customer Care",
    ],
}
FWD = {
    "ru": [
        "\n\n---------- Forwarded message ---------\nОт: {R.fl} <{R.email}>\nDate: {date}\nSubject: жалоба\nTo: {rolemail}\n\n",
        "\n\nОт: {R.lf}\nОтправлено: {date}\nКому: {rolemail}\nТема: Списание денег\n\n",
        "\n\n-----Original Message-----\nFrom: {R.lat} [mailto:{R.email}]\nSent: {date}\nTo: {rolemail}\nSubject: жалоба\n\n",
    ],
    "kk": [
        "\n\n---------- Forwarded message ---------\nКімнен: {R.fl} <{R.email}>\nКүні: {date}\nКімге: {rolemail}\n\n",
        "\n\nОт: {R.lf}\nОтправлено: {date}\nКому: {rolemail}\nТема: шағым\n\n",
    ],
    "en": [
        "\n\n---------- Forwarded message ---------\nFrom: {R.fl} <{R.email}>\nDate: {date}\nSubject: complaint\nTo: {rolemail}\n\n",
        "\n\n-----Original Message-----\nFrom: {R.fl} <{R.email}>\nSent: {date}\nTo: {rolemail}\nSubject: money missing\n\n",
    ],
}
FWD_BODY = {
    "ru": [
        "Здравствуйте. Я, {R.full}, проживаю {addr}. С моей карты {card} сняли {amount}. Мой телефон {phone}.\n{R.first}",
        "ПОМОГИТЕ ДЕНЬГИ ПРОПАЛИ {amount} ИИН {R.iin}\n{R.caps}",
    ],
    "kk": [
        "Сәлеметсіз бе. Мен {R.full}, {addr} мекенжайында тұрамын. {card} картамнан {amount} шешілді. Тел. {phone}.\n{R.first}"
    ],
    "en": [
        "Hello. I am {R.fl}, living at {addr}. {amount} disappeared from my card {card}. Phone {phone}.\n{R.first}"
    ],
}
SMS = {
    "ru": [
        "карту заблокали срочно перезвоните {phone} {S.first}",
        "где мой кредит?? ИИН {iinT}",
        "срочно!!! снялись деньги {amount} позвоните {phone}",
        "адрес для курьера {addr} спросить {S.low}",
        "{S.first} это, карта {card} не работает",
    ],
    "kk": [
        "картам бұғатталды {phone} хабарласыңызшы. {S.first}",
        "ЖСН {iinT} несие қашан?",
        "ақша түспеді {amount} {S.first}",
        "курьер {addr} келсін, {S.first}",
    ],
    "en": [
        "card blocked pls call {phone} - {S.first}",
        "where is my refund {amount}? IIN {iinT}",
        "pls send card to {addr} thx {S.first}",
    ],
    "mix": [
        "салем карта блок болды, позвоните {phone} плиз. {S.first}",
        "ИИН {iinT} кредит қашан одобрят?",
        "{S.first} here, карта {card} не работает, рахмет",
    ],
}
FORM = {
    "ru": (
        "Новая заявка с сайта № {req}",
        "=== Заявка с сайта ===\nИмя: {N1}\nФамилия: {N2}\nОтчество: {N3}\nИИН: {iinT}\nДата рождения: {dob}\nТелефон: {phone}\nE-mail: {email}\nГород: {city}\nАдрес: {addr}\nТип обращения: {kind}\nСообщение: {msg}\nСогласие на обработку ПД: да\nИсточник: {url}",
    ),
    "kk": (
        "Сайттан жаңа өтінім {req}",
        "Аты: {N1}\nТегі: {N2}\nӘкесінің аты: {N3}\nЖСН: {iinT}\nТуған күні: {dob}\nТелефон: {phone}\nЭл. пошта: {email}\nМекенжай: {addr}\nХабарлама: {msg}",
    ),
    "en": (
        "Website form submission {order}",
        "First name: {N1}\nLast name: {N2}\nIIN: {iinT}\nDate of birth: {dob}\nPhone: {phone}\nEmail: {email}\nCity: {city}\nAddress: {addr}\nMessage: {msg}",
    ),
}
FORM_MSG = {
    "ru": [
        "Прошу перезвонить по кредиту",
        "карта не работает",
        "хочу открыть депозит",
        "ПРОШУ ВЕРНУТЬ ДЕНЬГИ",
    ],
    "kk": ["Несие бойынша хабарласыңыз", "карта істемейді", "депозит ашқым келеді"],
    "en": ["please call me about the loan", "card not working", "want to open a deposit"],
}
OCR = {
    "id": "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ   РЕСПУБЛИКА КАЗАХСТАН\nЖЕКЕ КУӘЛІК / УДОСТОВЕРЕНИЕ ЛИЧНОСТИ  № {idcard}\nТЕГІ / ФАМИЛИЯ: {S.capslast}\nАТЫ / ИМЯ: {S.capsfirst}\nӘКЕСІНІҢ АТЫ / ОТЧЕСТВО: {S.capspatr}\nТУҒАН КҮНІ / ДАТА РОЖДЕНИЯ: {dob}\nЖСН / ИИН: {iin}\nБЕРГЕН ОРГАН / ОРГАН ВЫДАЧИ: ІІМ / МВД РК\nБЕРІЛГЕН КҮНІ / ДАТА ВЫДАЧИ: {date}\nIDKAZ<<<<<<<<<<<<<<<<\n{S.lcapslast}<<{S.lcapsfirst}<<<<<<<<",
    "contract": "ДОГОВОР БАНКОВСКОГО ЗАЙМА {contract}\nг. {city}                    {date}\n{bank}, именуемое в дальнейшем «Банк», и гр. {S.full}, ИИН {iin}, удостоверение личности № {idcard}, проживающий(ая) по адресу: {addr}, именуемый(ая) «Заемщик», заключили настоящий договор.\nСумма займа: {amount}\nСчёт Заемщика: {iban}\nЗАЕМЩИК: ____________ {S.caps}\nтел. {phone}",
    "poa": "СЕНІМХАТ / ДОВЕРЕННОСТЬ\nг. {city}, {date}\nЯ, {S.caps}, дата рождения {dob}, ИИН {iin}, проживающий по адресу {addr}, настоящим доверяю {R.full}, удостоверение личности № {idcard}, получить банковскую карту на моё имя.\nПодпись: __________ {S.init}\nНотариус {T.init}, лицензия {order}",
    "application": "ЗАЯВЛЕНИЕ / ӨТІНІШ\nОт / Кімнен: {S.caps}\nИИН / ЖСН: {iinT}\nАдрес / Мекенжай: {addr}\nТел.: {phone}\nПрошу рассмотреть мое обращение по договору {contract}.\nПодпись ______ {S.init}   Дата {date}",
}
DEVICES = ["iPhone", "Samsung Galaxy A54", "Redmi Note 13", "iPad", "Honor X8b"]


# ----------------------------------------------------------------------------------
# record composition
# ----------------------------------------------------------------------------------
def _signature(ctx, lang):
    rng = ctx.rng
    L = SIG_LINES[lang]
    first = rng.choices(["{S.sig}", "—\n{S.first}", "-- \n{S.sig}", "{S.first}"], [55, 15, 15, 15])[
        0
    ]
    lines = [first]
    n = rng.choices([1, 2, 3, 4, 5, 6], [30, 18, 17, 15, 12, 8])[0]
    pool = ["title", "phone", "addr", "email", "dev", "phone2"]
    rng.shuffle(pool)
    for k in pool[: n - 1]:
        if k == "title":
            lines.append(
                rng.choice(TITLES[lang])
                + rng.choice([", {company}", " | {company}", "\n{company}", ""])
            )
        elif k == "phone2":
            lines.append(rng.choice(L["phone"]))
        else:
            lines.append(rng.choice(L[k]))
    if "dev" in pool[: n - 1]:
        d = [l for l in lines if "{device}" in l or "Mail" in l]
        lines = [l for l in lines if l not in d] + d
    if len(lines) >= 4:
        ctx.traits.add("long_signature")
    return "\n".join(lines)


def _attachment(ctx, kind, idx):
    rng = ctx.rng
    F = Field(ctx, f"attachments[{idx}].text", ocr=True)
    tpl = OCR[kind]
    if kind == "id" and not ctx.P("S").patr:
        tpl = tpl.replace("ӘКЕСІНІҢ АТЫ / ОТЧЕСТВО: {S.capspatr}\n", "")
    ctx.render(F, tpl)
    ctx.traits.add("ocr")
    fn = rng.choice(
        {
            "id": [
                "udostoverenie.jpg.ocr.txt",
                "IMG_{n}.jpg.txt",
                "scan_id_{n}.txt",
                "жеке_куәлік.pdf.txt",
            ],
            "contract": ["dogovor_scan.pdf.txt", "contract_{n}.txt", "scan{n}.txt"],
            "poa": ["doverennost.pdf.txt", "сенімхат_{n}.txt"],
            "application": ["zayavlenie.txt", "application_{n}.pdf.txt", "өтініш.txt"],
        }[kind]
    )
    return {"filename": fn.replace("{n}", str(rng.randrange(1000, 9999))), "text": F.text()}


def _langs(count, rng):
    q = {"ru": round(count * 0.35), "kk": round(count * 0.25), "en": round(count * 0.20)}
    q["mix"] = count - sum(q.values())
    out = [l for l, n in q.items() for _ in range(n)]
    rng.shuffle(out)
    return out


FORCED_ATTACH = {
    "contract_attached": "contract",
    "power_of_attorney": "poa",
    "mortgage_docs": "application",
    "id_card_update": "id",
    "ocr_id_scan": "id",
}


def make_record(i, lang, tname, rng):
    tdef = T[tname]
    # base language of the body text
    if lang == "mix":
        if "mix" in tdef and rng.random() < 0.6:
            base, variant = "ru", "mix"
        else:
            opts = [l for l in ("ru", "en") if l in tdef]
            base = rng.choice(opts) if opts else "ru"
            variant = base if base in tdef else "mix"
    else:
        base = lang
        variant = lang if lang in tdef else "ru"
    if variant == "mix" and "mix" not in tdef:
        variant = base
    ctx = Ctx(rng, lang, base, tname)
    if lang == "mix":
        ctx.traits.add("code_switch")
    S = ctx.P("S")
    if tname == "name_change_marriage" and S.sex == "m":
        ctx.people["S"] = S = Person(rng, eth=S.eth if S.eth != "other" else "kazakh", sex="f")
    pieces_lang = base
    other_lang = None
    if lang == "mix":
        other_lang = "kk" if base == "ru" else rng.choice(["ru", "kk"])

    # ---- from
    Ff = Field(ctx, "from")
    if tname == "web_form_dump":
        ctx.render(
            Ff,
            rng.choice(
                ["Форма обратной связи <{rolemail}>", "{rolemail}", "Sayabak Web <{rolemail}>"]
            ),
        )
    else:
        ctx.render(
            Ff,
            rng.choices(
                [
                    "{S.fl} <{email}>",
                    "{S.lat} <{email}>",
                    "{S.caps} <{email}>",
                    '"{S.lf}" <{email}>',
                    "{email}",
                    "{S.first} <{email}>",
                    "{S.full} <{email}>",
                ],
                [25, 20, 8, 10, 15, 12, 10],
            )[0],
        )

    # ---- body
    Fb = Field(ctx, "body")
    subj_tpl = None
    atts = []
    if tname == "web_form_dump":
        ctx.traits.add("form_dump")
        subj_tpl, btpl = FORM[base if base in FORM else "ru"]
        caps = rng.random() < 0.5
        if base == "en":
            n1, n2 = (
                ("{S.lcapsfirst}", "{S.lcapslast}") if caps else ("{S.latfirst}", "{S.latlast}")
            )
            n3 = ""
        else:
            n1, n2, n3 = (
                ("{S.capsfirst}", "{S.capslast}", "{S.capspatr}")
                if caps
                else ("{S.first}", "{S.last}", "{S.patr}")
            )
        if not S.patr:
            btpl = re.sub(r"\n(Отчество|Әкесінің аты): \{N3\}", "", btpl)
        btpl = btpl.replace("{N1}", n1).replace("{N2}", n2).replace("{N3}", n3)
        btpl = btpl.replace("{kind}", rng.choice(["Кредиты", "Карты", "Депозиты", "Жалоба"]))
        btpl = btpl.replace("{msg}", rng.choice(FORM_MSG[base]))
        ctx.render(Fb, btpl)
    elif tname == "sms_oneliner":
        ctx.traits.add("sms_style")
        subj_tpl = rng.choice(["", "SMS", "(без темы)", "?"])
        ctx.render(Fb, rng.choice(SMS[variant if variant in SMS else base]))
    else:
        subj_tpl, btpl = tdef[variant]
        glang = other_lang if other_lang and rng.random() < 0.7 else pieces_lang
        if rng.random() < 0.85:
            ctx.render(Fb, rng.choice(GREET[glang]))
        ctx.render(Fb, btpl)
        if rng.random() < 0.3:
            ctx.render(Fb, rng.choice(EXTRA_ID[pieces_lang]))
        if rng.random() < 0.4:
            ctx.render(Fb, rng.choice(EXTRA_LOOK[pieces_lang]))
        if rng.random() < (0.45 if pieces_lang == "ru" else 0.2):
            ctx.render(Fb, rng.choice(EXTRA_CASE[pieces_lang]))
        clang = other_lang if other_lang and rng.random() < 0.6 else pieces_lang
        if rng.random() < 0.85:
            ctx.render(Fb, rng.choice(CLOSE[clang]))
        else:
            ctx.render(Fb, "\n\n")
        if rng.random() < 0.92:
            ctx.render(Fb, _signature(ctx, clang))
        if rng.random() < 0.17:
            ctx.traits.add("disclaimer")
            ctx.render(Fb, DISCL[pieces_lang])
        if tname == "reply_quoted" or rng.random() < 0.12:
            ctx.traits.add("quoted_reply")
            ctx.render(Fb, rng.choice(QUOTE_HDR[pieces_lang]))
            ctx.render(Fb, rng.choice(QUOTE_BODY[pieces_lang]))
        elif tname == "forwarded_complaint" or rng.random() < 0.08:
            ctx.traits.add("forwarded")
            ctx.render(Fb, rng.choice(FWD[pieces_lang]))
            ctx.render(Fb, rng.choice(FWD_BODY[pieces_lang]))
        kind = FORCED_ATTACH.get(tname)
        if not kind and rng.random() < 0.22:
            kind = rng.choice(["id", "application", "application", "contract"])
        if kind:
            atts.append(_attachment(ctx, kind, 0))
    if tname == "web_form_dump" and rng.random() < 0.2:
        atts.append(_attachment(ctx, "id", 0))

    # ---- subject (rendered last so from/body persons are already fixed; offsets are per field)
    Fs = Field(ctx, "subject")
    r = rng.random()
    if r < 0.1 and subj_tpl:
        Fs.lit(rng.choice(["ВАЖНО!!! ", "СРОЧНО: ", "Fw: "]))
    ctx.render(Fs, subj_tpl or "")
    if subj_tpl and rng.random() < 0.14:
        ctx.render(
            Fs, rng.choice([" — {S.fl}", " / {S.caps}", " ({S.init})", " ИИН {iinT}", " - {S.lat}"])
        )

    rec = {
        "external_id": "varied-%04d" % (i + 1),
        "from": Ff.text(),
        "subject": Fs.text(),
        "body": Fb.text(),
        "attachments": atts,
        "labels": {"pii": ctx.pii, "lookalikes": ctx.look},
        "meta": {"language": lang, "template": tname, "traits": sorted(ctx.traits)},
    }
    # spans are recorded per field in composition order; sort for readability
    order = {"from": 0, "subject": 1, "body": 2}
    key = lambda d: (order.get(d["field"], 3), d["field"], d["start"])
    rec["labels"]["pii"].sort(key=key)
    rec["labels"]["lookalikes"].sort(key=key)
    return rec


WEIGHT = {"web_form_dump": 4, "sms_oneliner": 4}


def generate(count: int = 320, seed: int = 2412) -> list:
    rng = random.Random(seed)
    langs = _langs(count, rng)
    used = Counter()
    names = list(T)
    out = []
    for i, lang in enumerate(langs):
        if lang == "mix":
            cand = names
        else:
            cand = [n for n in names if lang in T[n]]
        m = min(used[n] / WEIGHT.get(n, 1) for n in cand)
        tname = rng.choice([n for n in cand if used[n] / WEIGHT.get(n, 1) == m])
        used[tname] += 1
        out.append(make_record(i, lang, tname, rng))
    return out


# ----------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------
PII_TYPES = {
    "PERSON",
    "ADDRESS",
    "KZ_IIN",
    "KZ_BIN",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "ID_DOC",
    "DATE_OF_BIRTH",
}
LOOK_TYPES = {
    "ORDER_ID",
    "CONTRACT_NO",
    "REQUEST_NO",
    "TRACKING_ID",
    "PRODUCT",
    "COMPANY",
    "CITY",
    "BRANCH",
    "HOTLINE",
    "ROLE_MAILBOX",
    "AMOUNT",
    "DATE",
    "MASKED_CARD",
    "URL",
}
REQUIRED_TRAITS = [
    "all_caps_name",
    "mixed_script_name",
    "single_first_name",
    "transliteration",
    "case_form",
    "lowercase_name",
    "initials",
    "third_party_name",
    "ocr",
    "form_dump",
    "sms_style",
    "code_switch",
    "quoted_reply",
    "forwarded",
    "disclaimer",
    "long_signature",
    "html_br",
    "typos",
    "caps_shouting",
    "iin_typo",
    "grouped_iin",
    "foreign_phone",
    "address_ru",
    "address_kk",
    "address_en",
    "address_caps",
    "address_multiline",
    "dob",
]


def field_text(rec, f):
    m = re.fullmatch(r"attachments\[(\d+)\]\.text", f)
    if m:
        return rec["attachments"][int(m.group(1))]["text"]
    assert f in ("from", "subject", "body"), f
    return rec[f]


def is_caps_name(v):
    letters = [c for c in v if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def check(records):
    assert len(records) >= 300, len(records)
    persons, addrs = set(), set()
    caps = mixed = single = 0
    traits = Counter()
    for rec in records:
        assert set(rec) == {
            "external_id",
            "from",
            "subject",
            "body",
            "attachments",
            "labels",
            "meta",
        }, rec.keys()
        for t in rec["meta"]["traits"]:
            traits[t] += 1
        spans_by_field = {}
        for kind, types in (("pii", PII_TYPES), ("lookalikes", LOOK_TYPES)):
            for s in rec["labels"][kind]:
                txt = field_text(rec, s["field"])
                assert s["type"] in types, s
                assert 0 <= s["start"] < s["end"] <= len(txt), s
                assert txt[s["start"] : s["end"]] == s["value"], (
                    rec["external_id"],
                    s,
                    txt[s["start"] : s["end"]],
                )
                spans_by_field.setdefault(s["field"], []).append((s["start"], s["end"]))
                v = s["value"]
                if kind != "pii":
                    if s["type"] == "REQUEST_NO":
                        assert not iin_valid(v), s
                    continue
                t = s["type"]
                if t in ("PERSON", "ADDRESS"):
                    exp = "cyrillic" if has_cyr(v) else "latin"
                    assert s["script"] == exp, s
                    assert bool(s.get("mixed_script")) == bool(has_cyr(v) and LAT_RE.search(v)), s
                if t == "KZ_IIN":
                    if s.get("typo"):
                        assert not iin_valid(v), s
                        assert IIN_LABEL_RE.search(txt[max(0, s["start"] - 20) : s["start"]]), (
                            rec["external_id"],
                            s,
                        )
                    else:
                        assert iin_valid(v) and iin_date_ok(v), s
                if t == "KZ_BIN":
                    assert iin_valid(v), s
                if t == "CREDIT_CARD":
                    assert len(re.sub(r"\D", "", v)) == 16 and luhn_ok(v), s
                if t == "IBAN_CODE":
                    assert iban_ok(v), s
                if t == "ID_DOC":
                    assert re.fullmatch(r"0\d{8}|N\d{8}", v), s
                if t == "PERSON":
                    persons.add(v)
                    if is_caps_name(v):
                        caps += 1
                    if s.get("mixed_script"):
                        mixed += 1
                    if s.get("form") in (
                        "first",
                        "latfirst",
                        "low",
                        "latlow",
                        "capsfirst",
                        "lcapsfirst",
                    ) or (s.get("form") == "mix" and " " not in v):
                        single += 1
                if t == "ADDRESS":
                    addrs.add(v)
        for f, sp in spans_by_field.items():
            sp.sort()
            for a, b in zip(sp, sp[1:]):
                assert a[1] <= b[0], (rec["external_id"], f, a, b)
    tpls = {r["meta"]["template"] for r in records}
    assert len(tpls) >= 45, len(tpls)
    for t in REQUIRED_TRAITS:
        assert traits[t] >= 15, (t, traits[t])
    assert len(persons) >= 120, len(persons)
    assert len(addrs) >= 80, len(addrs)
    assert caps >= 40, caps
    assert mixed >= 15, mixed
    assert single >= 30, single
    return {
        "records": len(records),
        "templates": len(tpls),
        "distinct_persons": len(persons),
        "distinct_addresses": len(addrs),
        "caps_name_spans": caps,
        "mixed_script_name_spans": mixed,
        "single_first_name_spans": single,
    }


def summary(records):
    langs = Counter(r["meta"]["language"] for r in records)
    pii = Counter(s["type"] for r in records for s in r["labels"]["pii"])
    script = Counter(
        (s["type"], s["script"]) for r in records for s in r["labels"]["pii"] if "script" in s
    )
    forms = Counter(
        s.get("form") for r in records for s in r["labels"]["pii"] if s["type"] == "PERSON"
    )
    look = Counter(s["type"] for r in records for s in r["labels"]["lookalikes"])
    traits = Counter(t for r in records for t in r["meta"]["traits"])
    tpl = Counter(r["meta"]["template"] for r in records)
    fields = Counter(s["field"].split("[")[0] for r in records for s in r["labels"]["pii"])
    typos = sum(1 for r in records for s in r["labels"]["pii"] if s.get("typo"))
    iins = pii["KZ_IIN"]
    lines = [
        "records per language: " + json.dumps(dict(langs), ensure_ascii=False),
        "pii spans per type: " + json.dumps(dict(pii.most_common()), ensure_ascii=False),
        "PERSON/ADDRESS by script: "
        + json.dumps({f"{a}/{b}": n for (a, b), n in sorted(script.items())}),
        "PERSON forms: " + json.dumps(dict(forms.most_common())),
        "pii spans per field: " + json.dumps(dict(fields)),
        f"KZ_IIN typo'd: {typos} of {iins}",
        "lookalikes per type: " + json.dumps(dict(look.most_common())),
        "traits (records): " + json.dumps(dict(sorted(traits.items()))),
        f"templates used: {len(tpl)}: " + json.dumps(dict(sorted(tpl.items()))),
    ]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=320)
    ap.add_argument("--seed", type=int, default=2412)
    ap.add_argument("--out", default=None)
    ap.add_argument("--examples", type=int, default=0, help="print N example records")
    a = ap.parse_args(argv)
    recs = generate(a.count, a.seed)
    stats = check(recs)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("check: OK " + json.dumps(stats))
    print(summary(recs))
    if a.examples:
        step = max(1, len(recs) // a.examples)
        for r in recs[::step][: a.examples]:
            print(json.dumps(r, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
