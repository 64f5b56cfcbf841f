"""Canned and automated replies (docs/moderation.md), per seller over a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from servicenorm.moderation import CannedRules, canned_replies

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEMPLATE = "Bedankt voor je vraag! We versturen bestelling {n} binnen 24 uur met PostNL."
QUESTIONS = [
    "Wanneer wordt mijn pakket verzonden?",
    "Past deze hoes op een iPhone 12?",
    "Is de kleur echt donkerblauw of meer grijs?",
    "Kan ik de maat nog omruilen?",
]


def reply(i: int, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": f"r{i}",
        "seller": "s1",
        "conversation": f"c{i}",
        "question": QUESTIONS[i % len(QUESTIONS)],
        "reply": TEMPLATE.format(n=1000 + i),
        "question_at": T0 + timedelta(hours=i),
        "reply_at": T0 + timedelta(hours=i, minutes=10),
    }
    row.update(kw)
    return row


def test_the_same_template_across_different_questions_is_canned() -> None:
    stats = canned_replies([reply(i) for i in range(4)])["s1"]
    assert (stats.replies, stats.near_duplicates, stats.flagged, stats.share) == (4, 4, 4, 1.0)
    item = stats.items[0]
    assert (
        item.reasons == ("near_duplicate",)
        and item.twin is not None
        and item.similarity is not None
    )
    assert item.similarity >= 90


def test_the_same_answer_to_the_same_question_is_not_canned() -> None:
    rows = [reply(i, question="Wanneer wordt mijn pakket verzonden?") for i in range(3)]
    assert canned_replies(rows)["s1"].flagged == 0


def test_personal_answers_are_not_canned() -> None:
    answers = [
        "Morgen gaat hij met PostNL de deur uit, je krijgt dan een code.",
        "Ja, hij past precies op de iPhone 12 en ook op de 12 Pro.",
        "Het is echt donkerblauw, op de foto lijkt hij iets lichter.",
        "Zeker, stuur hem binnen dertig dagen terug en bestel de andere maat.",
    ]
    rows = [reply(i, reply=a) for i, a in enumerate(answers)]
    assert canned_replies(rows)["s1"].share == 0.0


def test_short_answers_are_not_templates() -> None:
    rows = [reply(i, reply="Ja, dat klopt.") for i in range(4)]
    assert canned_replies(rows)["s1"].near_duplicates == 0


def test_saved_replies_edited_for_the_buyer_and_automated_messages_do_not_count() -> None:
    rows = [
        reply(0, from_saved_reply=True),
        reply(1, from_saved_reply=True, saved_reply_edited=True),
        reply(2, automated=True),
        reply(3),
    ]
    stats = canned_replies(rows)["s1"]
    assert stats.replies == 1 and stats.flagged == 0


def test_a_saved_reply_sent_unchanged_counts() -> None:
    rows = [reply(i, from_saved_reply=True, saved_reply_edited=False) for i in range(3)]
    assert canned_replies(rows)["s1"].near_duplicates == 3


def test_faster_than_reading_the_question() -> None:
    question = " ".join(["woord"] * 20)  # 20 words at 4 words/s: 5 seconds to read
    at = reply(0, question=question, reply_at=T0 + timedelta(seconds=5), question_at=T0)
    before = reply(
        1,
        question=question,
        reply_at=T0 + timedelta(hours=1, seconds=4.9),
        question_at=T0 + timedelta(hours=1),
    )
    stats = canned_replies([at, before])["s1"]
    assert [(i.id, i.reasons) for i in stats.items] == [("r1", ("too_fast",))]
    one_word = reply(
        2,
        question="Hallo?",
        reply="Hallo, waarmee kan ik helpen vandaag?",
        reply_at=T0 + timedelta(seconds=1.5),
        question_at=T0,
    )
    assert canned_replies([one_word])["s1"].too_fast == 1  # under the two-second floor


def test_window_is_start_inclusive_end_exclusive_on_reply_time() -> None:
    rows = [reply(i) for i in range(4)]
    start, end = rows[1]["reply_at"], rows[3]["reply_at"]
    stats = canned_replies(rows, start=start, end=end)["s1"]
    assert stats.replies == 2


def test_columns_give_the_same_answer_as_records() -> None:
    rows = [reply(i) for i in range(4)] + [
        reply(9, seller="s2", reply="Een eigen antwoord voor deze klant vandaag.")
    ]
    columns = {k: [r.get(k) for r in rows] for k in rows[0]}
    assert canned_replies(columns) == canned_replies(rows)
    assert set(canned_replies(rows)) == {"s1", "s2"}


def test_iso_strings_with_offsets_are_accepted() -> None:
    row = reply(0, question_at="2026-03-02T10:00:00+01:00", reply_at="2026-03-02T10:00:01+01:00")
    assert canned_replies([row])["s1"].too_fast == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reply_at", datetime(2026, 3, 2, 9), "aware datetime"),  # noqa: DTZ001 - naive on purpose
        ("question_at", "2026-03-02T10:00:00", "aware datetime"),
        ("reply_at", T0 - timedelta(hours=1), "is before question_at"),
    ],
)
def test_bad_rows_are_named(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        canned_replies([reply(0, **{field: value})])


def test_a_template_filled_with_other_numbers_is_still_identical() -> None:
    rows = [reply(i) for i in range(3)]
    assert (
        canned_replies(rows, rules=CannedRules(reply_similarity=100.0))["s1"].near_duplicates == 3
    )


def test_thresholds_are_parameters() -> None:
    rows = [reply(i) for i in range(3)]
    assert canned_replies(rows, rules=CannedRules(min_reply_words=50))["s1"].near_duplicates == 0
    slow_reader = CannedRules(reading_words_per_second=0.001)  # ten minutes are not enough now
    assert canned_replies(rows, rules=slow_reader)["s1"].too_fast == 3
    assert canned_replies([]) == {}
