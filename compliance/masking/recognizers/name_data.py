"""Name tables: first names (Kazakh, Russian, English), English surnames, words that are not names.

Data only (the rules live in :mod:`.name_rules`). The Cyrillic first names are written the
Kazakh and the Russian way; their spellings without Kazakh letters (Қайрат → Кайрат) and their
passport-style Latin spellings (Ержан → Yerzhan, Erzhan, Jerzhan …) are derived at import by
:func:`latin_spellings`, so the Latin table needs no second copy. Ambiguous names that are also
common words or company names (Алтын "gold", Нұр "light", Роза, Вера, Надежда, Любовь) are left
out on purpose: names with them are still found by the model, by context and by the sender.
"""

from __future__ import annotations

from itertools import product

_KZ_MALE = """
Абай Абылай Адай Адилет Әділ Әділет Азамат Айбар Айбек Айбол Айдар Айдос Айдын Ақан Ақжол
Алдияр Алибек Әлібек Әлихан Әлихан Алмас Алмат Амангелді Амир Анвар Ансар Арман Арнұр Арсен
Арыстан Асан Асет Асқар Асхат Асылан Асылбек Ахмет Аян Бағдат Бақыт Бақытжан Балтабай Батыр
Бауыржан Бейбіт Бекбол Бекжан Бекзат Бекнұр Болат Бұлат Ғабит Ғалым Ғани Дамир Данияр Дастан
Дәулет Дәурен Диас Ділмұрат Думан Еламан Ерасыл Ербол Ерғали Ерден Ержан Ержігіт Еркебұлан
Еркін Ерлан Ермек Ернар Ерназар Ернұр Ерсін Ертай Есен Жақсылық Жалғас Жандос Жанат Жәнібек
Жарас Жасұлан Жеңіс Жомарт Иса Ислам Ілияс Қайрат Қалиасқар Қанат Қасым Қуаныш Құдайберген
Мағжан Мақсат Малик Марат Мейрам Мирас Мұрат Мұхтар Мұхамед Нариман Нұрбол Нұрғиса Нұржан
Нұрлан Нұрсұлтан Олжас Омар Оралхан Рауан Рахат Руслан Рүстем Сабыр Сағат Сағыныш Самат Санжар
Сапар Серік Серікбол Сұлтан Талғат Тамерлан Темірлан Тимур Төлеген Тұрсын Ұлан Хасен Шалқар
Шыңғыс Ырысбек
"""
_KZ_FEMALE = """
Ағила Айару Айгерім Әйгерім Айгүл Айдана Айжан Айзада Айман Айнаш Айнұр Айсана Айсұлу Айым
Ақбота Ақерке Ақмарал Ақнұр Алия Аружан Асел Әсел Әселя Әсем Асем Аяжан Аяулым Балжан Бибігүл
Ботагөз Гаухар Гүлжан Гүлзат Гүлмира Гүлназ Гүлнар Гүлнара Гүлнұр Гүлсім Дана Дариға Дария
Динара Жазира Жайна Жамал Жанар Жаннат Жансая Жансұлу Жұлдыз Зарина Зере Зәуре Индира Інжу
Қарлығаш Қымбат Ләззат Ләйлә Мадина Майра Мақпал Мәдина Меруерт Мөлдір Назерке Назгүл Назира
Нұргүл Нұрсұлу Раушан Сабина Салтанат Сандуғаш Сәуле Сымбат Тоғжан Толқын Томирис Ұлжан
Ұлпан Шолпан Шынар Эльмира Әлия Әсия Феруза Хадиша Айкөркем Бағила Күләш Күлпаш
"""
_RU_MALE = """
Александр Алексей Анатолий Андрей Антон Аркадий Арсений Артём Артур Богдан Борис Вадим Валентин
Валерий Василий Вениамин Виктор Виталий Владимир Владислав Всеволод Вячеслав Геннадий Георгий
Герман Глеб Григорий Даниил Данила Денис Дмитрий Евгений Егор Ефим Захар Иван Игнат Игорь Илья
Иннокентий Кирилл Константин Лев Леонид Макар Максим Матвей Михаил Никита Николай Олег Павел
Пётр Платон Родион Роман Ростислав Савелий Святослав Семён Сергей Станислав Степан Тимофей
Тихон Фёдор Филипп Эдуард Эльдар Юрий Яков Ярослав Рустам Ринат Тагир Шамиль
"""
_RU_FEMALE = """
Агата Аделина Александра Алёна Алина Алиса Алла Анастасия Ангелина Анна Антонина Валентина
Валерия Варвара Василиса Вероника Виктория Виолетта Галина Дарина Дарья Диана Ева Евгения
Екатерина Елена Елизавета Жанна Зинаида Злата Зоя Инна Ирина Карина Кира Кристина Ксения Лариса
Лидия Лилия Людмила Маргарита Марина Мария Милана Наталья Наталия Нина Оксана Олеся Ольга
Полина Раиса Регина Светлана София Софья Таисия Тамара Татьяна Ульяна Эвелина Элина Юлия Яна
Ярослава Гульнара Гульшат Лейла Эльвира
"""
_EN_FIRST = """
Aaron Adam Adrian Aidan Alan Albert Alex Alexander Alfie Alice Alison Amanda Amber Amelia Amy
Andrew Angela Anna Anne Anthony Archie Arthur Ashley Austin Barbara Ben Benjamin Beth Brandon
Brian Bruce Caroline Carl Carol Catherine Charles Charlie Charlotte Chloe Chris Christian
Christina Christine Christopher Claire Colin Connor Craig Daniel Danielle David Deborah Dennis
Diana Donald Dorothy Douglas Dylan Edward Eleanor Elizabeth Ella Ellie Emily Emma Eric Ethan Eva
Evelyn Fiona Frances Frank Freya Gary Gavin George Georgia Gordon Graham Gregory Hannah Harold
Harriet Harry Hayley Heather Helen Henry Holly Ian Imogen Isaac Isabel Isabella Isla Jack Jacob
Jake James Jamie Jane Janet Jason Jeffrey Jennifer Jeremy Jessica Joan Joanna Joe John Jonathan
Joseph Joshua Joyce Judith Julia Julie Justin Karen Katherine Kate Katie Keith Kelly Kenneth
Kevin Kimberly Kyle Laura Lauren Leo Leon Liam Lily Linda Lisa Logan Louis Louise Lucas Lucy
Luke Lydia Margaret Maria Marie Martin Mary Matthew Megan Melissa Michael Michelle Mohammed
Molly Nancy Naomi Natalie Nathan Neil Nicholas Nicola Nicole Noah Oliver Olivia Oscar Owen Pamela
Patricia Patrick Paul Peter Philip Phoebe Rachel Rebecca Richard Robert Robin Roger Ronald Rosie
Ruby Russell Ruth Ryan Samantha Samuel Sandra Sarah Scott Sean Sharon Sophia Sophie Stephen
Steven Stuart Susan Teresa Theo Theresa Thomas Timothy Toby Tom Tony Tyler Valerie Victoria
Vincent Walter Wendy William Zoe Zachary Mark Mia Grace Daisy Rose Will Jenny Becky Sam
"""
_EN_SURNAMES = """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Clark Patel Jackson Wood Turner
Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson
Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams
Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell
Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens
Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews
Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson
Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong
Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley
Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed
Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton
Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald
Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers
O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan
Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles Stevenson Stephenson
Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan Whitehead Mann Frost
Lambert Stephens Blake Akhtar Lynch Goodwin Barton Woodward Thomson Cunningham Quinn Barnett Baxter
Bibi Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler
Heath Norman Middleton Lawson Banks French Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas
Dickinson Todd Barlow Peters Lucas Knowles Hartley Miah Simmons Morton Alexander Field Morrison
Norris Townsend Preston Hancock Thornton Baldwin Burrows Briggs Storey Pope Sanders Hanson Davies
"""

