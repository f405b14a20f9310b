"""Encryption of backup files: AES-256-GCM over fixed-size chunks, streamed.

A dump can be larger than memory, and one-shot AEADs (Fernet, a single AES-GCM call) hold the
whole message. So the file is cut into chunks of CHUNK_SIZE bytes, each sealed on its own with
AES-GCM (the `cryptography` package) under a nonce made of a random per-file prefix, the
chunk's number and a flag marking the last chunk, with the file header as associated data.
Reordered, dropped, repeated or appended chunks and a truncated file all fail authentication
(the "STREAM" construction of Hoang, Reyhanitabar, Rogaway and Vizár).

Layout: MAGIC (6 bytes) | key id (8) | nonce prefix (7) | chunks, each a 4-byte big-endian
length and that many bytes of ciphertext (data + 16-byte tag).

The key is 32 random bytes, given as URL-safe base64 in BACKUP_ENCRYPTION_KEY
(`ifm backup --generate-key` makes one). The key id (HMAC of a fixed label) lets a restore tell
"wrong key" from "damaged file".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import struct
from collections.abc import Callable
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"IFMBK1"
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
PREFIX_SIZE = 7
KEY_ID_SIZE = 8
HEADER_SIZE = len(MAGIC) + KEY_ID_SIZE + PREFIX_SIZE
MAX_CHUNKS = 2**32 - 1


class BackupCryptoError(Exception):
    """The backup cannot be decrypted: wrong key, damaged or truncated file."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupCryptoError(
            "BACKUP_ENCRYPTION_KEY must be 32 bytes in URL-safe base64 (44 characters); "
            "make one with `ifm backup --generate-key`."
        )
    return key


def key_id(key: bytes) -> str:
    return hmac.new(key, b"ifm backup key id", hashlib.sha256).hexdigest()[: KEY_ID_SIZE * 2]


def is_encrypted(path: os.PathLike[str] | str) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def encrypt_stream(
    source: BinaryIO,
    target: BinaryIO,
    key: bytes,
    on_plain: Callable[[bytes], None],
    chunk_size: int = CHUNK_SIZE,
) -> None:
    """Encrypt `source` into `target`; `on_plain` sees every plaintext chunk (for its checksum)."""
    aead = AESGCM(key)
    prefix = secrets.token_bytes(PREFIX_SIZE)
    header = MAGIC + bytes.fromhex(key_id(key)) + prefix
    target.write(header)
    counter = 0
    chunk = source.read(chunk_size)
    while True:
        following = source.read(chunk_size)
        last = not following
        on_plain(chunk)
        sealed = aead.encrypt(_nonce(prefix, counter, last), chunk, header)
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        counter += 1
        if counter > MAX_CHUNKS:
            raise BackupCryptoError("The file is too large to encrypt.")
        chunk = following


def decrypt_stream(
    source: BinaryIO, target: BinaryIO, key: bytes, on_plain: Callable[[bytes], None]
) -> None:
    """Decrypt into `target`; raises BackupCryptoError naming what is wrong."""
    header = source.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        raise BackupCryptoError("The file is not an encrypted IFM backup (bad header).")
    file_key_id = header[len(MAGIC) : len(MAGIC) + KEY_ID_SIZE].hex()
    if file_key_id != key_id(key):
        raise BackupCryptoError(
            f"The backup was encrypted with another key (key id {file_key_id}); "
            f"BACKUP_ENCRYPTION_KEY has key id {key_id(key)}."
        )
    aead = AESGCM(key)
    prefix = header[-PREFIX_SIZE:]
    counter = 0
    while True:
        length_bytes = source.read(4)
        if len(length_bytes) < 4:
            raise BackupCryptoError("The encrypted backup is truncated (its last part is missing).")
        (length,) = struct.unpack(">I", length_bytes)
        if length < TAG_SIZE or length > CHUNK_SIZE + TAG_SIZE:
            raise BackupCryptoError(f"The encrypted backup is damaged (chunk {counter}).")
        sealed = source.read(length)
        if len(sealed) < length:
            raise BackupCryptoError("The encrypted backup is truncated (its last part is missing).")
        plain = None
        last = False
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(prefix, counter, last), sealed, header)
                break
            except InvalidTag:
                continue
        if plain is None:
            raise BackupCryptoError(
                f"The encrypted backup is damaged: chunk {counter} fails authentication."
            )
        on_plain(plain)
        target.write(plain)
        if last:
            if source.read(1):
                raise BackupCryptoError("The encrypted backup has data after its last chunk.")
            return
        counter += 1
