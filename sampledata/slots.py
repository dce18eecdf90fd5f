"""Filling template slots for one record, and recording the fields the text now contains.

A :class:`SlotFiller` makes each slot's value once per record (a second ``{iin}`` repeats the
same IIN) and notes the extractable fields (request and contract number, amount, deadline)
the moment their text is produced, so a field is non-null exactly when it is in the text.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from typing import Any

from sampledata import identifiers as ids
from sampledata import lookalikes as la
from sampledata.names import Person
from sampledata.segments import Seg, lit, pii, render

_GENDER = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")

RU_MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
_MERCHANTS = ("Altyn Market", "TechnoMart KZ", "Dala Food", "Arzan Market", "QazBooks",
              "Sky Cinema", "Shanyraq Home", "Kokem Cafe")  # fmt: skip
_COMPANIES = {
    "ru": ("ТОО «Алтын Дала Трейд»", "ТОО «Казына Логистик»", "ИП «Нур-Сервис»",
           "АО «Степь Агро»", "ТОО «Сапар Курылыс»"),
    "kk": ("«Алтын Дала Трейд» ЖШС", "«Қазына Логистик» ЖШС", "«Нұр-Сервис» ЖК",
           "«Дала Агро» АҚ"),
    "en": ("Altyn Dala Trade LLP", "Steppe Analytics LLP", "Kazyna Logistics LLP",
           "Nur Service IE"),
}  # fmt: skip
_CITIES = {
    "ru": ("Алматы", "Астана", "Шымкент", "Караганда"),
    "kk": ("Алматы", "Астана", "Шымкент", "Қарағанды"),
    "en": ("Almaty", "Astana", "Shymkent", "Karaganda"),
}
_ROMAN = ("I", "II", "III", "IV")


class SlotFiller:
    """Resolves ``{slot}`` markers for one record written in ``lang`` ("ru", "kk" or "en")."""

    def __init__(
        self,
        rng: random.Random,
        lang: str,
        today: dt.date,
        people: dict[str, Person],
        display_name: str,
        from_email: str,
    ) -> None:
        self.rng = rng
        self.lang = lang
        self.today = today
        self.sender = people["sender"]
        self.agent = people["agent"]
        self.other = people["other"]
        self.display_name = display_name
        self.from_email = from_email
        self.deadline_days = rng.randint(2, 21)
        self.born = ids.birth_date(rng, today)
        self.fields: dict[str, Any] = {}
        self.cache: dict[str, list[Seg]] = {}
        self._makers = self._build_makers()

    def fill(self, template: str) -> list[Seg]:
        """Render ``template`` with Russian gendered forms chosen by the sender's gender."""
        group = 2 if self.sender.female else 1
        return render(_GENDER.sub(lambda m: m.group(group), template), self)

    def __call__(self, name: str) -> list[Seg]:
        if name not in self.cache:
            self.cache[name] = self._makers[name]()
        return self.cache[name]

    def used(self, name: str) -> bool:
        return name in self.cache

    def set_slot(self, name: str, segs: list[Seg]) -> None:
        self.cache[name] = segs

    def _person(self, person: Person, text: str) -> list[Seg]:
        return [pii("PERSON", text, person.script)]

    def _signature_name(self) -> list[Seg]:
        roll = self.rng.random()
        if roll < 0.75:
            text = self.display_name
        elif roll < 0.9:
            text = self.sender.full()
        else:
            text = self.sender.initials()
        return self._person(self.sender, text)

    def _build_makers(self) -> dict[str, Callable[[], list[Seg]]]:
        rng, lang, s, a, o = self.rng, self.lang, self.sender, self.agent, self.other
        return {
            "name": self._signature_name,
            "name_full": lambda: self._person(s, s.full()),
            "name_polite": lambda: self._person(s, s.polite()),
            "name_initials": lambda: self._person(s, s.initials()),
            "from_email": lambda: [pii("EMAIL_ADDRESS", self.from_email)],
            "email": lambda: [pii("EMAIL_ADDRESS", ids.email(rng, s))],
            "agent": lambda: self._person(a, a.polite()),
            "agent_full": lambda: self._person(a, a.full()),
            "agent_dat": lambda: self._person(a, a.dative()),
            "agent_email": lambda: [pii("EMAIL_ADDRESS", _bank_email(a))],
            "other": lambda: self._person(o, o.full()),
            "other_dat": lambda: self._person(o, o.dative()),
            "other_email": lambda: [pii("EMAIL_ADDRESS", ids.email(rng, o))],
            "iin": lambda: [pii("KZ_IIN", ids.iin(rng, self.born, s.female))],
            "dob": lambda: [pii("DATE_OF_BIRTH", ids.format_date(self.born, lang, rng))],
            "bin": lambda: [pii("KZ_BIN", ids.bin_number(rng, self.today))],
            "phone": lambda: [pii("PHONE_NUMBER", ids.phone(rng))],
            "phone2": lambda: [pii("PHONE_NUMBER", ids.phone(rng))],
            "card": lambda: [pii("CREDIT_CARD", ids.card_number(rng))],
            "iban": lambda: [pii("IBAN_CODE", ids.iban(rng))],
            "address": lambda: [pii("ADDRESS", ids.address(rng, lang))],
            "idcard": lambda: [pii("ID_DOC", ids.id_card_number(rng))],
            "passport": lambda: [pii("ID_DOC", ids.passport_number(rng))],
            "amount": self._amount,
            "req": self._request_number,
            "contract": self._contract_number,
            "deadline": self._deadline,
            "pcard": lambda: la.partial_card(rng),
            "hotline": lambda: la.hotline(rng),
            "date": lambda: [lit(self._past_date(1, 10))],
            "date_prev": lambda: [lit(self._past_date(3, 12))],
            "date_future": lambda: [lit(self._date(self.today + dt.timedelta(rng.randint(3, 20))))],
            "period": lambda: [lit(self._period())],
            "merchant": lambda: [lit(rng.choice(_MERCHANTS))],
            "company": lambda: [lit(rng.choice(_COMPANIES[lang]))],
            "city": lambda: [lit(rng.choice(_CITIES[lang]))],
        }

    def _amount(self) -> list[Seg]:
        value = la.amount(self.rng, self.lang)
        self.fields["amount"] = value.value
        self.fields["currency"] = value.currency
        return value.segs

    def _request_number(self) -> list[Seg]:
        segs = la.request_number(self.rng, self.lang, self.today)
        self.fields["request_number"] = _labelled_text(segs)
        return segs

    def _contract_number(self) -> list[Seg]:
        segs = la.contract_number(self.rng, self.lang, self.today)
        self.fields["contract_number"] = _labelled_text(segs)
        return segs

    def _deadline(self) -> list[Seg]:
        day = self.today + dt.timedelta(days=self.deadline_days)
        self.fields["deadline"] = day.isoformat()
        return la.deadline(self.rng, self.lang, day)

    def _past_date(self, low: int, high: int) -> str:
        return self._date(self.today - dt.timedelta(days=self.rng.randint(low, high)))

    def _date(self, day: dt.date) -> str:
        return ids.format_date(day, self.lang, self.rng)

    def _period(self) -> str:
        last = self.today.replace(day=1) - dt.timedelta(days=1)
        if self.rng.random() < 0.7:
            if self.lang == "en":
                return f"{ids.EN_MONTHS[last.month - 1]} {last.year}"
            if self.lang == "kk":
                return f"{last.year} жылғы {ids.KK_MONTHS[last.month - 1]}"
            return f"{RU_MONTHS[last.month - 1]} {last.year} года"
        quarter = _ROMAN[(last.month - 1) // 3]
        if self.lang == "en":
            return f"Q{(last.month - 1) // 3 + 1} {last.year}"
        if self.lang == "kk":
            return f"{last.year} жылғы {quarter} тоқсан"
        return f"{quarter} квартал {last.year} года"


def _labelled_text(segs: list[Seg]) -> str:
    return next(seg.text for seg in segs if seg.kind)


def _bank_email(person: Person) -> str:
    latin = person.to_latin()
    return f"{latin.first[0].lower()}.{latin.surname.lower()}@bank.example.kz"