#: Capitalized words that look like names but are not: greetings, titles of functions, company
#: words, calendar words, headers. Compared in lower case.
_NOT_NAMES = """
здравствуйте добрый доброе добрая уважаемый уважаемая уважаемые дорогой дорогая привет спасибо
благодарю прошу пожалуйста с уважением коллеги клиент клиента клиенту клиентов клиенттерді банк
банка банке банком банку служба службы службу поддержки поддержка менеджер менеджеру специалист
директор бухгалтер главный главному отдел отдела отделение отделения компания компании тоо ао ип
жшс ақ жк ооо зао пао оао новости клуб партнёров партнеров пример мысал сәлеметсіз сәлем
құрметті құрметпен рақмет қайырлы күн қолдау қызметі клиенттерді жаңалықтары серіктестер бас
тема дата от кому копия кімнен кімге тақырып күні телефон тел моб ұялы адрес мекенжай договор
заявка заявление выписка шарт өтініш үзінді январь февраль март апрель май июнь июль август
сентябрь октябрь ноябрь декабрь понедельник вторник среда четверг пятница суббота воскресенье
казахстан қазақстан россия москва алматы астана шымкент караганда
dear hello hi hey good morning afternoon evening team support customer customers service
services bank banking client clients manager chief accountant officer department office
director head sir madam mr mrs ms dr regards best kind thanks thank sincerely yours cheers
please the and of for from to subject date sent cc re fw fwd mobile phone tel email e-mail
llp llc jsc ltd inc ie plc corp company group market mart shop store cafe restaurant cinema
home food books trade trading logistics analytics club news digest partner partners centre
center plaza mall pharmacy taxi express travel tour hotel motors auto tech telecom pay
example january february march april june july august september october november
december monday tuesday wednesday thursday friday saturday sunday kazakhstan almaty astana
confidentiality notice agreement application statement card account contract request urgent
automatic reply forwarded message original wrote on at
подпись подписи дата адрес адреса телефон паспорт документ период владелец получатель ф.и.о
фио итого остаток сумма счёт счет карта карты платёж платеж перевод комиссия приложение
кезең иесі қолы күні мекенжайы тұратын құжат төлқұжат шот карта сома қосымша
signature period holder recipient balance amount total fee transfer payment
street avenue ave road boulevard lane square district microdistrict apt apartment flat suite
улица проспект переулок микрорайон бульвар шоссе площадь квартира дом офис көшесі даңғылы
app apple google visa mastercard kaspi halyk telegram whatsapp viber iphone android online
вчера сегодня завтра также однако кеше бүгін ертең сондай-ақ бірақ yesterday today tomorrow
егер және немесе себебі сондықтан осы бұл сіз біз олар сізге сіздің біздің
тегі аты әкесінің атауы фамилия имя отчество форма курьер әжем әкем анам әжемнің әкемнің
анамның рахмет алдын ала мекенжайым есімі жөні
инженер технолог инженер-технолог engineer senior junior lead specialist consultant analyst
coordinator assistant secretary accountant economist lawyer operator cashier courier
sirs madams colleagues ауыл ауылы әкім әкімі әкімдігі адвокат нотариус
гражданин гражданина гражданину гражданка гражданки гражданке господин госпожа
частный судебный исполнитель чси
"""


