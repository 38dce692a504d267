"""The inference cache key, computed exactly as the node's ``cacheKey()`` (src/cache/cache-key.ts).

``sha256:<hex>`` over a domain prefix and the canonical JSON of
``{"model": {"name": …}, "input": …, "params": …}``: object keys sorted (by
UTF-16 code units, as JavaScript sorts), no spaces, numbers as JavaScript
prints them, bytes as ``{"$bytes": base64}``. The fallback store uses it, so an
entry cached offline has the key the daemon gives the same request for a model
it does not hold (a held model adds its manifest root to the key).
"""

import base64
import hashlib
import json
import math

_DOMAIN = b"ipfs-kit inference cache key v1\n"


def cache_key(model, input, params=None):
    if not isinstance(model, str) or not model:
        raise ValueError("cache_key needs a model name")
    body = canonical_json({"model": {"name": model}, "input": input, "params": params})
    return "sha256:" + hashlib.sha256(_DOMAIN + body.encode("utf-8")).hexdigest()


def canonical_json(value, _seen=None):
    seen = _seen if _seen is not None else set()
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return _js_number(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return canonical_json({"$bytes": base64.b64encode(bytes(value)).decode("ascii")}, seen)
    if id(value) in seen:
        raise ValueError("cannot make a cache key from a value that contains itself")
    seen.add(id(value))
    try:
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(canonical_json(v, seen) for v in value) + "]"
        if isinstance(value, dict):
            for k in value:
                if not isinstance(k, str):
                    raise ValueError(f"cannot make a cache key from a dict key {k!r}: keys must be strings")
            keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
            return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical_json(value[k], seen) for k in keys) + "}"
    finally:
        seen.discard(id(value))
    raise ValueError(f"cannot make a cache key from a {type(value).__name__}")


def _js_number(n):
    """`JSON.stringify` of a number: ECMAScript's Number::toString (shortest round-trip digits)."""
    if isinstance(n, int) and abs(n) < 2 ** 53:
        return str(n)
    f = float(n)
    if not math.isfinite(f):
        raise ValueError(f"cannot make a cache key from the number {n}")
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    mantissa, _, exponent = repr(abs(f)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    # the decimal point sits after `point` digits of `digits`
    point = len(whole.lstrip("0")) if whole.strip("0") else -(len(frac) - len(frac.lstrip("0")))
    point += int(exponent or 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    e = point - 1
    tail = ("." + digits[1:]) if k > 1 else ""
    return sign + digits[0] + tail + "e" + ("+" if e >= 0 else "-") + str(abs(e))
