"""Sentences with capitalized words that are not people, for the precision of the name rules.

The sample e-mails have few capitalized words in mid-sentence besides names, so their precision
flatters any name rule. These sentences — written for this bench, not tuned to the masker —
hold shops, banks, brands, places, products and document titles the way customers write them.
``bench/masking.py --ablation`` counts the sentences in which each variant finds a "person".
"""

from __future__ import annotations

NEGATIVES = (
    # English
    "I paid with Apple Pay at Dostyk Plaza yesterday.",
    "The transfer via Western Union never arrived.",
    "My Kaspi Gold card was charged twice at Small Supermarket.",
    "Air Astana refunded the ticket, but the money is not on my Visa Classic card.",
    "I ordered a Samsung Galaxy from Technodom Plus and paid in instalments.",
    "Please send the statement to our office at Esentai Tower.",
    "The ATM at Mega Silk Way swallowed my card.",
    "We pay salaries through Freedom Finance and need the Halyk Bank details.",
    "I bought tickets at Kinopark Cinema with my Mastercard Platinum.",
    "The payment to Beeline Kazakhstan failed again.",
    "My employer, Caspian Oil Services, transfers the salary on Fridays.",
    "Could you confirm the SWIFT code of Bank Home Credit?",
    "The charge from Netflix International looks wrong.",
    "I was told at Khan Shatyr that the terminal was offline.",
    "Our company moved to Nurly Tau Business Centre last month.",
    "I used Google Pay on my Xiaomi Redmi phone.",
    "The invoice from Glovo Delivery was paid twice.",
    "We need an Account Statement and a Reconciliation Act for Q3.",
    "The app shows Transaction Declined every time.",
    "I sent money to Golden Crown but it is still Pending.",
    # Russian
    "Оплатила покупку в Магнум Кэш энд Керри картой, списали дважды.",
    "Перевод через Золотую Корону так и не дошёл.",
    "Деньги за билет Эйр Астаны не вернулись на карту.",
    "В отделении на Абая сказали обратиться в Службу Поддержки.",
    "Купил телефон в Технодоме в рассрочку, платёж не прошёл.",
    "Банкомат в ТРЦ Мега Алматы не вернул карту.",
    "Оплата в Яндекс Такси списалась два раза.",
    "Нужна справка для Посольства Германии до конца месяца.",
    "Платёж в Казахтелеком завис, хотя деньги списаны.",
    "Зарплату перечисляет Казмунайгаз Сервис, но она не пришла.",
    "Прошу выслать Акт Сверки и Счёт Фактуру за квартал.",
    "Покупка в Спортмастере отображается как Ожидание.",
    # Kazakh
    "Магнум дүкенінде төлем жасадым, ақша екі рет алынды.",
    "Эйр Астана билетінің ақшасы картаға қайтпады.",
    "Технодом дүкенінен телефон сатып алдым, төлем өтпеді.",
    "Алтын Орда сауда орталығындағы банкомат картамды қайтармады.",
    "Қазақтелеком төлемі тұрып қалды, ақша шешілді.",
    "Германия Елшілігіне анықтама керек.",
)
