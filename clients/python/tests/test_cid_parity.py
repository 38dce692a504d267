"""Same bytes, same CID: the pure-Python importer against the node.

Files up to a few MiB go through the running daemon and the fallback store (and one through
`ipfs-kit add`, through the daemon). The file just past 1024 chunks (1 GiB + 17 bytes, a second tree level)
is a generated stream: pushing 1 GiB through a daemon costs ~5 CPU-seconds on the CI machine, so
the node's side runs its own importer module (dist/src/unixfs, what `add` runs) on the same
generated stream with its writes dropped (tests/node_importer.mjs), and the Python side builds the
tree from the chunks' CIDs with `FileBuilder`, hashing only the 6 distinct chunks: neither holds
the file, and the Python side never reads it. The same script checks deeper trees with small
chunks and fanout (4 links per node, up to 4 levels) against the node's importer.
"""

import hashlib
import json
import subprocess

import pytest

from conftest import REPO, cli, node_binary
from ipfs_kit_client import CHUNK_SIZE, FileBuilder, Importer, IPFSKitStorage, cid_of
from ipfs_kit_client.cid import RAW, cid_bytes

MIB = 1024 * 1024
SIZES = [0, 11, MIB - 1, MIB, MIB + 1, 3 * MIB + 17]


def pattern(size):
    """Byte i is (7i + 3) mod 256 (node_importer.mjs makes the same bytes)."""
    period = bytes((i * 7 + 3) % 256 for i in range(256))
    return (period * (size // 256 + 1))[:size]


@pytest.fixture(scope="module")
def node_cids():
    """The node importer's CIDs for the generated cases (one node process for all of them)."""
    done = subprocess.run([node_binary(), str(REPO / "clients/python/tests/node_importer.mjs"), str(REPO)],
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.mark.parametrize("size", SIZES)
def test_small_files_match_the_daemon_and_the_fallback_store(size, daemon, tmp_path):
    data = pattern(size)
    python_cid = cid_of(data)
    daemon_storage = IPFSKitStorage(cache_dir=tmp_path / "d", config={"api": daemon.api, "api_token": daemon.client.token})
    assert daemon_storage.using_fallback is False
    fallback_storage = IPFSKitStorage(cache_dir=tmp_path / "f", force_fallback=True)
    assert daemon_storage.store(data) == python_cid
    assert fallback_storage.store(data) == python_cid
    # one chunk or less is a raw leaf, more a dag-pb root
    assert python_cid.startswith("bafkrei" if size <= MIB else "bafybei")


def test_ipfs_kit_add_gives_the_fallback_cid(daemon, tmp_path):
    data = pattern(3 * MIB + 17)
    path = tmp_path / "weights.bin"
    path.write_bytes(data)
    fallback_cid = IPFSKitStorage(cache_dir=tmp_path / "f", force_fallback=True).store(path)
    # the CLI on the daemon's data directory: it goes through the daemon (its control socket)
    done = cli("add", str(path), "--data-dir", str(daemon.data_dir), "--json")
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["cid"] == fallback_cid


def test_importer_pieces_do_not_change_the_cid():
    data = pattern(3 * MIB + 17)
    whole = cid_of(data)
    for step in (1, 4096, MIB - 7, MIB, MIB + 3, 2 * MIB + 1):
        importer = Importer()
        for at in range(0, len(data), step) if step > 1 else [0]:
            importer.update(data[at:at + step] if step > 1 else data)
        assert importer.finish() == whole, step


@pytest.mark.parametrize("size", [0, 1, 16, 17, 64, 65, 257, 1029])
def test_deep_trees_match_the_node_importer(size, node_cids):
    importer = Importer(chunk_size=16, max_children=4)
    importer.update(pattern(size))
    assert importer.finish() == node_cids["small"][str(size)]


def long_chunk(k, common):
    """Chunk k of the 1025-chunk stream (node_importer.mjs's longChunk): four distinct chunks around
    the ends of the first 1024, the rest one common chunk, so a misplaced link changes the root."""
    if k not in (0, 1, 1022, 1023):
        return common
    return hashlib.sha256(str(k).encode()).digest() * (CHUNK_SIZE // 32)


def test_one_past_1024_chunks_matches_the_node_importer(node_cids):
    common = bytes(i % 251 for i in range(CHUNK_SIZE))
    common_cid = cid_bytes(RAW, hashlib.sha256(common).digest())
    tail = b"seventeen bytes!!"
    tree = FileBuilder()
    for k in range(1024):
        chunk = long_chunk(k, common)
        tree.add_leaf(common_cid if chunk is common else cid_bytes(RAW, hashlib.sha256(chunk).digest()), len(chunk))
    tree.add_leaf(cid_bytes(RAW, hashlib.sha256(tail).digest()), len(tail))
    assert tree.size == node_cids["long"]["size"] == 1024 * MIB + 17
    assert tree.finish() == node_cids["long"]["cid"]
    assert node_cids["long"]["cid"].startswith("bafybei")