def _words(table: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(table.split()))


#: Kazakh first names that are also everyday words ("қымбат" dear, "сағат" hour, "арман"
#: dream): a name only when capitalized, never promoted from lower case or taken alone.
_KAZAKH_WORD_NAMES = """
    қымбат сағат арман бақыт жеңіс мирас сапар болат алмас дана нұр ерік сабыр рахат береке
    мейір айдын шолпан толқын жұлдыз гаухар інжу маржан ақбота сәуле ләззат шынар бота ислам
    ақжол асыл ырыс сымбат салтанат мақсат жанат нарық ерлан думан батыр хан би ата ана бай
    абай абылай
"""
KAZAKH_WORD_NAMES = frozenset(_KAZAKH_WORD_NAMES.split())

#: Kazakh letters as typed on a Russian keyboard.
_PLAIN_CYRILLIC = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
#: With the spellings typed on a Russian keyboard ("бугин" for "бүгін").
NOT_NAMES = frozenset(
    {*_words(_NOT_NAMES), *(w.translate(_PLAIN_CYRILLIC) for w in _words(_NOT_NAMES))}
)


_LATIN = {
    "а": ("a",), "ә": ("a", "ae"), "б": ("b",), "в": ("v",), "г": ("g",), "ғ": ("g", "gh"),
    "д": ("d",), "е": ("e",), "ё": ("yo", "e"), "ж": ("zh", "j"), "з": ("z",), "и": ("i",),
    "й": ("i", "y"), "к": ("k",), "қ": ("k", "q"), "л": ("l",), "м": ("m",), "н": ("n",),
    "ң": ("n", "ng"), "о": ("o",), "ө": ("o", "oe"), "п": ("p",), "р": ("r",), "с": ("s",),
    "т": ("t",), "у": ("u",), "ұ": ("u",), "ү": ("u", "ue"), "ф": ("f",), "х": ("kh", "h"),
    "һ": ("h",), "ц": ("ts", "c"), "ч": ("ch",), "ш": ("sh",), "щ": ("shch", "sch"), "ъ": ("",),
    "ы": ("y", "i"), "ь": ("",), "і": ("i",), "э": ("e",), "ю": ("yu", "iu"), "я": ("ya", "ia"),
}  # fmt: skip
_VOWELS = "аәеёиоөуұүыіэюя"
_MAX_SPELLINGS = 16


