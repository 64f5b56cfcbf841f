"""Language of a message (docs/moderation.md) with py3langid, whose model ships in its wheel.

The classifier is restricted to the market languages plus the neighbours sellers in these
markets also write (es, it, pt), so that a Spanish reply to a French buyer is recognised as
Spanish instead of being forced into French. Short messages are "unknown" (None) rather than
wrong: under three words nothing is said; under five, a language the market accepts needs
the ordinary confidence but any other needs near certainty, so "Dat is prima" on the Dutch
market is never judged English.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection
from typing import Any

DETECTED = ("nl", "fr", "de", "pl", "en", "es", "it", "pt")
MIN_WORDS = 3
SHORT_WORDS = 5  # fewer words than this is a short message
FLOOR = 0.5  # confidence (probability over DETECTED) for any verdict
SHORT_FOREIGN = 0.9  # confidence for a short message in a language the market does not accept
SAMPLE_CHARS = 200  # longer messages are classified on their first 200 characters (to a word end)

_WORD = re.compile(r"\b[^\W\d_]{2,}\b")
_DIGITS = re.compile(r"\d+")


_model: Any = None
_loading = threading.Lock()


def _identifier() -> Any:
    """The classifier, loaded once per process. `functools.cache` would let every caller that
    comes before the first load finishes load it again (20 concurrent first posts: 20 loads),
    so the load is taken under a lock; the server loads it at start (`load_model`)."""
    global _model
    model = _model
    if model is None:
        with _loading:
            if _model is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                ident.set_languages(list(DETECTED))
                _model = ident
            model = _model
    return model


def load_model() -> None:
    """Load the classifier now (at a server's start) rather than on the first message."""
    _identifier()


def forget_model() -> None:
    """Drop the loaded classifier (tests that start as a fresh process would)."""
    global _model
    with _loading:
        _model = None


def detect_language(text: str, accepted: Collection[str] = ()) -> str | None:
    """ISO 639-1 code of `text`, or None when it is too short or too mixed to tell.
    `accepted` are the market's languages (only short messages look at them)."""
    words = len(_WORD.findall(text))
    if words < MIN_WORDS:
        return None
    sample = _DIGITS.sub(" ", text)  # digits say nothing of a language
    if (
        len(sample) > SAMPLE_CHARS
    ):  # the classifier's time grows with the text; 200 characters decide
        cut = sample.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
        sample = sample[: cut if cut > 0 else SAMPLE_CHARS]
    lang, prob = _identifier().classify(sample)
    floor = FLOOR if words >= SHORT_WORDS or lang in accepted else SHORT_FOREIGN
    return str(lang) if prob >= floor else None
