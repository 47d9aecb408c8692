from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken

from common import crypto
from common.crypto import decrypt_field, encrypt_field, mask


@pytest.fixture
def cipher_reset(clean_settings):
    crypto._cipher.cache_clear()
    yield clean_settings
    crypto._cipher.cache_clear()


def test_round_trip(cipher_reset):
    for value in ("330682199001011234", "13812345678", "上虞区 百官街道", ""):
        token = encrypt_field(value)
        assert token != value
        assert value not in token or value == ""
        assert decrypt_field(token) == value


def test_the_same_value_encrypts_differently_each_time(cipher_reset):
    assert encrypt_field("13812345678") != encrypt_field("13812345678")


def test_none_stays_none(cipher_reset):
    assert encrypt_field(None) is None
    assert decrypt_field(None) is None


def test_the_configured_key_is_used(cipher_reset):
    key = Fernet.generate_key()
    cipher_reset.setenv("SUPERVISION_FIELD_ENCRYPTION_KEY", key.decode())
    token = encrypt_field("13812345678")
    assert Fernet(key).decrypt(token.encode()) == b"13812345678"


def test_a_token_of_another_key_is_refused(cipher_reset):
    foreign = Fernet(Fernet.generate_key()).encrypt(b"13812345678").decode()
    with pytest.raises(InvalidToken):
        decrypt_field(foreign)


def test_mask_phone_number():
    assert mask("13812345678") == "138****5678"


def test_mask_id_card_number():
    assert mask("330682199001011234") == "330***********1234"


@pytest.mark.parametrize("value", ["", "1", "1234567"])
def test_short_values_are_masked_whole(value):
    assert mask(value) == "*" * len(value)


def test_mask_with_other_kept_lengths():
    assert mask("12345678", keep_start=1, keep_end=1) == "1******8"
    assert mask("12345678") == "123*5678"
    assert mask(None) is None
