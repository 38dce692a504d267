"""`IPFSKitStorage`: the seed's storage API, local-first with automatic fallback.

With an ipfs-kit daemon reachable (config `api`, `IPFS_KIT_API`, or
http://127.0.0.1:5001; token from config `api_token` or `IPFS_KIT_API_TOKEN`)
every call goes to the node. Without one, or with `force_fallback=True`,
`enable_ipfs_kit=False` or `IPFS_KIT_DISABLE=1`, content is kept under
``<cache_dir>/fallback/`` with the CIDs the node would give it, and
`sync_fallback()` adds it to the node once one runs.

The mode is chosen once, when the storage is created. A daemon that stops
later makes calls fail with `IPFSKitConnectionError` rather than silently
writing somewhere else.
"""

import json
import logging
import os
import tempfile
import time
from pathlib import Path

from .cache_key import cache_key as local_cache_key
from .cid import is_cid, parse_cid
from .errors import IPFSKitAuthError, IPFSKitBadRequestError, IPFSKitConnectionError, IPFSKitError, IPFSKitNotFoundError
from .fallback import FallbackStore
from .inputs import chunks_of
from .rpc import DEFAULT_TIMEOUT, IPFSKitClient
from .settings import (DEFAULT_PROBE_TIMEOUT, env_disabled, kubo_duration, resolve_api, resolve_cache_dir,
                       resolve_token, seconds)

log = logging.getLogger("ipfs_kit_client")

FALLBACK_DIR = "fallback"
"""The subdirectory of cache_dir the fallback store uses (the node never writes there)."""

BACKENDS = ("local", "ipfs", "s3")
"""The names `store(..., backends=[...])` takes, as the daemon's `ipfs-kit/storage/store` does."""

_FALLBACK_BACKENDS = {"local": True, "ipfs": False, "s3": False, "filecoin": False}


