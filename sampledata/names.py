"""Made-up people: common Kazakh, Russian and English first names and surnames, freely combined.

No combination refers to a real person. A :class:`Person` knows how to write itself in the forms
customers use: full name with patronymic, "first last", initials ("Ахметова Ж.К.", "A. Smith"),
the Russian dative ("Иванову Петру") and a Latin transliteration of Cyrillic names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# first name -> dative form (Russian grammar, as used in Russian-language letters)
_KZ_MALE = {
    "Ержан": "Ержану", "Нурлан": "Нурлану", "Асхат": "Асхату", "Данияр": "Данияру",
    "Бауыржан": "Бауыржану", "Қайрат": "Қайрату", "Серік": "Серіку", "Ерлан": "Ерлану",
    "Арман": "Арману", "Әлихан": "Әлихану", "Дәурен": "Дәурену", "Мұрат": "Мұрату",
    "Ғалым": "Ғалыму", "Жандос": "Жандосу", "Талғат": "Талғату", "Самат": "Самату",
}  # fmt: skip
_KZ_FEMALE = {
    "Айгерім": "Айгерім", "Жанар": "Жанар", "Гүлнар": "Гүлнар", "Әсел": "Әсел",
    "Динара": "Динаре", "Мадина": "Мадине", "Аружан": "Аружан", "Сәуле": "Сәуле",
    "Ләззат": "Ләззат", "Айжан": "Айжан", "Жұлдыз": "Жұлдыз", "Ақбота": "Ақботе",
    "Назерке": "Назерке", "Томирис": "Томирис",
}  # fmt: skip
_KZ_SURNAMES = (
    "Ахметов", "Жұмабаев", "Омаров", "Серікбаев", "Қасымов", "Бекмұханов", "Төлегенов",
    "Оспанов", "Мұсабеков", "Есенов", "Байжанов", "Құдайбергенов", "Сәрсенбаев", "Әлиев",
    "Нұрғалиев", "Исабеков",
)  # fmt: skip
_KZ_INDECLINABLE_SURNAMES = ("Сейтқали", "Жақып", "Әбдіқадыр", "Бекқожа")
_KZ_FATHERS = ("Болат", "Серік", "Нұрлан", "Қанат", "Ерлан", "Марат", "Асқар", "Жомарт")

_RU_MALE = {
    "Пётр": "Петру", "Сергей": "Сергею", "Андрей": "Андрею", "Дмитрий": "Дмитрию",
    "Алексей": "Алексею", "Иван": "Ивану", "Михаил": "Михаилу", "Николай": "Николаю",
    "Олег": "Олегу", "Виктор": "Виктору", "Артём": "Артёму", "Евгений": "Евгению",
}  # fmt: skip
_RU_FEMALE = {
    "Анна": "Анне", "Ольга": "Ольге", "Елена": "Елене", "Мария": "Марии",
    "Наталья": "Наталье", "Татьяна": "Татьяне", "Ирина": "Ирине", "Светлана": "Светлане",
    "Юлия": "Юлии", "Екатерина": "Екатерине", "Валентина": "Валентине",
}  # fmt: skip
_RU_SURNAMES = (
    "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Новиков",
    "Морозов", "Волков", "Фёдоров", "Козлов", "Павлов", "Семёнов", "Ковалёв", "Никитин",
)  # fmt: skip
# father's name -> (male patronymic, female patronymic)
_RU_FATHERS = {
    "Сергей": ("Сергеевич", "Сергеевна"), "Андрей": ("Андреевич", "Андреевна"),
    "Иван": ("Иванович", "Ивановна"), "Пётр": ("Петрович", "Петровна"),
    "Николай": ("Николаевич", "Николаевна"), "Александр": ("Александрович", "Александровна"),
    "Виктор": ("Викторович", "Викторовна"), "Владимир": ("Владимирович", "Владимировна"),
    "Михаил": ("Михайлович", "Михайловна"), "Юрий": ("Юрьевич", "Юрьевна"),
}  # fmt: skip

_EN_MALE = ("John", "Michael", "David", "James", "Robert", "Thomas", "Daniel", "Mark", "Paul")
_EN_FEMALE = ("Emily", "Sarah", "Laura", "Anna", "Kate", "Rachel", "Helen", "Claire", "Megan")
_EN_SURNAMES = (
    "Smith", "Clark", "Brown", "Johnson", "Miller", "Wilson", "Taylor", "Davies", "Evans",
    "Thompson", "Walker", "Hughes", "Turner", "Parker",
)  # fmt: skip

_TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "і": "i", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Passport-style Latin spelling of a Cyrillic (Russian or Kazakh) word: Ержан -> Yerzhan."""
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        latin = _TRANSLIT.get(low, low)
        if low == "е" and (i == 0 or text[i - 1].lower() in "аәеиоөуұүыіэюя"):
            latin = "ye"
        out.append(latin.capitalize() if ch.isupper() else latin)
    return "".join(out)


