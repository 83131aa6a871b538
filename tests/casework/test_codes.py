"""Client codes: random, unambiguous, and every single typo or neighbour swap is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework import codes

bodies = st.text(alphabet=codes.ALPHABET, min_size=codes.BODY_LENGTH, max_size=codes.BODY_LENGTH)
valid_codes = bodies.map(lambda body: body + codes.check_character(body))


def test_ambiguous_characters_never_appear():
    assert not set("0O1IL") & set(codes.ALPHABET)
    for _ in range(2000):
        code = codes.generate()
        assert len(code) == codes.LENGTH
        assert set(code) <= set(codes.ALPHABET)
        assert codes.is_valid(code)


def test_generated_codes_rarely_repeat():
    # 29^5 ≈ 20 million bodies: 1,000 draws repeat one with p ≈ 2 %, three with p ≈ 2e-6.
    drawn = [codes.generate() for _ in range(1_000)]
    assert len(drawn) - len(set(drawn)) <= 2


@pytest.mark.django_db
def test_a_client_never_gets_a_code_already_taken(site_a, monkeypatch):
    from casework.models import Client
    from tests.factories import ClientFactory

    taken = ClientFactory(registered_site=site_a).code
    fresh = codes.generate()
    draws = iter([taken, taken, fresh])
    monkeypatch.setattr(codes, "generate", lambda: next(draws))

    client = ClientFactory(registered_site=site_a)

    assert client.code == fresh
    assert Client.objects.filter(code=taken).count() == 1


@given(valid_codes)
def test_every_code_validates(code):
    assert codes.is_valid(code)
    assert codes.is_valid(codes.display(code).lower())


@given(valid_codes, st.integers(0, codes.LENGTH - 1), st.sampled_from(codes.ALPHABET))
def test_every_single_character_typo_is_caught(code, position, replacement):
    typo = code[:position] + replacement + code[position + 1 :]
    if typo != code:
        assert not codes.is_valid(typo)
        assert code in codes.corrections(typo)


@given(valid_codes, st.integers(0, codes.LENGTH - 2))
def test_every_swap_of_neighbours_is_caught(code, position):
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        assert not codes.is_valid(swapped)
        assert code in codes.corrections(swapped)


def test_all_typos_of_one_code_exhaustively():
    code = codes.generate()
    for position in range(codes.LENGTH):
        for ch in codes.ALPHABET:
            typo = code[:position] + ch + code[position + 1 :]
            assert codes.is_valid(typo) == (typo == code)


@given(valid_codes)
def test_a_letter_o_for_a_zero_like_character_is_a_wrong_character(code):
    typo = "O" + code[1:]
    assert not codes.is_valid(typo)
    assert code in codes.corrections(typo)
