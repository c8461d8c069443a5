"""rnnlib.claims: a false claim stops the book's build and only prints a note in a live notebook."""

import pytest

from rnnlib.claims import NOTE, ClaimError, building_the_book, claim


def test_a_true_claim_is_silent(monkeypatch, capsys):
    for value in ("1", ""):
        monkeypatch.setenv("RNNLIB_BOOK_BUILD", value)
        assert claim(2 > 1, "two is more than one") is True
    assert capsys.readouterr().out == ""


def test_a_false_claim_stops_the_build(monkeypatch):
    monkeypatch.setenv("RNNLIB_BOOK_BUILD", "1")
    assert building_the_book()
    with pytest.raises(ClaimError, match="the horizon is 12 steps"):
        claim(False, "the horizon is 12 steps")


@pytest.mark.parametrize("value", [None, "", "0"])
def test_a_false_claim_in_a_live_notebook_prints_a_note(monkeypatch, capsys, value):
    if value is None:
        monkeypatch.delenv("RNNLIB_BOOK_BUILD", raising=False)
    else:
        monkeypatch.setenv("RNNLIB_BOOK_BUILD", value)
    assert claim(0 > 1, "zero is more than one") is False
    assert capsys.readouterr().out == NOTE + "zero is more than one\n"


def test_a_claim_needs_its_sentence():
    with pytest.raises(TypeError, match="says"):
        claim(True, "")
