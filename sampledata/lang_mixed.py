"""Mixed-language cores: Russian or Kazakh with English terms, and Russian/Kazakh code-switching.

They are framed by the Russian or the Kazakh frame (greeting, signature, hard-case wrappers),
which is how such letters arrive.
"""

from __future__ import annotations

from sampledata.corpus import Core

C = Core

CORES: dict[str, tuple[Core, ...]] = {
    "payment_complaint": (
        C("transfer_failed",
          "У меня problem с payment: {date} [отправил|отправила] {amount} через app, статус "
          "transaction — failed, но деньги списали. Card {pcard}. Please check и сделайте "
          "refund.",
          ("Payment failed, деньги списаны", "Problem с переводом")),
        C("payment_not_credited",
          "{amount} аударым жасадым, бірақ деньги не дошли до получателя. Transfer ID {req}. "
          "Ақша қашан түседі, подскажите please.",
          ("Transfer не дошёл", "Аударым түспеді")),
        C("double_charge",
          "Вчера в «{merchant}» payment прошёл twice, {amount} екі рет шешілді. Карта {pcard}. "
          "Верните, пожалуйста, лишнее.",
          ("Double charge", "Екі рет шешілді")),
    ),
    "delivery_question": (
        C("card_delivery_delay",
          "Подскажите, where is my card? Заявка {req}, delivery обещали до {deadline}, но "
          "courier не звонил. Адрес: {address}.",
          ("Where is my card?", "Delivery карты")),
        C("card_delivery_status",
          "Картам қашан келеді? Курьер келмеді, tracking статус бір апта бойы «in transit» болып "
          "тұр. Өтінім {req}, телефон {phone}.",
          ("Card delivery статус", "Tracking не обновляется")),
    ),
    "closing_documents_request": (
        C("reconciliation_act",
          "Нам нужен reconciliation act по договору {contract} за {period}. Company: {company}, "
          "БИН {bin}. Deadline — {deadline}, для audit.",
          ("Reconciliation act", "Акт сверки / reconciliation")),
        C("closing_documents",
          "Бізге {period} үшін closing documents керек: invoice және акт. БСН {bin}, шот "
          "{iban}. Please send to {email}.",
          ("Closing documents", "Invoice және акт")),
    ),
    "card_blocked_or_fraud": (
        C("card_blocked",
          "Карточка {pcard} blocked, не могу ничего оплатить. Please unblock, я сейчас в "
          "командировке.",
          ("Card blocked", "Карта blocked")),
        C("unauthorized_transaction",
          "Менің картамнан {amount} списали, я такую transaction не [делал|делала]! Fraud болуы "
          "мүмкін. Card {card}, блокируйте please.",
          ("Fraud!!!", "Unauthorized transaction"), urgent=True),
    ),
    "account_access": (
        C("login_failed",
          "Не могу login в mobile app, пишет error «session expired». ИИН {iin}, phone {phone}. "
          "Help please.",
          ("Login не работает", "Mobile app error")),
        C("otp_not_received",
          "Интернет-банкингке кіре алмаймын, OTP код не приходит. Телефон {phone}. Проверьте "
          "please.",
          ("OTP не приходит", "OTP код келмейді")),
    ),
    "contract_question": (
        C("early_repayment",
          "Хочу сделать early repayment по договору {contract}, сумма {amount}. Какие documents "
          "нужны?",
          ("Early repayment", "Досрочное погашение / early repayment")),
        C("interest_rate",
          "{contract} шарты бойынша interest rate неге өзгерді? Мне никто не сообщил, please "
          "explain.",
          ("Interest rate вопрос", "Мөлшерлеме / rate")),
    ),
    "no_reply_needed": (
        C(None,
          "Спасибо, issue resolved, рақмет! Больше ничего не нужно.",
          ("Thanks", "Рақмет / спасибо"), kind="thanks"),
        C(None,
          "Рақмет, карта снова working, thanks for quick help.",
          ("Re: Card blocked", "Thanks!"), kind="thanks"),
        C(None,
          "Auto-reply: я в отпуске до {date_future}. Шұғыл сұрақтар бойынша: {other}, "
          "{other_email}.",
          ("Re: Документы", "Re: Request"), kind="autoreply"),
    ),
}  # fmt: skip
