"""The one vocabulary of key status: its words, its order, and what each word means."""

from __future__ import annotations

from plugins.key_status import MEANING, KeyStatus, most_telling


def test_the_words_are_what_reports_write_in_the_one_order() -> None:
    assert [s.value for s in KeyStatus] == ["live", "limited", "unknown", "unverified", "revoked"]
    assert [s.rank for s in KeyStatus] == [0, 1, 2, 3, 4]
    assert f"{KeyStatus.LIVE}" == str(KeyStatus.LIVE) == "live"
    assert set(MEANING) == set(KeyStatus)
    assert all(s.meaning for s in KeyStatus)


def test_what_each_word_means() -> None:
    assert {s for s in KeyStatus if s.active} == {KeyStatus.LIVE, KeyStatus.LIMITED}
    assert {s for s in KeyStatus if not s.asked} == {KeyStatus.UNVERIFIED}
    assert {s for s in KeyStatus if s.answered} == {
        KeyStatus.LIVE,
        KeyStatus.LIMITED,
        KeyStatus.REVOKED,
    }


def test_any_answer_beats_none_and_the_most_alarming_answer_wins() -> None:
    kept = sorted(KeyStatus, key=most_telling)
    assert [s.value for s in kept] == ["live", "limited", "revoked", "unknown", "unverified"]