def _ru_surname_dative(surname: str, female: bool) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + ("ой" if female else "у")
    if female and surname.endswith(("ова", "ева", "ёва", "ина")):
        return surname[:-1] + "ой"
    return surname


def _patronymic_dative(patronymic: str) -> str:
    if patronymic.endswith("вич"):
        return patronymic + "у"
    if patronymic.endswith("вна"):
        return patronymic[:-1] + "е"
    return patronymic  # Kazakh -ұлы / -қызы do not decline


@dataclass(frozen=True, slots=True)
class Person:
    """One made-up person; ``surname`` is already in the person's gender form."""

    first: str
    surname: str
    patronymic: str | None
    female: bool
    origin: str  # "kz" | "ru" | "en"
    first_dative: str
    latin: bool = False

    @property
    def script(self) -> str:
        return "latin" if self.latin or self.origin == "en" else "cyrillic"

    def full(self) -> str:
        """ "Ахметова Жанар Болатовна" (surname first), or "John Smith" for English names."""
        if self.origin == "en" or self.latin:
            return f"{self.first} {self.surname}"
        parts = [self.surname, self.first] + ([self.patronymic] if self.patronymic else [])
        return " ".join(parts)

    def first_last(self) -> str:
        return f"{self.first} {self.surname}"

    def initials(self) -> str:
        """ "Ахметова Ж.К." for Cyrillic names, "A. Smith" for Latin ones."""
        if self.script == "latin":
            return f"{self.first[0]}. {self.surname}"
        patr = f"{self.patronymic[0]}." if self.patronymic else ""
        return f"{self.surname} {self.first[0]}.{patr}"

    def dative(self) -> str:
        """Russian dative, surname first: "Иванову Петру Сергеевичу"."""
        parts = [_ru_surname_dative(self.surname, self.female), self.first_dative]
        if self.patronymic:
            parts.append(_patronymic_dative(self.patronymic))
        return " ".join(parts)

    def polite(self) -> str:
        """First name (+ patronymic) as used in a greeting: "Жанар Болатовна", "Emily"."""
        if self.patronymic and self.script == "cyrillic":
            return f"{self.first} {self.patronymic}"
        return self.first

    def to_latin(self) -> Person:
        if self.script == "latin":
            return self
        return Person(
            first=transliterate(self.first),
            surname=transliterate(self.surname),
            patronymic=None,
            female=self.female,
            origin=self.origin,
            first_dative=transliterate(self.first),
            latin=True,
        )


def _kz_person(rng: random.Random, female: bool) -> Person:
    names = _KZ_FEMALE if female else _KZ_MALE
    first = rng.choice(list(names))
    if rng.random() < 0.2:
        surname = rng.choice(_KZ_INDECLINABLE_SURNAMES)
    else:
        surname = rng.choice(_KZ_SURNAMES) + ("а" if female else "")
    father = rng.choice(_KZ_FATHERS)
    if rng.random() < 0.5:
        patronymic = father + ("қызы" if female else "ұлы")
    else:
        patronymic = _kz_russian_patronymic(father, female)
    return Person(first, surname, patronymic, female, "kz", names[first])


def _kz_russian_patronymic(father: str, female: bool) -> str:
    return father + ("овна" if female else "ович")


def _ru_person(rng: random.Random, female: bool) -> Person:
    names = _RU_FEMALE if female else _RU_MALE
    first = rng.choice(list(names))
    surname = rng.choice(_RU_SURNAMES) + ("а" if female else "")
    male_p, female_p = _RU_FATHERS[rng.choice(list(_RU_FATHERS))]
    return Person(first, surname, female_p if female else male_p, female, "ru", names[first])


def _en_person(rng: random.Random, female: bool) -> Person:
    first = rng.choice(_EN_FEMALE if female else _EN_MALE)
    return Person(first, rng.choice(_EN_SURNAMES), None, female, "en", first)


def random_person(rng: random.Random, origin: str | None = None) -> Person:
    """A person of the given origin ("kz", "ru", "en"), or a Kazakhstan-like mix when None."""
    if origin is None:
        origin = rng.choices(("kz", "ru", "en"), weights=(55, 35, 10))[0]
    female = rng.random() < 0.5
    if origin == "kz":
        return _kz_person(rng, female)
    if origin == "ru":
        return _ru_person(rng, female)
    return _en_person(rng, female)