class IPFSKitStorage:
    """The seed's `IPFSKitStorage`, same names and signatures.

    config keys (all optional): `api` (daemon URL), `api_token`, `timeout` (seconds a socket
    may stay silent, default 120), `probe_timeout` (seconds for the first contact, default 2),
    `retrieve_timeout` (how long `retrieve`/`pin` wait for peers, e.g. "5s"; default the daemon's).
    """

    def __init__(self, enable_ipfs_kit=True, cache_dir=None, config=None, force_fallback=False, *, deps=None, ipfs_kit_client=None):
        self.config = config if config is not None else {}
        self.enable_ipfs_kit = enable_ipfs_kit
        self.force_fallback = bool(force_fallback) or env_disabled()
        self.cache_dir = resolve_cache_dir(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.storage = None  # the seed's storage_wrapper; none here
        self.ipfs_kit_client = None
        self.using_fallback = True
        self._fallback = FallbackStore(self.cache_dir / FALLBACK_DIR)
        self._retrieve_timeout = kubo_duration(self.config.get("retrieve_timeout"))
        if self.enable_ipfs_kit and not self.force_fallback:
            client = ipfs_kit_client or IPFSKitClient(resolve_api(self.config), resolve_token(self.config),
                                                      seconds(self.config.get("timeout")) or DEFAULT_TIMEOUT)
            if self._probe(client):
                self.ipfs_kit_client = client
                self.using_fallback = False
                pending = len(self._fallback.entries())
                if pending:
                    log.warning("%d file(s) stored in fallback mode under %s are not on the node yet: call sync_fallback()", pending, self._fallback.root)

    @property
    def fallback_dir(self):
        """Where fallback mode keeps content: ``<cache_dir>/fallback``."""
        return self._fallback.root

    def _probe(self, client):
        """True when an ipfs-kit daemon answers; a daemon refusing our token is an error, not a reason to fall back."""
        timeout = seconds(self.config.get("probe_timeout")) or DEFAULT_PROBE_TIMEOUT
        try:
            client.call("ipfs-kit/status", timeout=timeout)
            return True
        except IPFSKitAuthError:
            raise
        except IPFSKitConnectionError as err:
            log.info("using the fallback store: %s", err.message)
            return False
        except IPFSKitError as err:
            log.warning("using the fallback store: %s is not an ipfs-kit daemon (%s)", client.api, err)
            return False

    # -- status ------------------------------------------------------------------

    def is_available(self):
        """True when calls go to an ipfs-kit daemon."""
        return not self.using_fallback and self.ipfs_kit_client is not None

    def get_backend_status(self):
        if self.using_fallback:
            return {
                "ipfs_kit_available": False,
                "using_fallback": True,
                "cache_dir": str(self.cache_dir),
                "fallback_dir": str(self.fallback_dir),
                "backends": dict(_FALLBACK_BACKENDS),
            }
        status = self.ipfs_kit_client.status()
        return {
            "ipfs_kit_available": True,
            "using_fallback": False,
            "cache_dir": status["cacheDir"],
            "api": self.ipfs_kit_client.api,
            "peer_id": status["peerId"],
            "peers": status["peers"],
            "repo": status["repo"],
            "fallback_files": len(self._fallback.entries()),
            "backends": status["backends"],
        }

    # -- content -------------------------------------------------------------------

    def store(self, data, filename=None, pin=False, backends=None):
        """Store bytes, a str (UTF-8), a path (os.PathLike, streamed), a binary file object or an
        iterable of bytes; returns the CID. Nothing is read whole into memory.

        `backends`: where the node puts it, a list of "local" (its disk), "ipfs" (provided to the
        network) and "s3" (its cold tier); default the node's `storage_policy.default_backends`.
        A backend that fails is logged (warning, naming it and the error), not raised: the content
        is stored on the others. Another name raises IPFSKitBadRequestError. Fallback mode stores
        locally only and logs the backends it cannot reach."""
        names = _backend_names(backends)
        if filename is None and isinstance(data, os.PathLike):
            filename = Path(data).name
        chunks = chunks_of(data)
        if self.using_fallback:
            cid = self._fallback.store(chunks, filename=filename, pin=pin)
            for name in names or ():
                if name != "local":
                    log.warning("storing %s on backend %s failed: no ipfs-kit daemon (fallback mode stores locally only)", cid, name)
            return cid
        answer = self.ipfs_kit_client.store(chunks, filename=filename, pin=bool(pin), backends=names)
        for failure in answer.get("Failed", []):
            log.warning("storing %s on backend %s failed: %s", answer["Cid"], failure["Backend"], failure["Error"])
        return answer["Cid"]

    def retrieve(self, cid, *, offset=None, length=None):
        """The bytes of `cid` (or of the file last stored under that filename), or None when not available."""
        try:
            return b"".join(self.stream(cid, offset=offset or 0, length=length))
        except IPFSKitNotFoundError:
            return None

    def retrieve_to(self, cid, path):
        """Stream the content to `path` (written beside it, then renamed); the Path, or None when not available."""
        target = Path(path)
        try:
            pieces = self.stream(cid)
        except IPFSKitNotFoundError:
            return None
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in pieces:
                    out.write(piece)
            os.replace(tmp, target)
        except IPFSKitNotFoundError:
            os.unlink(tmp)
            return None
        except BaseException:
            os.unlink(tmp)
            raise
        return target

    def stream(self, cid, offset=0, length=None):
        """An iterator over the content in pieces of at most 1 MiB; IPFSKitNotFoundError when not available."""
        resolved = self._resolve(cid)
        if resolved is None:
            raise IPFSKitNotFoundError(None, f"not found: {cid}")
        if self.using_fallback:
            return self._fallback.stream(resolved, offset, length)
        return _not_found_as_none_error(self.ipfs_kit_client.cat(resolved, offset=offset or None, length=length, timeout=self._retrieve_timeout))

    def _resolve(self, cid_or_filename):
        """A CID to read: the CID itself, or the one a stored filename stands for; None when unknown."""
        if not isinstance(cid_or_filename, str) or not cid_or_filename:
            return None
        if self.using_fallback:
            return self._fallback.resolve(cid_or_filename)
        if is_cid(cid_or_filename):
            return parse_cid(cid_or_filename)
        return self.ipfs_kit_client.exists(cid_or_filename)["Cid"]

    def exists(self, cid):
        """True when the content of `cid` (or of a stored filename) is held here."""
        if not isinstance(cid, str) or not cid:
            return False
        if self.using_fallback:
            return self._fallback.resolve(cid) is not None
        return bool(self.ipfs_kit_client.exists(cid)["Exists"])

    def list_files(self, path="/"):
        """Every stored file: `cid`, `filename`, `size`, `modified` (seconds since the epoch), `pinned`,
        `fallback`. `path` other than "/" keeps the filenames under it ("models/" → "models/…")."""
        if self.using_fallback:
            entries = self._fallback.entries()
        else:
            entries = [{"cid": e["Cid"], "filename": e["Filename"], "size": e["Size"], "modified": e["Modified"] / 1000.0,
                        "pinned": e["Pinned"], "fallback": False} for e in self.ipfs_kit_client.list_files()]
        prefix = (path or "/").lstrip("/")
        if prefix:
            entries = [e for e in entries if (e["filename"] or "").startswith(prefix)]
        return entries

    def delete(self, cid):
        """Remove the content (and its pin and listing); False when there was nothing to remove."""
        if not is_cid(cid):
            return False
        if self.using_fallback:
            return self._fallback.delete(parse_cid(cid))
        return bool(self.ipfs_kit_client.delete(parse_cid(cid)))

    def pin(self, cid, replicas=None):
        """Keep the content from gc; False when it is not available. `replicas` (N, or "MIN:MAX"):
        the cluster also keeps that many live holders (needs a daemon: fallback mode has no cluster)."""
        if not is_cid(cid):
            return False
        if self.using_fallback:
            if replicas is not None:
                raise ValueError("replicas need a running ipfs-kit daemon (fallback mode has no cluster)")
            return self._fallback.set_pinned(parse_cid(cid), True)
        try:
            self.ipfs_kit_client.pin(parse_cid(cid), timeout=self._retrieve_timeout, replicas=None if replicas is None else str(replicas))
            return True
        except IPFSKitError as err:
            if err.status in (500, 504):
                return False
            raise

    def unpin(self, cid):
        """Remove the pin; False when `cid` was not pinned."""
        if not is_cid(cid):
            return False
        if self.using_fallback:
            return self._fallback.set_pinned(parse_cid(cid), False)
        try:
            self.ipfs_kit_client.unpin(parse_cid(cid))
            return True
        except IPFSKitError as err:
            if err.status == 500:
                return False
            raise

    def replication_ls(self):
        """Replicated roots the node knows of: dicts with cid, min, max, holders, state. Fallback mode: []."""
        if self.using_fallback:
            return []
        return self.ipfs_kit_client.replication_ls()

    # -- models ---------------------------------------------------------------------

    def find_providers(self, model_name, revision=None, timeout_ms=None):
        """Peers holding a model by name (`org/name`): dicts with ID, Addrs, Root, Revision, Via.
        In fallback mode there is no network: an empty list (no made-up providers)."""
        if self.using_fallback:
            return []
        return self.ipfs_kit_client.find_providers(model_name, revision=revision, timeout_ms=timeout_ms)

    # -- inference cache ------------------------------------------------------------

    def cache_key(self, model, input, params=None):
        """The key of one inference; the daemon's (which adds the manifest root of a model it holds) or, in fallback, the same computation without one."""
        if self.using_fallback:
            return local_cache_key(model, input, params)
        return self.ipfs_kit_client.cache_key(model, input, params)

    def cache_get(self, key):
        """Bytes cached under `key` (here or, through a daemon, verified from a peer), or None."""
        if self.using_fallback:
            return self._fallback.cache_get(key)
        return self.ipfs_kit_client.cache_get(key)

    def cache_put(self, key, value, ttl=None):
        """Cache bytes or a str under `key` for `ttl` (seconds or "10m"; default 24 h, the node's); returns the value's CID."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        value = bytes(value)
        if self.using_fallback:
            return self._fallback.cache_put(key, value, seconds(ttl))
        return self.ipfs_kit_client.cache_put(key, value, ttl=kubo_duration(ttl))

    def cached_inference(self, model, input, fn, params=None, ttl=None):
        """The seed's Example 2: the cached result of `fn(input)` for this model, input and params,
        else `fn(input)`, cached (as JSON, what TypeScript's `kit.cache.cachedInference` stores) and returned."""
        key = self.cache_key(model, input, params)
        cached = self.cache_get(key)
        if cached is not None:
            return json.loads(cached)
        result = fn(input)
        self.cache_put(key, json.dumps(result, separators=(",", ":")), ttl=ttl)
        return result

    # -- fallback → node ------------------------------------------------------------

    def sync_fallback(self):
        """Add what fallback mode stored to the daemon (same CIDs, filenames and pins kept, live cache
        entries with their remaining TTL), then remove the fallback copies. Returns the synced CIDs.
        A storage that was in fallback only because no daemon answered uses the daemon from then on."""
        if self.force_fallback or not self.enable_ipfs_kit:
            raise IPFSKitError(None, "sync_fallback() needs a daemon, and this storage was created with force_fallback, enable_ipfs_kit=False or IPFS_KIT_DISABLE")
        client = self.ipfs_kit_client
        if client is None:
            client = IPFSKitClient(resolve_api(self.config), resolve_token(self.config), seconds(self.config.get("timeout")) or DEFAULT_TIMEOUT)
            client.call("ipfs-kit/status", timeout=seconds(self.config.get("probe_timeout")) or DEFAULT_PROBE_TIMEOUT)
        synced = []
        for entry in self._fallback.entries():
            cid = entry["cid"]
            added = client.store(self._fallback.stream(cid), filename=entry["filename"], pin=entry["pinned"])["Cid"]
            if added != cid:
                raise IPFSKitError(None, f"the node stored the fallback copy of {cid} as {added}: kept in {self.fallback_dir}")
            self._fallback.delete(cid)
            synced.append(cid)
        for entry in self._fallback.cache_entries():
            value = self._fallback.cache_get(entry["key"])
            remaining = entry["expires"] - time.time()
            if value is not None and remaining > 0:
                client.cache_put(entry["key"], value, ttl=kubo_duration(remaining))
            self._fallback.cache_rm(entry["key"])
        self.ipfs_kit_client = client
        self.using_fallback = False
        return synced


def _backend_names(backends):
    """`backends` checked: None, or a list of the node's backend names ("local,s3" is read as a list too)."""
    if backends is None:
        return None
    names = backends.split(",") if isinstance(backends, str) else list(backends)
    names = [name.strip() if isinstance(name, str) else name for name in names]
    if not names or any(name not in BACKENDS for name in names):
        given = ",".join(str(name) for name in names)
        raise IPFSKitBadRequestError(None, f"backends must be a list of {', '.join(BACKENDS)}, got \"{given}\"")
    return names


def _not_found_as_none_error(pieces):
    """Daemon answers meaning "not available" (missing blocks, peers too slow) as IPFSKitNotFoundError."""
    try:
        yield from pieces
    except IPFSKitError as err:
        if err.status == 504 or (err.status == 500 and "not found" in err.message):
            raise IPFSKitNotFoundError(err.status, err.message) from None
        raise
