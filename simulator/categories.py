"""Keyword-grounded routing: the category, a second topic and urgency of a customer e-mail.

A small table of word stems per category, in English, Russian and Kazakh, each with a weight
(2 for a stem that nearly settles the category, 1 for a hint). A category's score is the sum
of the weights of its stems found in the document (each stem counted once, twice when it is in
the subject, the document's first line); the best score wins, ties go to the earlier category
in :data:`CATEGORIES`. ``no_reply_needed`` (thanks, auto-replies, newsletters) must beat every
other category, since most e-mails end with a thank-you. Two topics need two categories with at
least :data:`STRONG_SCORE` each. Urgency is a word such as срочно, urgent, шұғыл, immediately,
мошенничество or fraud.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES: tuple[str, ...] = (
    "payment_complaint",
    "delivery_question",
    "closing_documents_request",
    "card_blocked_or_fraud",
    "account_access",
    "contract_question",
    "no_reply_needed",
)
DEPARTMENTS: dict[str, str | None] = {
    "payment_complaint": "payments",
    "delivery_question": "logistics",
    "closing_documents_request": "accounting",
    "card_blocked_or_fraud": "fraud",
    "account_access": "digital_banking",
    "contract_question": "legal",
    "no_reply_needed": None,
}
PROBLEM_TYPES: dict[str, tuple[str, ...]] = {
    "payment_complaint": (
        "double_charge",
        "payment_not_credited",
        "transfer_failed",
        "unexpected_fee",
    ),
    "delivery_question": (
        "card_delivery_delay",
        "card_delivery_status",
        "change_delivery_address",
        "document_delivery",
    ),
    "closing_documents_request": (
        "closing_documents",
        "invoice_request",
        "reconciliation_act",
        "account_statement",
    ),
    "card_blocked_or_fraud": (
        "card_blocked",
        "card_lost",
        "phishing_call",
        "unauthorized_transaction",
    ),
    "account_access": ("login_failed", "password_reset", "otp_not_received", "account_locked"),
    "contract_question": (
        "contract_terms",
        "contract_termination",
        "early_repayment",
        "interest_rate",
    ),
    "no_reply_needed": (),
}
#: A second topic needs at least this score, and so does the first.
STRONG_SCORE = 3

_STEMS: dict[str, dict[str, int]] = {
    "payment_complaint": {
        "списа": 2, "дважды": 2, "два раза": 2, "не зачисл": 2, "не поступ": 2, "не дошл": 2,
        "комисси": 1, "платеж": 1, "платёж": 1, "перевод": 1, "возврат": 1, "вернит": 1,
        "charged": 2, "twice": 2, "not credited": 2, "debited": 2, "refund": 1, "fee": 1,
        "payment": 1, "transfer": 1, "екі рет": 2, "шешілді": 1, "есептелмеді": 2, "төлем": 1,
        "аударым": 1, "комиссия": 1, "қайтар": 1,
    },
    "delivery_question": {
        "доставк": 2, "курьер": 2, "delivery": 2, "courier": 2, "deliver": 1, "жеткіз": 2,
        "адрес доставки": 2, "получить карту": 1, "перевыпуск": 1, "дайын": 1,
    },
    "closing_documents_request": {
        "акт сверки": 2, "закрывающ": 2, "счет-фактур": 2, "счёт-фактур": 2, "выписк": 1,
        "справк": 1, "reconciliation": 2, "closing documents": 2, "invoice": 2, "statement": 1,
        "certificate": 1, "салыстыру": 2, "шот-фактур": 2, "жабу құжат": 2, "құжат": 1,
        "анықтама": 1, "үзінді": 1, "квартал": 1, "audit": 1, "аудит": 1,
    },
    "card_blocked_or_fraud": {
        "мошен": 2, "fraud": 2, "phishing": 2, "фишинг": 2, "алаяқ": 2, "заблокир": 2,
        "блокир": 1, "blocked": 2, "stolen": 2, "lost my card": 2, "утер": 2, "потерял": 2,
        "украл": 2, "не совершал": 2, "did not make": 2, "unauthori": 2, "жоғалт": 2,
        "ұрла": 2, "карта бұғат": 2, "картам бұғат": 2, "код из": 1, "the code": 1, "кодты": 1,
    },
    "account_access": {
        "пароль": 2, "логин": 2, "войти": 2, "вход": 1, "не могу зайти": 2, "доступ": 1,
        "password": 2, "log in": 2, "login": 2, "access": 1, "one-time": 2, "otp": 2,
        "sms": 1, "смс": 1, "құпиясөз": 2, "кіре алмай": 2, "кіру": 1, "қолжетімділі": 2,
        "приложени": 1, "мобильн": 1, "қосымша": 1, "app": 1,
    },
    "contract_question": {
        "договор": 1, "contract": 1, "agreement": 1, "шарт": 1, "келісім": 1,
        "досрочн": 2, "early repayment": 2, "repay": 1, "ставк": 2, "interest rate": 2,
        "расторг": 2, "расторж": 2, "terminat": 2, "мерзімінен бұрын": 2, "пайыз": 2,
        "бұзу": 2, "пункт": 1, "clause": 1, "тармақ": 1, "услови": 2, "terms": 2, "талап": 2,
        "мөлшерлеме": 2, "закрыть счёт": 2, "закрытие сч": 2,
    },
    "no_reply_needed": {
        "спасибо": 1, "благодар": 1, "thank": 1, "рақмет": 1, "решен": 1, "resolved": 2,
        "шешілді": 1, "unsubscribe": 2, "отписат": 2, "рассылк": 2, "newsletter": 2,
        "таратылым": 2, "автоответ": 2, "auto-reply": 2, "out of office": 2, "dear customers": 2,
        "уважаемые клиенты": 2, "құрметті клиенттер": 2, "working": 1, "всё работает": 2,
        "все работает": 2, "разблокировал": 2, "automatic reply": 3, "автоматический ответ": 3,
        "автожауап": 3, "on leave": 2, "в отпуске": 2, "демалыста": 2, "подписаны": 1,
        "жұмыс істейді": 2, "is resolved": 2, "вопрос решён": 2,
    },
}  # fmt: skip
_URGENT = re.compile(
    r"(?<!\w)(?:срочн|urgent|шұғыл|immediately|немедленно|asap|мошен|fraud|алаяқ)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Routing:
    """What the keywords say about a document."""

    scores: dict[str, int]
    urgent: bool

    @property
    def ranked(self) -> list[str]:
        """Categories with a score, best first; ``no_reply_needed`` first only when it leads."""
        scored = [name for name in CATEGORIES if self.scores.get(name, 0) > 0]
        ordered = sorted(scored, key=lambda name: -self.scores[name])
        others = [name for name in ordered if name != "no_reply_needed"]
        quiet = self.scores.get("no_reply_needed", 0)
        if quiet and (not others or quiet > self.scores[others[0]]):
            return ["no_reply_needed", *others]
        return others

    @property
    def category(self) -> str | None:
        ranked = self.ranked
        return ranked[0] if ranked else None

    @property
    def runner_up(self) -> str | None:
        ranked = self.ranked
        return ranked[1] if len(ranked) > 1 else None

    @property
    def two_topics(self) -> bool:
        ranked = self.ranked
        return len(ranked) > 1 and self.scores[ranked[1]] >= STRONG_SCORE


def route(document: str) -> Routing:
    """Score every category's stems in ``document`` (its first line is the subject)."""
    lowered = document.strip().lower()
    subject = lowered.split("\n", 1)[0]
    scores = {
        name: sum(
            weight * (_has_stem(lowered, stem) + _has_stem(subject, stem))
            for stem, weight in stems.items()
        )
        for name, stems in _STEMS.items()
    }
    return Routing(scores, bool(_URGENT.search(document)))


def _has_stem(text: str, stem: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(stem)}", text) is not None
