"""The fallback store: what the package keeps on disk when no daemon is used.

Layout, under ``<cache_dir>/fallback/`` (a directory the node never uses, so
the default cache_dir can also be the node's data directory):

- ``<cid>``: the content, written to a temporary file while its CID is
  computed by the pure-Python importer (same CID as the node), then renamed;
- ``<cid>.meta``: JSON ``{"filename", "pinned", "fallback": true, "size", "modified"}``;
- ``cache/<sha256 of the key>.json`` and ``.value``: inference cache entries with their expiry.

Every read hashes the content again and refuses bytes that no longer match
their CID. One writer at a time per CID is assumed (renames are atomic, so a
reader never sees half a file).
"""

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from .cid import is_cid, parse_cid
from .errors import IPFSKitCorruptContentError
from .unixfs import Importer, cid_of

CHUNK = 1024 * 1024
DEFAULT_CACHE_TTL = 24 * 3600.0
"""Seconds an inference cache entry lives without a `ttl` (the node's `cache.default_ttl`)."""


class FallbackStore:
    def __init__(self, root):
        self.root = Path(root)
        self.cache_root = self.root / "cache"

    # -- content ---------------------------------------------------------------

    def store(self, chunks, filename=None, pin=False):
        self.root.mkdir(parents=True, exist_ok=True)
        importer = Importer()
        fd, tmp = tempfile.mkstemp(prefix=".store-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    importer.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            cid = importer.finish()
            os.replace(tmp, self.root / cid)
        except BaseException:
            _unlink(tmp)
            raise
        meta = self.meta(cid) or {}
        self._write_meta(cid, {
            "filename": filename if filename is not None else meta.get("filename"),
            "pinned": bool(pin or meta.get("pinned", False)),
            "fallback": True,
            "size": importer.size,
            "modified": time.time(),
        })
        return cid

    def resolve(self, cid_or_filename):
        """The CID for a CID held here or for the filename stored last; None otherwise."""
        if is_cid(cid_or_filename):
            cid = parse_cid(cid_or_filename)
            return cid if (self.root / cid).is_file() else None
        newest = None
        for entry in self.entries():
            if entry["filename"] == cid_or_filename and (newest is None or entry["modified"] > newest["modified"]):
                newest = entry
        return newest["cid"] if newest else None

    def stream(self, cid, offset=0, length=None):
        """Yield the bytes of `cid` (or a range), then check they hash to it: IPFSKitCorruptContentError if not.

        The whole file is hashed even for a range, so a damaged copy is never served as good.
        """
        end = None if length is None else offset + length
        importer = Importer()
        at = 0
        with open(self.root / cid, "rb") as f:
            while True:
                piece = f.read(CHUNK)
                if not piece:
                    break
                importer.update(piece)
                lo, hi = max(offset - at, 0), len(piece) if end is None else min(end - at, len(piece))
                at += len(piece)
                if hi > lo:
                    yield piece[lo:hi]
        actual = importer.finish()
        if actual != cid:
            raise IPFSKitCorruptContentError(cid, actual)

    def path_of(self, cid):
        return self.root / cid

    def meta(self, cid):
        try:
            with open(self.root / f"{cid}.meta", encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def set_pinned(self, cid, pinned):
        meta = self.meta(cid)
        if meta is None or not (self.root / cid).is_file():
            return False
        if not pinned and not meta.get("pinned"):
            return False
        meta["pinned"] = pinned
        self._write_meta(cid, meta)
        return True

    def delete(self, cid):
        found = False
        for name in (cid, f"{cid}.meta"):
            try:
                os.unlink(self.root / name)
                found = True
            except FileNotFoundError:
                pass
        return found

    def entries(self):
        """Every stored file: the seed's keys, `modified` in seconds since the epoch."""
        if not self.root.is_dir():
            return []
        out = []
        for path in self.root.iterdir():
            if not path.is_file() or path.name.startswith(".") or path.suffix == ".meta" or not is_cid(path.name):
                continue
            meta = self.meta(path.name) or {}
            stat = path.stat()
            out.append({
                "cid": path.name,
                "filename": meta.get("filename"),
                "size": stat.st_size,
                "modified": meta.get("modified", stat.st_mtime),
                "pinned": bool(meta.get("pinned", False)),
                "fallback": True,
            })
        out.sort(key=lambda e: (e["modified"], e["cid"]))
        return out

    def _write_meta(self, cid, meta):
        _atomic_write(self.root / f"{cid}.meta", json.dumps(meta).encode("utf-8"))

    # -- inference cache ---------------------------------------------------------

    def cache_put(self, key, value, ttl_seconds=None):
        self.cache_root.mkdir(parents=True, exist_ok=True)
        digest = _key_digest(key)
        ttl = DEFAULT_CACHE_TTL if ttl_seconds is None else ttl_seconds
        cid = cid_of(value)
        _atomic_write(self.cache_root / f"{digest}.value", value)
        _atomic_write(self.cache_root / f"{digest}.json", json.dumps({"key": key, "cid": cid, "expires": time.time() + ttl}).encode("utf-8"))
        return cid

    def cache_get(self, key):
        """The value, or None on a miss or after its expiry (an expired or damaged entry is removed)."""
        entry = self._cache_entry(_key_digest(key))
        if entry is None:
            return None
        try:
            value = (self.cache_root / f"{entry['digest']}.value").read_bytes()
        except OSError:
            return None
        if cid_of(value) != entry["cid"]:
            self.cache_rm(key)
            return None
        return value

    def cache_rm(self, key):
        digest = _key_digest(key)
        return any([_unlink(self.cache_root / f"{digest}.json"), _unlink(self.cache_root / f"{digest}.value")])

    def cache_entries(self):
        """Live entries: `{"key", "cid", "expires", "digest"}`."""
        if not self.cache_root.is_dir():
            return []
        out = []
        for path in self.cache_root.glob("*.json"):
            entry = self._cache_entry(path.stem)
            if entry is not None:
                out.append(entry)
        return out

    def _cache_entry(self, digest):
        try:
            entry = json.loads((self.cache_root / f"{digest}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("expires", 0) <= time.time():
            _unlink(self.cache_root / f"{digest}.json")
            _unlink(self.cache_root / f"{digest}.value")
            return None
        entry["digest"] = digest
        return entry


def _key_digest(key):
    return hashlib.sha256(b"ipfs-kit cache key digest v1\n" + key.encode("utf-8")).hexdigest()


def _atomic_write(path, data):
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def _unlink(path):
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False
