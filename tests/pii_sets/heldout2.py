#!/usr/bin/env python3
"""Second held-out PII evaluation set for nightshift (heldout2.txt): loader and checker.

Written one by one by a fourth author who read neither the masker (compliance/), its generator
(sampledata/) nor the other sets' texts, only their format (heldout.py, scoring.py,
independent.py and the first lines of heldout.txt); it has never been run through the masker.
Same file format, markup and label types as heldout.txt, so the loader and checker are
:mod:`heldout`'s; this module only points them at heldout2.txt.

Labelling conventions of this set:

- PERSON: every natural person's name, with patronymic or initials, in whatever case, script or
  inflection it appears in ("Асель Маратовне", "Кенжеғұлов Ерболат Маратұлына", "0СПАНОВА",
  "ержанова гульмирa"), customers and staff alike, single first names in greetings and
  sign-offs too; titles (Mr., Ms., г-н) stay outside the span. An ИП/ЖК named after its owner
  (ИП «Турдахунов А.») is the owner's name.
- ADDRESS: where a person lives or is registered, receives post (а/я) or keeps a sole
  proprietorship, from the postcode or region to the flat, office or room, across line breaks
  of OCR'd text. The premises of an organisation (bank branch, telecom shop, ЦОН, akimat, court,
  a company's, notary's or law office) are the look-alike ~BRANCH, with or without a house
  number, as is a street named only to give directions ("офис на Абая", "салоне на Сейфуллина").
- A city, region or country standing alone is ~CITY; a call-centre, hotel reception or company
  switchboard number is ~HOTLINE; a person's own landline or mobile is PHONE_NUMBER.
- DATE_OF_BIRTH: the birth date (or year) of a person, the date only (not "г.р."); every other
  date is ~DATE. 12-digit request and contract numbers (some pass the IIN checksum) are
  ~REQUEST_NO / ~CONTRACT_NO.
- ID_DOC: identity card, passport (Kazakh and foreign), birth/death certificate, driving licence
  and residence-permit numbers, OCR'd ones included (О31 447 902).
"""

import argparse
import json
import os
import sys

import heldout

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "heldout2.txt")
check = heldout.check


def load(path=DEFAULT):
    return heldout.load(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="inp", default=DEFAULT)
    ap.add_argument("--out")
    a = ap.parse_args()
    recs = load(a.inp)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    ok = check(recs)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
