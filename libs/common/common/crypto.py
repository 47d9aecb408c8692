"""Sensitive personal fields (ID-card and phone numbers) are stored encrypted and shown masked
unless the caller's role needs them in full."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet

from common.settings import platform_settings


@lru_cache
def _cipher() -> Fernet:
    return Fernet(platform_settings().field_encryption_key.encode())


def encrypt_field(value: str | None) -> str | None:
    if value is None:
        return None
    return _cipher().encrypt(value.encode()).decode()


def decrypt_field(token: str | None) -> str | None:
    if token is None:
        return None
    return _cipher().decrypt(token.encode()).decode()


def mask(value: str | None, keep_start: int = 3, keep_end: int = 4) -> str | None:
    """``13812345678`` → ``138****5678``; short values are hidden whole."""
    if value is None:
        return None
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
