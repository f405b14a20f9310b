from __future__ import annotations

import hashlib
import io
import secrets
import struct

import pytest

from ifm.ops.backups.crypto import (
    HEADER_SIZE,
    BackupCryptoError,
    decrypt_stream,
    encrypt_stream,
    generate_key,
    parse_key,
)

KEY = parse_key(generate_key())
CHUNK = 1000


def encrypt(data: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key, lambda _: None, chunk_size=CHUNK)
    return out.getvalue()


def decrypt(sealed: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed), out, key, lambda _: None)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17])
def test_round_trip(size: int) -> None:
    data = secrets.token_bytes(size)
    sealed = encrypt(data)
    # The plain bytes do not show through (a byte or two may occur anywhere by chance).
    assert size < 16 or data not in sealed
    assert decrypt(sealed) == data


def test_the_plain_checksum_is_seen_on_both_sides() -> None:
    data = secrets.token_bytes(3 * CHUNK + 5)
    seen_in, seen_out = hashlib.sha256(), hashlib.sha256()
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, KEY, seen_in.update, chunk_size=CHUNK)
    decrypt_stream(io.BytesIO(out.getvalue()), io.BytesIO(), KEY, seen_out.update)
    assert seen_in.hexdigest() == seen_out.hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_wrong_key_is_named() -> None:
    sealed = encrypt(b"donor list")
    with pytest.raises(BackupCryptoError, match="encrypted with another key"):
        decrypt(sealed, parse_key(generate_key()))


def test_a_flipped_byte_fails_authentication() -> None:
    sealed = bytearray(encrypt(secrets.token_bytes(3 * CHUNK)))
    sealed[HEADER_SIZE + (4 + CHUNK + 16) + 4 + 10] ^= 0x01  # inside the second chunk
    with pytest.raises(BackupCryptoError, match="chunk 1 fails authentication"):
        decrypt(bytes(sealed))


def test_a_file_cut_at_a_chunk_boundary_is_truncated() -> None:
    sealed = encrypt(secrets.token_bytes(3 * CHUNK))
    first_two = HEADER_SIZE + 2 * (4 + CHUNK + 16)
    with pytest.raises(BackupCryptoError, match="truncated"):
        decrypt(sealed[:first_two])
    with pytest.raises(BackupCryptoError, match="truncated"):
        decrypt(sealed[:-5])


def test_chunks_swapped_or_appended_are_refused() -> None:
    sealed = encrypt(secrets.token_bytes(3 * CHUNK))
    size = 4 + CHUNK + 16
    header, body = sealed[:HEADER_SIZE], sealed[HEADER_SIZE:]
    swapped = header + body[size : 2 * size] + body[:size] + body[2 * size :]
    with pytest.raises(BackupCryptoError, match="chunk 0 fails"):
        decrypt(swapped)
    with pytest.raises(BackupCryptoError, match="after its last chunk"):
        decrypt(sealed + struct.pack(">I", 20) + b"x" * 20)


def test_a_plain_file_is_not_taken_for_an_encrypted_one() -> None:
    with pytest.raises(BackupCryptoError, match="not an encrypted IFM backup"):
        decrypt(b"PGDMP" + b"\0" * 40)


@pytest.mark.parametrize(
    "text",
    ["", "short", "!" * 44, generate_key()[:-4]],
    ids=["empty", "short", "not-base64", "truncated"],
)
def test_a_bad_key_setting_is_explained(text: str) -> None:
    with pytest.raises(BackupCryptoError, match="32 bytes in URL-safe base64"):
        parse_key(text)
