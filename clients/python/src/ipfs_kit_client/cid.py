"""CIDs without dependencies: the CIDv1 strings the importer makes, and a strict parser.

Only what the package needs: base32 (multibase ``b``) CIDv1 and base58btc CIDv0
(``Qm…``), sha2-256 multihashes. A string is checked here before it is used as
a file name in the fallback store, so ``..`` or ``/`` can never reach the
filesystem.
"""

import base64
import hashlib

RAW = 0x55
DAG_PB = 0x70
SHA2_256 = 0x12

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B32 = set("abcdefghijklmnopqrstuvwxyz234567")


def varint(n):
    """Unsigned LEB128, as multiformats and protobuf write integers."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data, at):
    n = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[at]
        at += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return n, at


def cid_bytes(codec, sha256_digest):
    """The binary CIDv1 of a sha2-256 digest."""
    return varint(1) + varint(codec) + bytes([SHA2_256, 32]) + sha256_digest


def cid_string(binary):
    """Multibase base32 (lower case, no padding): the ``bafy…``/``bafk…`` form."""
    return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")


def raw_cid(data):
    """The CIDv1 of one raw block: what a file of at most one chunk is."""
    return cid_string(cid_bytes(RAW, hashlib.sha256(data).digest()))


def parse_cid(text):
    """The canonical string of a CID (CIDv1 in base32, CIDv0 as given); ValueError when `text` is not one."""
    if not isinstance(text, str) or not text:
        raise ValueError("a CID must be a non-empty string")
    if text.startswith("Qm") and len(text) == 46:
        raw = _b58decode(text)
        if len(raw) != 34 or raw[0] != SHA2_256 or raw[1] != 32:
            raise ValueError(f"not a CIDv0: {text}")
        return text
    if text[0] not in "bB":
        raise ValueError(f"not a base32 CID: {text}")
    body = text[1:].lower()
    if not body or any(c not in _B32 for c in body):
        raise ValueError(f"not a base32 CID: {text}")
    try:
        raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
    except ValueError as err:
        raise ValueError(f"not a base32 CID: {text}") from err
    version, at = _read_varint(raw, 0)
    if version != 1:
        raise ValueError(f"unsupported CID version {version}: {text}")
    _codec, at = _read_varint(raw, at)
    _hash, at = _read_varint(raw, at)
    length, at = _read_varint(raw, at)
    if len(raw) - at != length:
        raise ValueError(f"CID digest length does not match: {text}")
    return cid_string(raw)


def is_cid(text):
    try:
        parse_cid(text)
        return True
    except ValueError:
        return False


def _b58decode(text):
    n = 0
    for c in text:
        i = _B58.find(c)
        if i < 0:
            raise ValueError(f"not base58btc: {text}")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body
