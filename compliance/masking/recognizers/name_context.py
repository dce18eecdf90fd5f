"""Where a name stands: the words around it that say "a person's name comes here".

A *run* (:data:`RUN`) is one to three capitalized words with initials, on one line, as the name
finders see text (:mod:`compliance.masking.view`: ALL CAPS re-cased, look-alike letters in one
script). Each rule of :data:`CONTEXT_RULES` captures a run as ``name`` where the context says a
person is named:

- a greeting ("Здравствуйте, …!", "Құрметті …", "Dear …,"), or any short opening that ends in
  ", Name!" ("Сәлмеетсіз бе, Толқын!" with its typo);
- an introduction ("Меня зовут …", "My name is …", "Менің атым …");
- a sign-off ("С уважением,\\n…", "Regards, …"), also across a "—" line, and a signature after
  a separator line ("--", "—") alone;
- a mail header (``… <someone@example.kz>``, "От: …", "To: …");
- a form label ("ФИО: …", "Cardholder: …", "Имя: …", "Last name: …", "Account holder: …"), also
  two labels in two languages ("ТЕГІ / ФАМИЛИЯ: …") and ID-card fields with no colon;
- a title or a role ("Mr …", "г-жа …", "Нотариус …", "Курьер …", "менеджер …", "my manager …",
  "Әжем …": kin, staff and parties of a contract);
- a name before its employer or role on a signature line ("Меруерт, АО «…»", "Гаухар | Customer
  Care");
- a signature between slashes ("/ Ахметова Ж.Қ. /").

:func:`find_mrz_names` reads the machine-readable zone of an ID card or passport
(``SURNAME<<GIVEN<NAMES<<<``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compliance.masking.recognizers.lookahead import with_first_letters

UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOW_CYR = "а-яёәғқңөұүһі"
NAME_WORD = (
    rf"(?:[А-ЯЁӘҒҚҢӨҰҮҺІ][{_LOW_CYR}]+(?:-[А-ЯЁӘҒҚҢӨҰҮҺІ]?[{_LOW_CYR}]+)?"
    r"|[A-Z][a-z]+(?:['’\-][A-Z]?[a-z]+)?)"
)
INITIALS = rf"(?:[{UPPER}]\.[ \u00a0]?){{1,2}}"
_GAP = r"[ \u00a0]"
RUN = (
    rf"(?:{INITIALS}{_GAP}?)?{NAME_WORD}(?:{_GAP}{NAME_WORD}){{0,2}}"
    rf"(?:{_GAP}{INITIALS})?"
)

_I = "(?i:"
_GREETING = (
    _I + r"здравствуй(?:те)?|добр(?:ый|ое|ого)\s+(?:день|вечер|утро|дня)|уважаем\w*|дорог\w*"
    r"|привет|құрметті|сәлеметсіз\s+бе|сәлем|қайырлы\s+(?:күн|таң|кеш)|hello|hi|hey|dear"
    r"|good\s+(?:morning|afternoon|evening))"
)
_INTRO = (
    _I + r"меня\s+зовут|мо[её]\s+имя|my\s+name\s+is|менің\s+(?:атым|есімім)|атым"
    r"|(?:a\s+(?:lady|man|woman|guy|girl|manager|person)\s+)?(?:called|named)|по\s+имени"
    r"|thanks\s+to|спасибо|благодарность|рахмет|рақмет)"
)
_SIGNOFF = (
    _I + r"с\s+уважением|с\s+наилучшими\s+пожеланиями|спасибо|благодарю|құрметпен|рақмет"
    r"|рахмет|(?:best|kind|warm|many)\s+(?:regards|thanks|wishes)|regards|thanks|thank\s+you"
    r"|sincerely|yours\s+(?:sincerely|faithfully|truly)|cheers)"
)
_LABEL = (
    _I + r"фио|ф\.\s?и\.\s?о\.|таә|full\s+name|name|cardholder|card\s+holder|владелец|держатель"
    r"|иесі|получатель|recipient|заявитель|applicant|плательщик|payer|отправитель|sender"
    r"|контактное\s+лицо|contact\s+person|от|from|кому|to|копия|cc|кімнен|кімге"
    r"|account\s+holder|name\s+on\s+card|customer|client|клиент|заёмщик|заемщик|borrower"
    r"|alıcı|алушы|жіберуші|өтініш\s+беруші|contact|жауапты\s+тұлға|responsible\s+person"
    r"|жалға\s+алушы|жалға\s+беруші|tenant|landlord|арендатор|арендодатель|наниматель"
    r"|buyer|seller|покупатель|продавец|сатушы|сатып\s+алушы|ответчик|истец|представитель"
    r"|доверитель|поверенный|сенім\s+білдіруші|employee|сотрудник|қызметкер|работник)"
)
#: The labels of a name field in a form or on an ID card (also without a colon).
_NAME_FIELD = (
    _I + r"фамилия|имя|отчество|тегі|тегi|аты|әкесінің\s+аты|аты-жөні|аты\s+жөні|фио|таә"
    r"|surname|last\s+name|family\s+name|first\s+name|given\s+names?|middle\s+name"
    r"|patronymic|name)"
)
_TITLE = (
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?|"
    + _I
    + r"\bг-н|\bг-жа|господин[ау]?|госпож[аеу]|гражданин[ау]?|гражданк[аеу]|мырза|ханым))"
)
#: People named by their role or kin: staff, parties of a contract, family.
_ROLE = (
    _I + r"менеджер|специалист|курьер|кассир|оператор|нотариус|адвокат|юрист|агент"
    r"|(?:со)?за[её]мщик|поручител[ья]|супруг[аи]?|жена|муж|сын|дочь|брат|сестра|мама|папа|отец"
    r"|мать|бабушка|дедушка|судья|судьи|следователь|врач|директор|сторон[аы]|әжем|әкем|анам|атам|ағам|апам|інім|сіңлім|қарындасым|қызым|ұлым"
    r"|күйеуім|әйелім|жолдасым|маман|қызметкер[іи]?|кеңесші|курьерге|manager|courier|cashier"
    r"|specialist|officer|agent|notary|lawyer|borrower|co-borrower|guarantor|teller|colleague"
    r"|wife|husband|son|daughter|mother|father|brother|sister|grandmother|grandfather"
    r"|балам|немерем|жиенім|внук|внучка|племянник|племянница|тётя|тетя|дядя|коллега"
    r"|child|grandson|granddaughter|nephew|niece|aunt|uncle)"
)
#: Kin, who may be named after a comma or a colon: "My wife, Shirin, will come", "Балам: Нұрислам".
_KIN = (
    _I + r"жена|муж|сын|дочь|брат|сестра|мама|папа|отец|мать|супруг[аи]?|балам|ұлым|қызым"
    r"|әйелім|күйеуім|жолдасым|немерем|wife|husband|son|daughter|mother|father|brother|sister"
    r"|child|grandson|granddaughter)"
)
#: A kin or courtesy word after a first name: "Гүлбаршын апай", "Ерлан аға", "Айгүл ханым".
_HONORIFIC_AFTER = (
    r"(?:апай|апа|аға|ағай|әпке|ханым|мырза|бауырым|әже|ата|ханум|эже|апайға|ағайға|апайдың"
    r"|ағайдың)"
)
#: A patronymic particle after the given names: "Мамедов Тофик Аллахверди оглы", "… ugli".
_PARTICLE_AFTER = (
    r"(?:оглы|кызы|угли|ули|ұлы|қызы|улы|ugli|o['’]g['’]li|ogli|qizi|kizi|ogly|kyzy|uly)"
)
#: A Russian/Kazakh surname ending, for a surname written with initials ("Kenzhebaev B.",
#: "Д. Б. Әміренов").
_SURNAME_END = (
    r"(?:ов|ев|ёв|ин|ына|ова|ева|ёва|ина|енко|ский|ская|ұлы|қызы|uly|kyzy|ov|ev|ova|eva|in|ina"
    r"|enko|sky|skaya)"
)
_EMPLOYER = (
    r"(?:ТОО|АО|ИП|ЖШС|АҚ|ООО|LLP|LLC|JSC|Ltd|[«\"“]|(?i:customer|client|support|service"
    r"|bank|банк|служба|отдел|менеджер|специалист|manager|specialist|officer|call|контакт))"
)
_BREAK = r"(?:<br\s*/?>[ \t]*\n?|\n)"
_LINE_START = r"(?:^|\n|<br\s*/?>|<div[^>]*>)[ \t>]*"
_LINE_END = r"[ \t]*[.,!]?[ \t]*(?=\n|$|<)"
_SEPARATOR = r"(?:--|—|–|-{3,}|_{3,})[ \t]*"
_RUN = rf"(?P<name>{RUN})"
_INITIALED_SURNAME = (
    rf"(?:{INITIALS}{_GAP}?[{UPPER}]\w*{_SURNAME_END}|[{UPPER}]\w*{_SURNAME_END}{_GAP}{INITIALS})"
)
#: The rules, in order. Those that open with a list of words, or with a name before an e-mail
#: address, scan with a lookahead on their first letters (:mod:`.lookahead`: the same matches,
#: a third of the time); the others open with a line start or a capital and gain nothing by it.
CONTEXT_RULES = tuple(
    with_first_letters(pattern) if keyword_led else re.compile(pattern)
    for pattern, keyword_led in (
        (rf"{_LINE_START}{_GREETING}[ \t]*,?[ \t]+{_RUN}[ \t]*[,!.:;\n<]", False),
        (rf"{_LINE_START}{_RUN},[ \t]*{_GREETING}\b", False),
        (rf"{_LINE_START}[^\n,!?.<>]{{2,40}},[ \t]+{_RUN}[ \t]*!", False),
        (rf"{_INTRO}[ \t]*[:\-—]?[ \t]*{_RUN}", True),
        (
            rf"{_SIGNOFF}[ \t]*[,!.]?[ \t]*(?:{_BREAK}[ \t>]*(?:{_SEPARATOR}{_BREAK}[ \t>]*)?)?"
            rf"{_RUN}{_LINE_END}",
            True,
        ),
        (rf"{_LINE_START}{_SEPARATOR}{_BREAK}[ \t>]*{_RUN}{_LINE_END}", False),
        (rf"{_RUN}[ \t]*<[^<>\s@]+@[^<>\s]+>", True),
        (rf"{_LINE_START}(?:{_LABEL}[ \t]*/[ \t]*)?{_LABEL}[ \t]*[:=][ \t]*{_RUN}", False),
        (rf"(?:^|[\n&?;])[ \t]*{_NAME_FIELD}[ \t]*=[ \t]*{_RUN}", False),
        (
            rf"{_LINE_START}(?:{_NAME_FIELD}[ \t]*/[ \t]*)?{_NAME_FIELD}[ \t]*[:\-]?[ \t]*{_RUN}"
            r"(?=[ \t]*(?:[/,\n<]|$))",
            False,
        ),
        (rf"(?:\d|{NAME_WORD})[ \t]*\([ \t]*{_RUN}[ \t]*\)", False),
        (rf"/[ \t]*{_RUN}[ \t]*/", False),
        (rf"{_TITLE}[ \t]+{_RUN}", True),
        (rf"(?<![\w-]){_ROLE}[ \t]+(?:—[ \t]+)?{_RUN}", True),
        (rf"(?<![\w-]){_KIN}[ \t]*[,:][ \t]*{_RUN}", True),
        (rf"(?<![\w-]){_RUN}[ \t]+{_HONORIFIC_AFTER}(?![\w-])", False),
        (rf"(?<![\w-]){_RUN}[ \t]+деген(?![\w-])", False),
        (rf"(?<![\w-])(?P<name>{RUN}[ \t]+{_PARTICLE_AFTER})(?![\w-])", False),
        (rf"(?<![\w-])(?P<name>{_INITIALED_SURNAME})(?![\w-])", False),
        (rf"{_LINE_START}{_RUN}[ \t]*(?:,|\||—|–)[ \t]*{_EMPLOYER}", False),
    )
)
#: A machine-readable zone's name line: SURNAME<<GIVEN<NAMES<<<<.
#: (The name finders read the view, where the zone's capitals are re-cased: "Garifullina<<Dinara".)
_MRZ_NAMES = re.compile(
    r"(?m)^[ \t]*([A-Za-z]{2,}(?:<[A-Za-z]{2,})*)<<([A-Za-z]{2,}(?:<[A-Za-z]{2,})*)<*[ \t]*$"
)
_MRZ_WORD = re.compile(r"[A-Za-z]{2,}")
_MRZ_NOT_NAMES = frozenset({"IDKAZ", "KAZ", "PKAZ", "ID", "P"})


#: A surname written with initials, which even in quotes is a person ("Kenzhebaev B.").
INITIALED_SURNAME = re.compile(_INITIALED_SURNAME.rstrip())
#: What stays with a name found in context: a title before it, a patronymic particle after it.
TITLE_BEFORE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?)[ \t]+$")
PARTICLE_AFTER = re.compile(rf"[ \t]+{_PARTICLE_AFTER}(?![\w-])")
#: A label that introduces several people's names in a list: "Балаларымның аттары: А, Б, В".
_NAMES_LIST = re.compile(
    r"(?i:аттары|есімдері|имена|names|список)[ \t]*:[ \t]*(?P<list>[^\n.;]{2,200})"
)
_LIST_ITEM = re.compile(
    rf"(?:^|,|\bи\b|\bжәне\b|\band\b)[ \t]*({RUN})[ \t]*(?=,|$|\bи\b|\bжәне\b|\band\b)"
)


def find_listed_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each name in a list after a names label ("аттары:", "имена:", "names:")."""
    for match in _NAMES_LIST.finditer(text):
        base = match.start("list")
        for item in _LIST_ITEM.finditer(match.group("list").rstrip()):
            yield base + item.start(1), base + item.end(1)


def find_mrz_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each name group in the machine-readable zone of an ID card or passport."""
    for match in _MRZ_NAMES.finditer(text):
        for group in (1, 2):
            words = {word.upper() for word in _MRZ_WORD.findall(match.group(group))}
            if words and not words & _MRZ_NOT_NAMES:
                yield match.start(group), match.end(group)
