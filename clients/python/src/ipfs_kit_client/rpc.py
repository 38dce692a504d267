"""The daemon's RPC API (Kubo's subset plus ``ipfs-kit/*``) over urllib, streamed both ways.

`IPFSKitClient` is the low-level client: one method per RPC command the
package uses, files sent as chunked multipart and read back in 1 MiB pieces,
never whole. `IPFSKitStorage` (storage.py) routes the seed's calls to it; a
new daemon call is one method here, e.g.::

    def dataset_plan(self, name, rank, world):
        return self.json("ipfs-kit/datasets/plan", {"arg": name, "rank": rank, "world": world})
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

from .errors import IPFSKitConnectionError, IPFSKitError, error_for

CHUNK = 1024 * 1024
DEFAULT_API = "http://127.0.0.1:5001"
DEFAULT_TIMEOUT = 120.0
"""Seconds a socket may stay silent before a call fails (the daemon's own deadline for peers is 90 s)."""


class IPFSKitClient:
    def __init__(self, api=DEFAULT_API, token=None, timeout=DEFAULT_TIMEOUT):
        self.api = api.rstrip("/")
        self.token = token
        self.timeout = timeout

    # -- plumbing ----------------------------------------------------------

    def open(self, command, params=None, body=None, headers=None, timeout=None):
        """POST a command; the open response (a file-like object to read or iterate). Raises a named IPFSKitError."""
        query = urllib.parse.urlencode([(k, _param(v)) for k, v in (params or {}).items() if v is not None], doseq=True)
        request = urllib.request.Request(f"{self.api}/api/v0/{command}?{query}", data=body if body is not None else b"", method="POST")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            return urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            err.close()
            try:
                message = json.loads(text)["Message"]
            except (ValueError, KeyError, TypeError):
                message = text or err.reason
            raise error_for(err.code, message) from None
        except (urllib.error.URLError, OSError) as err:
            raise IPFSKitConnectionError(self.api, getattr(err, "reason", err)) from None

    def call(self, command, params=None, **kwargs):
        """The whole (small) answer as bytes."""
        with self.open(command, params, **kwargs) as response:
            try:
                return response.read()
            except OSError as err:
                raise IPFSKitConnectionError(self.api, err) from None

    def json(self, command, params=None, **kwargs):
        return json.loads(self.call(command, params, **kwargs))

    def json_lines(self, command, params=None, **kwargs):
        raw = self.call(command, params, **kwargs)
        return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]

    def upload(self, command, params, chunks, filename=""):
        """Send `chunks` (an iterable of bytes) as one multipart `file` part, chunked: never whole in memory."""
        boundary = uuid.uuid4().hex
        return self.json(command, params, body=_multipart(boundary, filename, chunks),
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def stream(self, command, params, chunk_size=CHUNK):
        """Yield the answer in pieces of at most `chunk_size` bytes."""
        with self.open(command, params) as response:
            while True:
                try:
                    piece = response.read(chunk_size)
                except OSError as err:
                    raise IPFSKitConnectionError(self.api, f"the answer was cut: {err}") from None
                if not piece:
                    return
                yield piece

    # -- commands ------------------------------------------------------------

    def status(self):
        """The node's backend status: ipfsKitAvailable, usingFallback, cacheDir, peerId, peers, backends, repo."""
        return self.json("ipfs-kit/status")

    def store(self, chunks, filename=None, pin=None, backends=None):
        """Store a stream of bytes pieces; `{"Cid", "Size", "Failed"}` (`Failed`: `{"Backend", "Error"}` for
        each of `backends` (a list of local, ipfs, s3; default the node's storage_policy) that failed)."""
        params = {"filename": filename, "pin": pin, "backends": None if backends is None else ",".join(backends)}
        return self.upload("ipfs-kit/storage/store", params, chunks, filename or "")

    def cat(self, cid, offset=None, length=None, timeout=None):
        """The content of `cid`, streamed (Kubo `cat`)."""
        return self.stream("cat", {"arg": cid, "offset": offset, "length": length, "timeout": timeout})

    def exists(self, cid_or_filename):
        """`{"Exists": bool, "Cid": str | None}` (a stored filename resolves to its CID)."""
        return self.json("ipfs-kit/storage/exists", {"arg": cid_or_filename})

    def list_files(self):
        return self.json_lines("ipfs-kit/storage/ls")

    def delete(self, cid):
        return self.json("ipfs-kit/storage/rm", {"arg": cid})["Removed"]

    def pin(self, cid, timeout=None, replicas=None):
        """Pin `cid`; with `replicas` (N, or "MIN:MAX") the cluster also keeps that many live holders."""
        self.json("pin/add", {"arg": cid, "timeout": timeout, "replicas": replicas})

    def unpin(self, cid):
        self.json("pin/rm", {"arg": cid})

    def pins(self):
        return sorted(self.json("pin/ls", {"type": "recursive"})["Keys"])

    def find_providers(self, model, revision=None, timeout_ms=None):
        """Peers that hold a model by name (`org/name`): dicts with ID, Addrs, Root, Revision, Via."""
        return self.json_lines("ipfs-kit/models/providers", {"arg": model, "revision": revision, "timeout-ms": timeout_ms})

    def cache_key(self, model, input, params=None):
        body = json.dumps({"model": model, "input": input, "params": params}).encode("utf-8")
        return self.json("ipfs-kit/cache/key", body=body, headers={"Content-Type": "application/json"})["Key"]

    def cache_get(self, key):
        try:
            return self.call("ipfs-kit/cache/get", {"arg": key})
        except IPFSKitError as err:
            if err.status == 404:
                return None
            raise

    def cache_put(self, key, value, ttl=None):
        return self.upload("ipfs-kit/cache/put", {"arg": key, "ttl": ttl}, [value], "value")["Cid"]

    def cache_stats(self):
        return self.json("ipfs-kit/cache/stats")

    def replication_ls(self):
        """Replicated roots: dicts with cid, min, max, holders (peer ids), state (ok, under, over, repairing)."""
        return self.json("ipfs-kit/replication/ls")


def _param(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _multipart(boundary, filename, chunks):
    """One `file` part; urllib sends an iterable body with chunked transfer encoding."""
    quoted = urllib.parse.quote(filename)
    yield (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode("utf-8")
    for chunk in chunks:
        if chunk:
            yield chunk
    yield f"\r\n--{boundary}--\r\n".encode("utf-8")


def file_chunks(path, chunk_size=CHUNK):
    with open(os.fspath(path), "rb") as f:
        while True:
            chunk = f.read(chunk_size)
            if not chunk:
                return
            yield chunk
