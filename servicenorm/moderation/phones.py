"""Phone numbers (docs/moderation.md): the `phonenumbers` matcher run for every market region,
numbers
spelled as words, l33t digits ("O6-I2345678"), and the context that tells a phone number from
an order number, tracking code, IMEI, EAN or tax id."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from servicenorm.moderation.numberwords import FIRST_WORDS, LONGEST, PHRASES, PLUS, REPEAT
from servicenorm.moderation.vocab import BENIGN_NUMBER_LABEL, PHONE_LABEL, words

# One region alone misses foreign numbers (a Belgian seller on the Dutch market).
REGIONS = ("NL", "BE", "DE", "FR", "PL", "GB")

_MIN_DIGITS = 8  # the shortest national numbers of the market regions are 9 digits with the trunk 0
_ANY_DIGITS = re.compile(r"\d(?:\D{0,3}\d){5}")  # six digits close together: worth a look
_LEET_HINT = re.compile(r"[oil|]\d|\d[oil|]")
_LEET_TOKEN = re.compile(r"(?<![a-z])[0-9oil|]*\d[0-9oil|]*(?![a-z])")
_LEET_MAP = str.maketrans("oil|", "0111")
_CANDIDATE = re.compile(r"(?:\+|\(\s*\+?)?\d(?:[\s\-./()]{0,3}\d){6,}")
_SEPARATOR = re.compile(r"[\s,.\-/()]{0,3}\Z")
_DATE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{2,4}\Z")
_WINDOW = 40  # characters before a number in which a label counts


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _luhn(d: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(d)):
        v = int(c) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def _gtin(d: str) -> bool:
    body, check = d[:-1], int(d[-1])
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - s % 10) % 10 == check


def _is_article_code(raw: str) -> bool:
    """IMEI (15 digits, Luhn) or EAN/GTIN (13/14 digits, check digit): not a phone number
    unless it is written internationally."""
    if raw.lstrip().startswith("+"):
        return False
    d = _digits(raw)
    if d.startswith("00") and len(d) <= 15:
        return False
    return (len(d) == 15 and _luhn(d)) or (len(d) in (13, 14) and _gtin(d))


def _labelled_benign(text: str, start: int) -> bool:
    """The closest label before the number says what it is; a phone label wins a tie."""
    window = text[max(0, start - _WINDOW) : start]
    benign = [m.end() for m in BENIGN_NUMBER_LABEL.finditer(window)]
    phone = [m.end() for m in PHONE_LABEL.finditer(window)]
    if not benign:
        return False
    return not phone or max(benign) > max(phone)


def _not_a_phone(raw: str, text: str, start: int) -> bool:
    """An article code, a date, or a number labelled as something else (`start` in `text`)."""
    return _is_article_code(raw) or bool(_DATE.match(raw.strip())) or _labelled_benign(text, start)


def _leet_digits(text: str) -> str:
    if not _LEET_HINT.search(text):
        return text
    return _LEET_TOKEN.sub(lambda m: m.group().translate(_LEET_MAP), text)


def _inside_code(text: str, start: int, end: int) -> bool:
    """Digits glued to letters are part of a code ("WBK123456789", "XY123456789FR")."""
    return (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())


def _valid_anywhere(number: str) -> bool:
    for region in REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(number, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _regions(raw: str) -> tuple[str, ...]:
    """A number written internationally names its own country: one region will do."""
    lead = raw.lstrip("( ")
    return REGIONS[:1] if lead.startswith("+") or lead.startswith("00") else REGIONS


def _matcher_hits(text: str, original: str) -> Iterator[tuple[int, int]]:
    for cand in _CANDIDATE.finditer(text):
        raw = cand.group()
        if (
            len(_digits(raw)) < _MIN_DIGITS
            or _inside_code(text, cand.start(), cand.end())
            or _not_a_phone(raw, original, cand.start())
        ):
            continue  # cheap verdicts on the whole candidate first: the matcher costs ~50 us per region
        seen: set[tuple[int, int]] = set()
        for region in _regions(raw):
            for m in phonenumbers.PhoneNumberMatcher(raw, region):
                span = (cand.start() + m.start, cand.start() + m.end)
                if span not in seen:
                    seen.add(span)
                    yield span


def _word_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Runs of number words and digit groups: (start, end, digits) for runs with a word in them."""
    tokens = [
        (start, start + len(w), w) for start, w in words(text) if w in FIRST_WORDS or w.isdigit()
    ]
    if sum(1 for t in tokens if not t[2].isdigit()) < 2:
        return
    if "+" in text:  # "plus" and "+" open international numbers
        tokens = sorted(tokens + [(m.start(), m.end(), "+") for m in re.finditer(r"\+", text)])
    run: list[tuple[int, int, str, bool]] = []  # start, end, digits, was a word

    def flush() -> Iterator[tuple[int, int, str]]:
        if run and any(w for *_, w in run):
            digits = "".join(d for _, _, d, _ in run)
            if len(digits.lstrip("+")) >= _MIN_DIGITS:
                yield run[0][0], run[-1][1], digits
        run.clear()

    i = 0
    repeat, repeat_at = 1, -1
    while i < len(tokens):
        start, end, tok = tokens[i]
        if i and not _SEPARATOR.match(text, tokens[i - 1][1], start):
            yield from flush()  # something other than a separator came in between
            repeat, repeat_at = 1, -1
        item: tuple[int, int, str, bool] | None = None
        step = 1
        if tok in REPEAT:
            repeat, repeat_at = REPEAT[tok], start
            i += 1
            continue
        if tok.isdigit():
            item = (start, end, tok * repeat, False)
        elif tok in PLUS or tok == "+":
            item = (start, end, "+", True) if not run else None
        else:
            for n in range(min(LONGEST, len(tokens) - i), 0, -1):
                phrase = tuple(t[2] for t in tokens[i : i + n])
                if phrase in PHRASES and all(
                    _SEPARATOR.match(text, tokens[i + k][1], tokens[i + k + 1][0])
                    for k in range(n - 1)
                ):
                    item = (start, tokens[i + n - 1][1], PHRASES[phrase] * repeat, True)
                    step = n
                    break
        if item is not None and repeat_at >= 0:
            item = (repeat_at, *item[1:])
        repeat, repeat_at = 1, -1
        if item is None:
            yield from flush()
        else:
            run.append(item)
        i += step
    yield from flush()


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of phone numbers in a folded text."""
    hits: list[tuple[int, int]] = []
    if _ANY_DIGITS.search(text) or _LEET_HINT.search(text):
        digits_view = _leet_digits(text)
        hits = [
            (s, e)
            for s, e in _matcher_hits(digits_view, text)
            if not _not_a_phone(digits_view[s:e], text, s)
        ]
    for start, end, digits in _word_runs(text):
        if any(s < end and start < e for s, e in hits):
            continue
        if _valid_anywhere(digits) and not _labelled_benign(text, start):
            hits.append((start, end))
    return hits
