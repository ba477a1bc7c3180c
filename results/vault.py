"""Passwords and PINs of signing credentials, never stored in clear.

Encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived (HKDF-SHA256) from
settings.RESULTS_CREDENTIAL_KEY, or SECRET_KEY when that is empty. Changing the key makes the stored
secrets unreadable: they must be typed again (or the signer types them at each signature).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    pass


def _fernet() -> Fernet:
    material = (getattr(settings, "RESULTS_CREDENTIAL_KEY", "") or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"motcua-results", info=b"signing-credentials").derive(
        material
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("The stored secret cannot be decrypted (was the key changed?)") from exc
