"""API key pairs: generation, salted hashing and constant-time checks (pure; no storage).

Secrets are long random strings, so one salted SHA-256 is enough to keep them unreadable at rest; the comparison
is constant-time. The stored form is `sha256$<salt hex>$<digest hex>`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid


def new_key_pair() -> tuple[str, str]:
    """A fresh (public key, secret key) in Langfuse's `pk-lf-` / `sk-lf-` form."""
    return f"pk-lf-{uuid.uuid4()}", f"sk-lf-{uuid.uuid4()}"


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + secret.encode()).hexdigest()
    return f"sha256${salt.hex()}${digest}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` hashes to `stored`; compares in constant time."""
    try:
        scheme, salt_hex, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "sha256":
        return False
    candidate = hashlib.sha256(bytes.fromhex(salt_hex) + secret.encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


def display_secret(secret: str) -> str:
    """What the CLI's key list shows of a secret: its prefix, plus the last four characters of a long one (a
    short secret would be half given away)."""
    return f"{secret[:6]}...{secret[-4:]}" if len(secret) >= 32 else f"{secret[:6]}..."
