"""Files are streamed both ways: a store and a retrieve_to of 64 MiB run in a fresh Python process
whose peak memory (ru_maxrss) stays far below the file's size, in both modes."""

import hashlib
import json
import subprocess
import sys

import pytest

from conftest import PACKAGE_DIR, TOKEN

SIZE = 64 * 1024 * 1024
PEAK_LIMIT = 48 * 1024 * 1024
"""Peak RSS allowed for the whole process: a held copy of the file alone would be 64 MiB."""

SCRIPT = r"""
import hashlib, json, os, resource, sys
sys.path.insert(0, sys.argv[1])
from ipfs_kit_client import IPFSKitStorage, Importer
cache_dir, size, api, token, out_path = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
piece = bytes(range(256)) * 4096  # 1 MiB
def pieces():
    left = size
    k = 0
    while left:
        n = min(left, len(piece))
        # every piece differs: no two chunks are the same block
        yield k.to_bytes(8, "big") + piece[8:n] if n >= 8 else piece[:n]
        left -= n
        k += 1
sent = hashlib.sha256()
importer = Importer()
def tee():
    for p in pieces():
        sent.update(p)
        importer.update(p)
        yield p
if api == "-":
    storage = IPFSKitStorage(cache_dir=cache_dir, force_fallback=True)
else:
    storage = IPFSKitStorage(cache_dir=cache_dir, config={"api": api, "api_token": token})
cid = storage.store(tee(), filename="big.bin", pin=True)
written = storage.retrieve_to(cid, out_path)
got = hashlib.sha256()
with open(written, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        got.update(block)
streamed = sum(len(p) for p in storage.stream(cid, offset=size - 5000, length=3000))
print(json.dumps({"cid": cid, "expected_cid": importer.finish(), "sent": sent.hexdigest(), "got": got.hexdigest(),
                  "size": os.path.getsize(written), "streamed": streamed, "fallback": storage.using_fallback,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


@pytest.mark.parametrize("via", ["fallback", "daemon"])
def test_a_large_file_is_stored_and_retrieved_in_bounded_memory(via, request, tmp_path):
    api = "-" if via == "fallback" else request.getfixturevalue("daemon").api
    out = tmp_path / "copy.bin"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(PACKAGE_DIR / "src"), str(tmp_path / "cache"), str(SIZE), api, TOKEN, str(out)],
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    assert result["fallback"] is (via == "fallback")
    assert result["cid"] == result["expected_cid"]
    assert result["size"] == SIZE
    assert result["got"] == result["sent"]
    assert result["streamed"] == 3000
    assert result["peak"] < PEAK_LIMIT, f"peak RSS {result['peak'] / 2**20:.0f} MiB"
    if via == "daemon":
        request.getfixturevalue("daemon").wipe()


def test_stream_ranges_match_the_bytes(make_storage):
    storage = make_storage()
    data = hashlib.sha256(b"x").digest() * 70000  # 2.1 MiB: three chunks
    cid = storage.store(iter([data[:1000], data[1000:]]))
    for offset, length in [(0, 10), (1024 * 1024 - 3, 7), (2 * 1024 * 1024, None), (len(data) - 1, 1), (5, 0)]:
        expected = data[offset:] if length is None else data[offset:offset + length]
        assert b"".join(storage.stream(cid, offset=offset, length=length)) == expected
        assert storage.retrieve(cid, offset=offset, length=length) == expected


def test_store_takes_a_binary_file_object_and_refuses_text(make_storage, tmp_path):
    storage = make_storage()
    path = tmp_path / "f.bin"
    path.write_bytes(b"from a file object")
    with open(path, "rb") as f:
        cid = storage.store(f, filename="f.bin")
    assert storage.retrieve(cid) == b"from a file object"
    with open(path, "r") as f, pytest.raises(TypeError, match="binary mode"):
        storage.store(f)
    with pytest.raises(TypeError, match="store\\(\\) takes"):
        storage.store(42)


def test_retrieve_to_and_named_reads(make_storage, tmp_path):
    storage = make_storage()
    cid = storage.store(b"v1", filename="models/config.json")
    newer = storage.store(b"v2", filename="models/config.json")
    assert storage.retrieve("models/config.json") == b"v2"
    assert storage.exists("models/config.json") is True
    assert storage.exists("models/other.json") is False
    assert storage.retrieve_to(cid, tmp_path / "out.json") == tmp_path / "out.json"
    assert (tmp_path / "out.json").read_bytes() == b"v1"
    assert storage.retrieve_to("never/stored.json", tmp_path / "missing.json") is None
    assert not (tmp_path / "missing.json").exists()
    assert [e["cid"] for e in storage.list_files("/models/")] and all(e["filename"].startswith("models/") for e in storage.list_files("models/"))
    assert {cid, newer} == {e["cid"] for e in storage.list_files("/models")}
