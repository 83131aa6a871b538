"""Encrypted backups, with the data keys kept apart from the data.

A data backup is a PostgreSQL dump of everything **except the rows of the data-key table**.
The key table is backed up on its own, to a different place with a short retention. Erasing a
person deletes their data key; old data backups still hold their ciphertext, but the current
key table no longer holds the key, so a restore leaves them unreadable while everyone else
reads normally.

Both kinds of file are encrypted as a stream of AES-256-GCM chunks under a random file key,
which is itself sealed under the master key ring (so restoring needs the master keys too):

    CWBK1 <kind>\\n
    <sealed file key>\\n
    then chunks: 4-byte big-endian length, then nonce || ciphertext || tag

Each chunk's associated data is the file id, its index and whether it is the last one, so
chunks cannot be reordered, dropped or cut off unnoticed.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core import crypto

MAGIC = b"CWBK1"
CHUNK_BYTES = 1 << 20
_LENGTH = struct.Struct(">I")


class BackupError(Exception):
    pass


def _chunk_aad(file_id: str, index: int, last: bool) -> bytes:
    return f"{file_id}:{index}:{int(last)}".encode()


def encrypt_stream(chunks: Iterable[bytes], out: BinaryIO, *, kind: str) -> None:
    file_key = os.urandom(crypto.KEY_BYTES)
    file_id = base64.urlsafe_b64encode(os.urandom(12)).decode()
    sealed_key = crypto.master_encrypt(
        base64.b64encode(file_key).decode(), context=f"backup:{kind}:{file_id}"
    )
    out.write(MAGIC + b" " + kind.encode() + b" " + file_id.encode() + b"\n")
    out.write(sealed_key.encode() + b"\n")
    aead = AESGCM(file_key)
    index = 0
    pending: bytes | None = None
    for chunk in _rechunk(chunks):
        if pending is not None:
            _write_chunk(out, aead, file_id, index, pending, last=False)
            index += 1
        pending = chunk
    _write_chunk(out, aead, file_id, index, pending or b"", last=True)


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes]:
    buffer = b""
    for piece in chunks:
        buffer += piece
        while len(buffer) >= CHUNK_BYTES:
            yield buffer[:CHUNK_BYTES]
            buffer = buffer[CHUNK_BYTES:]
    if buffer:
        yield buffer


def _write_chunk(
    out: BinaryIO, aead: AESGCM, file_id: str, index: int, data: bytes, *, last: bool
) -> None:
    nonce = os.urandom(crypto.NONCE_BYTES)
    sealed = nonce + aead.encrypt(nonce, data, _chunk_aad(file_id, index, last))
    out.write(_LENGTH.pack(len(sealed)))
    out.write(sealed)


def decrypt_stream(source: BinaryIO, *, kind: str) -> Iterator[bytes]:
    header = source.readline().rstrip(b"\n").split(b" ")
    if len(header) != 3 or header[0] != MAGIC:
        raise BackupError("Not an encrypted backup file.")
    if header[1].decode() != kind:
        raise BackupError(f"This is a {header[1].decode()} backup, not a {kind} backup.")
    file_id = header[2].decode()
    sealed_key = source.readline().rstrip(b"\n").decode()
    file_key = base64.b64decode(
        crypto.master_decrypt(sealed_key, context=f"backup:{kind}:{file_id}")
    )
    aead = AESGCM(file_key)
    index = 0
    while True:
        length_bytes = source.read(_LENGTH.size)
        if len(length_bytes) < _LENGTH.size:
            raise BackupError("Backup file is truncated: its last chunk is missing.")
        length = _LENGTH.unpack(length_bytes)[0]
        sealed = source.read(length)
        if len(sealed) < length:
            raise BackupError("Backup file is truncated in the middle of a chunk.")
        nonce, body = sealed[: crypto.NONCE_BYTES], sealed[crypto.NONCE_BYTES :]
        for last in (False, True):
            try:
                data = aead.decrypt(nonce, body, _chunk_aad(file_id, index, last))
            except InvalidTag:
                continue
            yield data
            if last:
                return
            break
        else:
            raise BackupError(f"Backup chunk {index} failed authentication.")
        index += 1
