"""A stdlib-only Python client for an ipfs-kit daemon (or Kubo) over its RPC API.

The seed plan's storage operations - store, retrieve, pin, unpin, list - and
finding the peers that hold a model by name, with nothing but urllib and json:

    from ipfs_kit_client import IPFSKitClient

    client = IPFSKitClient("http://127.0.0.1:5001")        # token="..." when api.auth_token is set
    cid = client.store(b"hello world")                      # bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e
    assert client.retrieve(cid) == b"hello world"
    client.pin(cid); client.unpin(cid)
    print(client.list())                                     # pinned CIDs
    print(client.find_providers("acme/tiny"))                # [{'ID': '12D3KooW...', 'Addrs': [...], ...}]

and the cluster-shared inference cache (a result computed once anywhere in the
cluster is a hit everywhere; the daemon verifies values it gets from peers):

    answer = client.cached_inference("acme/bert", "hello", lambda text: run_model(text),
                                     params={"temperature": 0}, ttl="1h")
    client.cache_put("my-key", b"bytes", ttl="10m"); client.cache_get("my-key")  # b"bytes", None on a miss

Files are streamed (multipart built by hand, sent chunked), never read whole
into memory; errors come back as IPFSKitError with the HTTP status and Kubo's
message.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

CHUNK = 1024 * 1024


class IPFSKitError(Exception):
    """A call the daemon refused or failed: `status` is the HTTP status, the message is Kubo's `Message`."""

    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class IPFSKitClient:
    def __init__(self, api="http://127.0.0.1:5001", token=None, timeout=120):
        self.api = api.rstrip("/")
        self.token = token
        self.timeout = timeout

    # -- the seed plan's operations ---------------------------------------

    def store(self, data, filename=None, pin=True):
        """Add bytes, a str, or a file path (os.PathLike); returns the CID (Kubo `add`)."""
        if isinstance(data, os.PathLike):
            filename = filename or os.path.basename(os.fspath(data))
            body = _file_chunks(os.fspath(data))
        elif isinstance(data, str):
            body = iter([data.encode("utf-8")])
        elif isinstance(data, (bytes, bytearray, memoryview)):
            body = iter([bytes(data)])
        else:
            raise TypeError("store() takes bytes, str or a path (pathlib.Path)")
        boundary = uuid.uuid4().hex
        lines = self._call(
            "add",
            {"pin": "true" if pin else "false", "cid-version": "1", "raw-leaves": "true"},
            body=_multipart(boundary, filename or "", body),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return _json_lines(lines)[-1]["Hash"]

    def retrieve(self, cid, offset=None, length=None, timeout=None):
        """The content's bytes, or None when the node cannot get it (Kubo `cat`).

        An online node waits for peers to send missing content; `timeout` (Kubo's
        duration option, e.g. "5s") bounds that wait.
        """
        params = {"arg": cid}
        if timeout is not None:
            params["timeout"] = timeout
        if offset is not None:
            params["offset"] = str(offset)
        if length is not None:
            params["length"] = str(length)
        try:
            return self._call("cat", params)
        except IPFSKitError as err:
            if (err.status == 500 and "not found" in err.message) or err.status == 504:
                return None
            raise

    def pin(self, cid):
        """Pin a DAG; True once pinned, False when the content is not available (Kubo `pin/add`)."""
        return self._bool_call("pin/add", cid)

    def unpin(self, cid):
        """Remove a pin; False when `cid` was not pinned (Kubo `pin/rm`)."""
        return self._bool_call("pin/rm", cid)

    def list(self):
        """The pinned CIDs (Kubo `pin/ls`)."""
        return sorted(json.loads(self._call("pin/ls", {"type": "recursive"}))["Keys"].keys())

    def find_providers(self, model, revision=None, timeout_ms=None):
        """Peers that hold a model by name (`org/name`): dicts with ID, Addrs, Root, Revision, Via."""
        params = {"arg": model}
        if revision is not None:
            params["revision"] = revision
        if timeout_ms is not None:
            params["timeout-ms"] = str(timeout_ms)
        return _json_lines(self._call("ipfs-kit/models/providers", params))

    def status(self):
        """The node's backend status: peer id, peers, repo blocks, bytes and pins."""
        return json.loads(self._call("ipfs-kit/status", {}))

    # -- the inference cache (ipfs-kit/cache/*) ----------------------------

    def cache_key(self, model, input, params=None):
        """The key of one inference, computed by the daemon exactly as `kit.cache.cacheKey()` does
        (SHA-256 over canonical JSON, with the model's manifest root when the daemon holds it), so
        Python and TypeScript workers asking the same thing share entries."""
        body = json.dumps({"model": model, "input": input, "params": params}).encode("utf-8")
        answer = self._call("ipfs-kit/cache/key", {}, body=body, headers={"Content-Type": "application/json"})
        return json.loads(answer)["Key"]

    def cache_get(self, key):
        """The bytes cached under `key` (here, or verified from a peer), or None on a miss."""
        try:
            return self._call("ipfs-kit/cache/get", {"arg": key})
        except IPFSKitError as err:
            if err.status == 404:
                return None
            raise

    def cache_put(self, key, value, ttl=None):
        """Cache bytes or a str under `key`, for `ttl` (a duration: "10m", "1h", "500ms"; default: the
        daemon's cache.default_ttl); returns the value's CID."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        params = {"arg": key}
        if ttl is not None:
            params["ttl"] = ttl
        boundary = uuid.uuid4().hex
        answer = self._call(
            "ipfs-kit/cache/put",
            params,
            body=_multipart(boundary, "value", iter([bytes(value)])),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return json.loads(answer)["Cid"]

    def cache_stats(self):
        """The daemon's cache counters: entries, bytes, hits, misses, remoteHits, evictions, expirations."""
        return json.loads(self._call("ipfs-kit/cache/stats", {}))

    def cached_inference(self, model, input, fn, params=None, ttl=None):
        """The seed's distributed inference cache: the cached result of `fn(input)` for this model,
        input and params if any node of the cluster has it, else `fn(input)`, cached and returned.
        Results travel as JSON (what TypeScript's `kit.cache.cachedInference` stores too)."""
        key = self.cache_key(model, input, params)
        cached = self.cache_get(key)
        if cached is not None:
            return json.loads(cached)
        result = fn(input)
        self.cache_put(key, json.dumps(result, separators=(",", ":")), ttl=ttl)
        return result

    # -- plumbing ----------------------------------------------------------

    def _bool_call(self, command, cid):
        try:
            self._call(command, {"arg": cid})
            return True
        except IPFSKitError as err:
            if err.status == 500:
                return False
            raise

    def _call(self, command, params, body=None, headers=None):
        url = f"{self.api}/api/v0/{command}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, data=body if body is not None else b"", method="POST")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if self.token is not None:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            try:
                message = json.loads(text)["Message"]
            except (ValueError, KeyError, TypeError):
                message = text or err.reason
            raise IPFSKitError(err.code, message) from None


def _file_chunks(path):
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                return
            yield chunk


def _multipart(boundary, filename, chunks):
    """One `file` part, streamed: urllib sends an iterable body with chunked transfer encoding."""
    quoted = urllib.parse.quote(filename)
    yield (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode("utf-8")
    yield from chunks
    yield f"\r\n--{boundary}--\r\n".encode("utf-8")


def _json_lines(raw):
    return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
