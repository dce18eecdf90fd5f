"""Presidio's own recognizers that work without an NLP model, adapted where needed.

Evaluated on the sample e-mails (``bench/masking.py``) and kept:

- **e-mail** (:class:`OfflineEmailRecognizer`): Presidio's pattern, but the domain is checked
  against tldextract's *bundled* public-suffix snapshot (no fetch at run time), reserved and
  internal top-level domains (``.example``, ``.local`` …) count as real, and role mailboxes
  (``support@``, ``noreply@``, ``news@`` …) are not personal data;
- **IBAN** (Presidio's ``IbanRecognizer``): foreign IBANs; Kazakh ones are also found by
  :mod:`.iban`;
- **IP addresses** (Presidio's ``IpRecognizer``).

Replaced: ``PhoneRecognizer`` (python-phonenumbers, one pass per region) flagged the bank's
hotlines (``8 800 …``, ``+7 727 244 44 44``) as personal numbers; :mod:`.phones` finds +7
numbers with the hotline rules, and calls python-phonenumbers itself for foreign ones.

Each of the three first looks for what every one of its patterns needs (an ``@``; two capitals
and two digits; four dotted numbers, ``::`` or eight colon-separated groups) and runs its
patterns only where that is found: the same results, without five regular expressions and
their bookkeeping over each of the many texts that hold nothing of the kind.

Left out: ``CreditCardRecognizer`` (any Luhn-valid 12-19 digits — every tenth IIN-shaped
request number — where :mod:`.cards` wants card shapes), ``DateRecognizer`` (would mask the
deadlines extraction needs), ``UrlRecognizer`` (URLs are context, and it also fires on e-mail
domains), crypto wallets, MAC addresses, UUIDs and the country-specific ones.
"""

from __future__ import annotations

import re
from typing import Any

import tldextract
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
)

from compliance.masking.entities import IP_ADDRESS

#: Top-level domains that are not on the public list but are real to a bank's mail.
RESERVED_SUFFIXES = ("example", "test", "invalid", "localhost", "local", "internal", "lan", "corp")
#: Words of the local parts of mailboxes that belong to a function, not to a person.
_ROLE_WORD = (
    r"(?:support|info|help|helpdesk|service|services|noreply|no|reply|donotreply|do|not|news"
    r"|newsletter|digest|mailer|daemon|postmaster|admin|office|contact|contacts|sales|billing"
    r"|notifications?|alerts?|hello|press|marketing|hr|jobs|abuse|security|call|center|centre"
    r"|callcenter|complaints?|claims?|care|customers?|clients?|feedback|reception|legal"
    r"|compliance|finance|accounts?|payments?|orders?|delivery|team|mail|inbox|corporate"
    r"|operators?|operations|ops|cards?|loans?|credit|deposits?|priemnaya|kancelyariya|akimat"
    r"|obrashchenie|zapros|kz|bank|web|online|app|it|tech|general|main|mobile|verification"
    r"|forms?|docs|documents|requests?|inquir(?:y|ies)|applications?|collections?|kense|kanc"
    r"|kantselyariya|zhilye|zhilie|housing|notary|notarius|dispatch|dispetcher|dispetcherskaya)"
)
#: Local parts of mailboxes that belong to a function: role words joined by "-", "_" or ".",
#: perhaps with a number ("support", "call-center", "customer.care", "complaints2").
ROLE_MAILBOXES = re.compile(rf"{_ROLE_WORD}(?:[-_.]?{_ROLE_WORD})*[-_.]?\d*", re.IGNORECASE)

_OFFLINE_SUFFIXES = tldextract.TLDExtract(
    cache_dir=None, suffix_list_urls=(), extra_suffixes=RESERVED_SUFFIXES
)


def is_real_domain(address: str) -> bool:
    """True if the part after ``@`` ends in a known public or reserved suffix (no network)."""
    return _OFFLINE_SUFFIXES(address.rpartition("@")[2]).fqdn != ""


#: Free mail services: a company's function has its own domain, so "security.kz.bank@gmail.com"
#: is someone's address (a fraudster's, often), whatever its words.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "mail.ru", "bk.ru", "list.ru", "inbox.ru", "internet.ru",
        "mail.kz", "inbox.kz", "yandex.ru", "yandex.kz", "ya.ru", "outlook.com", "hotmail.com",
        "live.com", "icloud.com", "me.com", "yahoo.com", "proton.me", "protonmail.com",
        "rambler.ru", "aol.com", "gmx.com", "zoho.com",
    }
)  # fmt: skip


def is_role_mailbox(address: str) -> bool:
    local, _, domain = address.partition("@")
    if domain.lower() in PUBLIC_MAIL_DOMAINS:
        return False
    return ROLE_MAILBOXES.fullmatch(local) is not None


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern with an offline suffix check and role mailboxes left alone.

    The pattern reads only the stretch of text from the first word holding an ``@`` to the
    last one: an address holds no white space, so none lies outside it, and the stretch ends
    at white space or at the text's ends, where ``\b`` reads the same.
    """

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: Any = None
    ) -> list[RecognizerResult]:
        first, last = text.find("@"), text.rfind("@")  # the pattern's "[@]"
        if first < 0:
            return []
        start, end = first, last + 1
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        found = super().analyze(text[start:end], entities, nlp_artifacts, regex_flags)
        for result in found:
            result.start += start
            result.end += start
        return list(found)

    def validate_result(self, pattern_text: str) -> bool:
        return is_real_domain(pattern_text)

    def invalidate_result(self, pattern_text: str) -> bool:
        return is_role_mailbox(pattern_text)


#: What Presidio's IBAN pattern needs (case-sensitive): "[A-Z]{2}[0-9]{2}".
IBAN_TRIGGER = re.compile(r"[A-Z]{2}[0-9]{2}")
#: What each of Presidio's IP patterns needs: four dotted groups of 1-3 digits (IPv4, and IPv6
#: ending in IPv4), "::", or eight colon-separated hexadecimal groups (full IPv6).
IP_TRIGGER = re.compile(
    r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]|::|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]", re.I
)


class TriggeredIbanRecognizer(IbanRecognizer):
    """Presidio's ``IbanRecognizer``, run only where :data:`IBAN_TRIGGER` is found."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: Any = None
    ) -> list[RecognizerResult]:
        if IBAN_TRIGGER.search(text) is None:
            return []
        return list(super().analyze(text, entities, nlp_artifacts, regex_flags))


class TriggeredIpRecognizer(IpRecognizer):
    """Presidio's ``IpRecognizer``, run only where :data:`IP_TRIGGER` is found."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: Any = None
    ) -> list[RecognizerResult]:
        if IP_TRIGGER.search(text) is None:
            return []
        return list(super().analyze(text, entities, nlp_artifacts, regex_flags))


def builtin_recognizers(language: str) -> list[EntityRecognizer]:
    """Presidio's recognizers nightshift uses, for one language."""
    return [
        OfflineEmailRecognizer(supported_language=language),
        TriggeredIbanRecognizer(supported_language=language, name="IbanRecognizer"),
        TriggeredIpRecognizer(
            supported_language=language, supported_entity=IP_ADDRESS, name="IpRecognizer"
        ),
    ]
