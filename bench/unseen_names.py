"""Names the masker has never seen, for ``bench/masking.py --unseen-names``.

The sample generator draws people from short tables (``sampledata/names.py``), and the
masker's first-name tables (``compliance/masking/recognizers/name_data.py``) happen to contain
all of those first names. To measure how the name approach does on *other* people, this swaps
the generator's tables for names that are in none of the masker's tables — Kazakh, Russian and
English first names, surnames and fathers' names — before the records are generated. Surnames
keep their natural shapes (-ов, -ин, -ұлы …) and a quarter of the Kazakh ones have none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from compliance.masking.recognizers.name_data import CYRILLIC_FIRST_NAMES, LATIN_FIRST_NAMES

TABLES: dict[str, Any] = {
    "_KZ_MALE": {
        "Жарқын": "Жарқыну", "Нұрасыл": "Нұрасылу", "Бекарыс": "Бекарысу", "Ерқанат": "Ерқанату",
        "Жанболат": "Жанболату", "Мейіржан": "Мейіржану", "Сұңқар": "Сұңқару", "Тілек": "Тілеку",
        "Әміржан": "Әміржану", "Бейбарыс": "Бейбарысу", "Дидар": "Дидару", "Ілияр": "Ілияру",
    },
    "_KZ_FEMALE": {
        "Ажар": "Ажар", "Гүлшат": "Гүлшат", "Жәния": "Жәнии", "Көркем": "Көркем",
        "Мейрамгүл": "Мейрамгүл", "Нәзира": "Нәзире", "Сәния": "Сәнии", "Тұмар": "Тұмар",
        "Үміт": "Үміт", "Арайлым": "Арайлым", "Назым": "Назым", "Ақсұлу": "Ақсұлу",
    },
    "_KZ_SURNAMES": (
        "Байтұрсынов", "Дүйсенов", "Жарылқасынов", "Қожахметов", "Мамыров", "Рысқұлов",
        "Тұрғанбаев", "Шәріпов", "Өтепов", "Ыбыраев", "Кенжебаев", "Тастанов",
    ),
    "_KZ_INDECLINABLE_SURNAMES": ("Әбілқасым", "Құрманғали", "Тоқтар", "Серікбай"),
    "_KZ_FATHERS": ("Ғазиз", "Сайлау", "Есенжол", "Талап", "Нұрдәулет", "Қуат"),
    "_RU_MALE": {
        "Мирон": "Мирону", "Прохор": "Прохору", "Ефрем": "Ефрему", "Демьян": "Демьяну",
        "Елисей": "Елисею", "Тарас": "Тарасу", "Остап": "Остапу", "Гордей": "Гордею",
        "Лука": "Луке", "Ермолай": "Ермолаю",
    },
    "_RU_FEMALE": {
        "Есения": "Есении", "Снежана": "Снежане", "Агния": "Агнии", "Стефания": "Стефании",
        "Ариадна": "Ариадне", "Милена": "Милене", "Эмилия": "Эмилии", "Василина": "Василине",
        "Мирослава": "Мирославе", "Любава": "Любаве",
    },
    "_RU_SURNAMES": (
        "Громов", "Тарасов", "Белоусов", "Журавлёв", "Сорокин", "Шубин", "Ершов", "Голубев",
        "Клюев", "Зимин", "Рябов", "Щукин",
    ),
    "_RU_FATHERS": {
        "Тарас": ("Тарасович", "Тарасовна"), "Остап": ("Остапович", "Остаповна"),
        "Мирон": ("Миронович", "Мироновна"), "Прохор": ("Прохорович", "Прохоровна"),
        "Ефрем": ("Ефремович", "Ефремовна"), "Демьян": ("Демьянович", "Демьяновна"),
    },
    "_EN_MALE": ("Hamish", "Quentin", "Ronan", "Declan", "Fergus", "Rupert", "Alistair",
                 "Cormac", "Lachlan"),
    "_EN_FEMALE": ("Orla", "Tamsin", "Saoirse", "Niamh", "Philippa", "Rosalind", "Beatrix",
                   "Morag", "Isolde"),
    "_EN_SURNAMES": ("Featherstone", "Ashdown", "Blackwood", "Cartwright", "Fairweather",
                     "Hawthorne", "Pendleton", "Whitlock", "Thistlewood", "Ravensworth"),
}  # fmt: skip


def known_to_the_masker() -> list[str]:
    """First names of these tables the masker's gazetteers already hold (should be none)."""
    firsts = [
        *TABLES["_KZ_MALE"], *TABLES["_KZ_FEMALE"], *TABLES["_RU_MALE"],
        *TABLES["_RU_FEMALE"], *TABLES["_EN_MALE"], *TABLES["_EN_FEMALE"],
    ]  # fmt: skip
    return [n for n in firsts if n in CYRILLIC_FIRST_NAMES or n in LATIN_FIRST_NAMES]


@contextmanager
def unseen_names() -> Iterator[None]:
    """While inside, ``generate_records`` draws its people from :data:`TABLES`."""
    from sampledata import names

    saved = {name: getattr(names, name) for name in TABLES}
    for name, table in TABLES.items():
        setattr(names, name, table)
    try:
        yield
    finally:
        for name, table in saved.items():
            setattr(names, name, table)
