"""Names: context and shape rules for every script, natasha for Cyrillic text, and one book
of people per document. The names here are not in the sample generator's tables."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compliance.masking.names import NameBook, is_person_like
from compliance.masking.recognizers.name_rules import find_names_by_rules
from compliance.masking.recognizers.persons import find_names, load_ner

ROOT = Path(__file__).resolve().parents[2]


def by_rules(text: str) -> set[str]:
    return {text[f.start : f.end] for f in find_names_by_rules(text)}


def by_everything(text: str) -> set[str]:
    return {text[f.start : f.end] for f in find_names(text, load_ner())}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Здравствуйте, Мирон Прохорович!\n\nПрошу помочь.", "Мирон Прохорович"),
        ("Құрметті Жарқын Талапұлы!\nКөмектесіңіз.", "Жарқын Талапұлы"),
        ("Dear Hamish,\n\nplease help.", "Hamish"),
        ("Меня зовут Громов Ефрем, я клиент банка.", "Громов Ефрем"),
        ("My name is Tamsin Featherstone and I bank with you.", "Tamsin Featherstone"),
        ("Менің атым Нұрасыл Байтұрсынов, клиентпін.", "Нұрасыл Байтұрсынов"),
        ("Жду ответа.\n\nС уважением,\nСнежана Клюева", "Снежана Клюева"),
        ("Thanks.\n\nKind regards,\nQuentin Ashdown\nCustomer Support", "Quentin Ashdown"),
        ("Құрметпен, Ажар Өтепова\nтел.: 1414", "Ажар Өтепова"),
        ("От: Ермолай Щукин <e.shchukin@example.kz>", "Ермолай Щукин"),
        ("ФИО: Зимина Агния Тарасовна\nДата рождения: 01.01.1990", "Зимина Агния Тарасовна"),
        ("Cardholder: Orla Blackwood\nPeriod: November", "Orla Blackwood"),
        ("Подпись: __________ / Рябова Е.Т. /", "Рябова Е.Т."),
        ("Please call Mr Fairweather tomorrow.", "Mr Fairweather"),  # the title goes with it,
    ],
)
def test_names_are_found_by_their_context(text: str, name: str) -> None:
    assert name in by_rules(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I tried to send $50 to Fergus Cartwright and it failed.", "Fergus Cartwright"),
        ("Please forward this to my manager, Rosalind Pendleton.", "Rosalind Pendleton"),
        ("Деньги ушли получателю Громову Мирону Тарасовичу вчера.", "Громову Мирону Тарасовичу"),
        ("Платёж за Белоусову Есению не прошёл.", "Белоусову Есению"),
    ],
)
def test_names_are_found_by_their_shape_in_running_text(text: str, name: str) -> None:
    assert name in by_everything(text)


@pytest.mark.parametrize(
    "text",
    [
        "Уважаемая служба поддержки!\n\nПрошу помочь.",
        "Dear Support Team,\n\nplease help.",
        "Company: Altyn Dala Trade LLP, BIN 050440000005.",
        "Наша компания: ТОО «Алтын Дала Трейд».",
        "«Нұр-Сервис» ЖК, БСН 050440000005",
        "On 14.11.2026, Customer Support <support@bank.example.kz> wrote:",
        "I paid at Arzan Market with my card.",
        "Новости Банка Пример <news@news.example.com>",
        "Клиенттерді қолдау қызметі",
        "Please see attached.\n\nBest regards,\nChief Accountant",
    ],
)
def test_greetings_teams_and_companies_are_not_names(text: str) -> None:
    assert by_everything(text) == set()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Вчера Жарқын Серікбай звонил мне, но я не ответила.", "Жарқын Серікбай"),
        ("Деньги ушли на счёт Ақсұлу Тоқтар в другом банке.", "Ақсұлу Тоқтар"),
        ("Кеше Жарқын Серікбай маған қоңырау шалды.", "Жарқын Серікбай"),
    ],
)
def test_names_with_no_context_and_in_no_table_are_found(text: str, name: str) -> None:
    """natasha, and since pymorphy3 (Серікбай is read as a first name) the rules too."""
    assert by_everything(text) == {name}


def test_the_book_joins_case_forms_subsets_and_initials_of_one_person() -> None:
    book = NameBook()
    customer = book.add("Громова Есения Тарасовна")
    assert book.add("Есения Тарасовна") == customer
    assert book.add("Громовой Есении") == customer
    assert book.add("Громова Е.Т.") == customer
    assert book.add("Щукин Ефрем") != customer


def test_the_book_finds_every_form_of_a_known_name() -> None:
    book = NameBook()
    book.add("Громова Есения Тарасовна")
    book.add("Orla Blackwood")
    text = "Есении Тарасовне, копия: Громовой. Подпись: Е.Т. Громова. O. Blackwood, Orla."
    found = [text[s:e] for s, e, _ in book.find(text)]
    assert found == [
        "Есении Тарасовне",
        "Громовой",
        "Е.Т. Громова",
        "O. Blackwood",
        "Orla",
    ]


def test_the_book_learns_the_surname_next_to_a_known_first_name() -> None:
    book = NameBook()
    book.add("Alistair")
    text = "my manager, Alistair Whitlock. Mr Whitlock said"
    book.learn_neighbours(text)
    assert [text[s:e] for s, e, _ in book.find(text)] == ["Alistair Whitlock", "Whitlock"]


@pytest.mark.parametrize(
    ("display", "person"),
    [
        ("Ахметова Жанар", True),
        ("Askhat", True),
        ("Example Bank News", False),
        ("Служба поддержки", False),
        ("Altyn Dala Trade LLP", False),
        ("ТОО «Степь Агро»", False),
        ("noreply@bank.example.kz", False),
    ],
)
def test_a_sender_display_name_is_a_person_unless_it_names_an_organisation(
    display: str, person: bool
) -> None:
    assert is_person_like(display) is person


def test_natasha_loads_and_masks_without_any_network(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network access attempted")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from compliance.masking import Masker

        result = Masker.load().mask({"body": "Меня зовут Громов Ефрем, пишите a.b@mail.example"})
        assert result.counts == {"PERSON": 1, "EMAIL_ADDRESS": 1}, result.counts
        print("ok")
        """
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
