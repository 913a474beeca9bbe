"""Password hashing with argon2 (argon2-cffi); never a hand-rolled hash.

`verify_password` runs the same argon2 work whether or not the account exists
(`DUMMY_HASH`), so the time a sign-in takes does not tell a stranger which
names are real.
"""

from __future__ import annotations

from functools import lru_cache

from core.errors import InvalidInputError

__all__ = ["hash_password", "verify_password", "needs_rehash", "check_password_strength"]

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024


@lru_cache(maxsize=1)
def _hasher():  # imported lazily: nothing heavy at import
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("herald-dummy-password-never-valid")


def check_password_strength(password: str) -> str:
    """The password, or `InvalidInputError` naming the length needed."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInputError(f"A password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInputError(f"A password is at most {MAX_PASSWORD_CHARS} characters")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; the salt is inside the string)."""
    return _hasher().hash(check_password_strength(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches `stored_hash`; an empty hash still costs one argon2 check."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    target = stored_hash or _dummy_hash()
    try:
        ok = _hasher().verify(target, (password or "")[:MAX_PASSWORD_CHARS])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(ok and stored_hash)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return bool(stored_hash) and _hasher().check_needs_rehash(stored_hash)
