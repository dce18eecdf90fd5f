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

Left out: ``CreditCardRecognizer`` (any Luhn-valid 12-19 digits — every tenth IIN-shaped
request number — where :mod:`.cards` wants card shapes), ``DateRecognizer`` (would mask the
deadlines extraction needs), ``UrlRecognizer`` (URLs are context, and it also fires on e-mail
domains), crypto wallets, MAC addresses, UUIDs and the country-specific ones.
"""

from __future__ import annotations

import re

import tldextract
from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
)

from compliance.masking.entities import IP_ADDRESS

#: Top-level domains that are not on the public list but are real to a bank's mail.
RESERVED_SUFFIXES = ("example", "test", "invalid", "localhost", "local", "internal", "lan", "corp")
#: Local parts of mailboxes that belong to a function, not to a person.
ROLE_MAILBOXES = re.compile(
    r"(?:support|info|help|helpdesk|service|noreply|no-reply|donotreply|do-not-reply|news"
    r"|newsletter|digest|mailer-daemon|postmaster|admin|office|contact|sales|billing"
    r"|notifications?|alerts?|hello|press|marketing|hr|jobs|abuse|security)",
    re.IGNORECASE,
)

_OFFLINE_SUFFIXES = tldextract.TLDExtract(
    cache_dir=None, suffix_list_urls=(), extra_suffixes=RESERVED_SUFFIXES
)


def is_real_domain(address: str) -> bool:
    """True if the part after ``@`` ends in a known public or reserved suffix (no network)."""
    return _OFFLINE_SUFFIXES(address.rpartition("@")[2]).fqdn != ""


def is_role_mailbox(address: str) -> bool:
    return ROLE_MAILBOXES.fullmatch(address.partition("@")[0]) is not None


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern with an offline suffix check and role mailboxes left alone."""

    def validate_result(self, pattern_text: str) -> bool:
        return is_real_domain(pattern_text)

    def invalidate_result(self, pattern_text: str) -> bool:
        return is_role_mailbox(pattern_text)


def builtin_recognizers(language: str) -> list[EntityRecognizer]:
    """Presidio's recognizers nightshift uses, for one language."""
    return [
        OfflineEmailRecognizer(supported_language=language),
        IbanRecognizer(supported_language=language),
        IpRecognizer(supported_language=language, supported_entity=IP_ADDRESS),
    ]
