"""Key rings, sealed tokens and the blind index's normalisation."""

import base64
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import crypto
from core.crypto import DecryptionError, KeyRing, KeyRingError

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def ring_text(*entries: tuple[str, bytes]) -> str:
    return ",".join(f"{kid}:{base64.b64encode(key).decode()}" for kid, key in entries)


def test_ring_parses_newest_first():
    ring = KeyRing.parse(ring_text(("k2", KEY_B), ("k1", KEY_A)))
    assert ring.current_id == "k2"
    assert ring.current == KEY_B
    assert ring.keys["k1"] == KEY_A


@pytest.mark.parametrize(
    "text",
    ["", "k1", "k1:notbase64!", "k1:" + base64.b64encode(b"short").decode(), "bad id:AAAA"],
)
def test_malformed_rings_are_refused(text):
    with pytest.raises(KeyRingError):
        KeyRing.parse(text)


def test_duplicate_key_ids_are_refused():
    with pytest.raises(KeyRingError, match="twice"):
        KeyRing.parse(ring_text(("k1", KEY_A), ("k1", KEY_B)))


def test_generated_entries_parse():
    ring = KeyRing.parse(crypto.generate_key_entry("2026-11"))
    assert ring.current_id == "2026-11"
    assert len(ring.current) == 32


def test_token_names_format_and_key_and_round_trips():
    token = crypto.seal(KEY_A, "k1", b"Amina", b"ctx")
    assert token.startswith("e1.k1.")
    assert b"Amina" not in token.encode()
    assert crypto.unseal(token, KEY_A, b"ctx") == b"Amina"


def test_same_plaintext_seals_differently_each_time():
    assert crypto.seal(KEY_A, "k1", b"x", b"ctx") != crypto.seal(KEY_A, "k1", b"x", b"ctx")


def test_wrong_context_wrong_key_or_flipped_byte_fail_loudly():
    token = crypto.seal(KEY_A, "k1", b"secret value", b"ctx")
    with pytest.raises(DecryptionError) as wrong_context:
        crypto.unseal(token, KEY_A, b"other")
    assert "secret value" not in str(wrong_context.value)
    with pytest.raises(DecryptionError):
        crypto.unseal(token, KEY_B, b"ctx")
    raw = bytearray(base64.urlsafe_b64decode(token.split(".")[2] + "=="))
    raw[-1] ^= 1
    flipped = "e1.k1." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(DecryptionError):
        crypto.unseal(flipped, KEY_A, b"ctx")


def test_unknown_key_id_is_an_error_not_an_empty_value():
    ring = KeyRing.parse(ring_text(("k1", KEY_A)))
    token = crypto.seal(KEY_B, "gone", b"x", b"ctx")
    with pytest.raises(DecryptionError, match="not in the key ring"):
        crypto.unseal_with_ring(ring, token, b"ctx")


def test_master_encrypt_binds_context():
    token = crypto.master_encrypt("JBSWY3DPEHPK3PXP", context="mfa.totp")
    assert "JBSWY3DPEHPK3PXP" not in token
    assert crypto.master_decrypt(token, context="mfa.totp") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(DecryptionError):
        crypto.master_decrypt(token, context="something.else")


# --- Blind index normalisation -----------------------------------------------------------

# Letters with a simple, reversible case mapping (not e.g. "ᾳ", whose upper case is two letters).
letters = st.characters(categories=["Lu", "Ll"]).filter(
    lambda c: len(c.upper()) == 1 and len(c.lower()) == 1 and c.upper().lower() == c.lower()
)
names = st.lists(
    st.text(alphabet=letters, min_size=1, max_size=12),
    min_size=1,
    max_size=4,
)


@given(names, st.sampled_from([" ", "  ", " - ", ", ", "\t"]))
def test_name_spacing_case_and_separators_do_not_matter(words, separator):
    plain = " ".join(words)
    assert crypto.normalise_name(separator.join(words).upper()) == crypto.normalise_name(plain)
    assert crypto.normalise_name(separator.join(words).lower()) == crypto.normalise_name(plain)


@given(names)
def test_name_word_order_does_not_matter(words):
    assert crypto.normalise_name(" ".join(reversed(words))) == crypto.normalise_name(
        " ".join(words)
    )


def test_accents_do_not_matter_but_letters_do():
    assert crypto.normalise_name("Amína Dïallo") == crypto.normalise_name("amina diallo")
    assert crypto.normalise_name("Amina Diallo") != crypto.normalise_name("Amina Diallou")


@given(st.integers(min_value=100_000_000, max_value=999_999_999))
def test_phone_formats_of_one_number_agree(number):
    digits = str(number)
    spaced = f"0{digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}"
    international = f"+41 {digits[:2]} {digits[2:5]} {digits[5:]}"
    assert crypto.normalise_phone(spaced) == crypto.normalise_phone(international) == digits


def test_dates_normalise_from_text_and_date():
    assert crypto.normalise_date(" 1990-03-07 ") == crypto.normalise_date(date(1990, 3, 7))


@pytest.mark.django_db
def test_blind_index_separates_kinds_and_values():
    assert crypto.blind_index("name", "Amina Diallo") == crypto.blind_index("name", "DIALLO amina")
    assert crypto.blind_index("name", "Amina Diallo") != crypto.blind_index("name", "Amina Dialo")
    assert crypto.blind_index("name", "123456789") != crypto.blind_index("phone", "123456789")
    assert len(crypto.blind_index("name", "Amina")) == crypto.INDEX_HEX_CHARS
    assert crypto.blind_index("name", "  ") == ""