def latin_spellings(name: str) -> set[str]:
    """Passport and everyday Latin spellings of a Cyrillic name: Ержан -> Yerzhan, Erzhan …"""
    options: list[tuple[str, ...]] = []
    low = name.lower()
    for i, ch in enumerate(low):
        choices = _LATIN.get(ch, (ch,))
        if ch == "е" and (i == 0 or low[i - 1] in _VOWELS):
            choices = ("ye", "e")
        options.append(choices)
    spellings: set[str] = set()
    for combo in product(*options):
        spellings.add("".join(combo).capitalize())
        if len(spellings) >= _MAX_SPELLINGS:
            break
    return spellings | {_simplified(s) for s in spellings}


def _simplified(spelling: str) -> str:
    """The short forms people also write: Dmitriy -> Dmitry, Yuliya -> Yulia."""
    for long, short in (("iya", "ia"), ("iia", "ia")):
        spelling = spelling.replace(long, short)
    if spelling.endswith(("iy", "ii")):
        spelling = spelling[:-2] + "y"
    return spelling


def _cyrillic_first_names() -> frozenset[str]:
    names = _words(_KZ_MALE + _KZ_FEMALE + _RU_MALE + _RU_FEMALE)
    plain = {n.translate(_PLAIN_CYRILLIC) for n in names}
    return frozenset({*names, *plain, *(n.replace("ё", "е") for n in names)})


CYRILLIC_FIRST_NAMES = _cyrillic_first_names()
LATIN_FIRST_NAMES = frozenset(
    {
        *_words(_EN_FIRST),
        *(
            spelling
            for name in _words(_KZ_MALE + _KZ_FEMALE + _RU_MALE + _RU_FEMALE)
            for spelling in latin_spellings(name)
        ),
    }
)
LATIN_SURNAMES = frozenset(_words(_EN_SURNAMES))
#: The Latin spellings of the Kazakh and Russian first names (not the English ones, many of
#: which are also English words: Will, Mark, Grace).
TRANSLITERATED_FIRST_NAMES = frozenset(
    spelling
    for name in _words(_KZ_MALE + _KZ_FEMALE + _RU_MALE + _RU_FEMALE)
    for spelling in latin_spellings(name)
) - frozenset(_words(_EN_FIRST))
