"""The seed's 27 tests (ipfs_accelerate_py test/test_ipfs_kit_integration.py @ 240f98c3), ported to
this package. Each runs twice (the `mode` fixture): in fallback mode, as the seed ran them, and
against a running daemon. Where a test asserted fallback state, daemon mode asserts the daemon's
values; where it read the seed's files (`<cache_dir>/<cid>.meta`), both modes read `list_files()`
and fallback mode also the file, which now lives in `<cache_dir>/fallback/`.
"""

import base64
from pathlib import Path

import pytest

import ipfs_kit_client
from conftest import ABSENT_TIMEOUT
from ipfs_kit_client import IPFSKitStorage, get_storage, is_cid, reset_storage

HELLO_CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
ABSENT_CID = "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve"


def assert_real_cidv1(cid, one_block):
    """The seed asserted `cid.startswith("bafy")`: its CIDs were "bafy" + sha256 hex, which no IPFS
    tool can parse. These are real CIDv1s (base32 "b", version 1): content of one 1 MiB chunk or less
    is a raw block ("bafk…"), larger content a dag-pb root ("bafy…")."""
    assert isinstance(cid, str)
    assert is_cid(cid)
    raw = base64.b32decode(cid[1:].upper() + "=" * (-len(cid[1:]) % 8))
    assert raw[0] == 1  # CIDv1
    assert cid.startswith("bafkrei" if one_block else "bafybei")


def entry_of(storage, cid):
    matches = [e for e in storage.list_files() if e["cid"] == cid]
    assert len(matches) == 1, matches
    return matches[0]


# 1. Initialization

def test_init_with_fallback(storage, mode, tmp_path):
    assert storage.using_fallback is (mode == "fallback")
    assert storage.cache_dir == tmp_path / "cache"
    assert storage.cache_dir.exists()


def test_init_with_env_disable(make_storage, monkeypatch):
    # in daemon mode a daemon answers at IPFS_KIT_API, and IPFS_KIT_DISABLE still wins
    monkeypatch.setenv("IPFS_KIT_DISABLE", "1")
    storage = make_storage(force_fallback=False)
    assert storage.force_fallback is True
    assert storage.using_fallback is True


def test_cache_dir_creation(make_storage, tmp_path):
    nested = tmp_path / "a" / "b" / "c"
    storage = make_storage(cache_dir=nested)
    assert nested.is_dir()
    assert storage.cache_dir == nested


def test_default_cache_dir(make_storage, mode):
    # HEAD's version: IPFS_ACCELERATE_CACHE_DIR, IPFS_KIT_CACHE_DIR and XDG_CACHE_HOME cleared (conftest); HOME is a temp dir
    storage = make_storage(cache_dir=None)
    assert storage.cache_dir == Path.home() / ".cache" / "ipfs_accelerate"
    assert storage.cache_dir.is_dir()


# 2. Storage operations

def test_store_bytes(storage):
    cid = storage.store(b"hello world")
    assert_real_cidv1(cid, one_block=True)
    assert cid == HELLO_CID  # what `ipfs add --cid-version 1 --raw-leaves` gives these 11 bytes
    assert storage.exists(cid)


def test_store_string(storage):
    cid = storage.store("héllo wörld")
    assert storage.retrieve(cid) == "héllo wörld".encode("utf-8")


def test_store_file(storage, tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x00\x01weights" * 1000)
    cid = storage.store(path)
    assert storage.retrieve(cid) == path.read_bytes()
    assert entry_of(storage, cid)["filename"] == "model.bin"


def test_retrieve_nonexistent(make_storage):
    storage = make_storage(config={"retrieve_timeout": ABSENT_TIMEOUT})
    assert storage.retrieve("nonexistent_cid") is None
    # a real CID nobody stored: the daemon asks peers for ABSENT_TIMEOUT (config retrieve_timeout), then None
    assert storage.retrieve(ABSENT_CID) is None


def test_store_with_metadata(storage, mode):
    cid = storage.store(b"with metadata", filename="meta.txt")
    entry = entry_of(storage, cid)
    assert entry["filename"] == "meta.txt"
    assert entry["fallback"] is (mode == "fallback")
    if mode == "fallback":
        import json
        meta = json.loads((storage.fallback_dir / f"{cid}.meta").read_text())
        assert meta["filename"] == "meta.txt"
        assert meta["fallback"] is True


# 3. Content addressing

def test_deterministic_cid(storage):
    assert storage.store(b"same bytes", filename="a.txt") == storage.store(b"same bytes", filename="b.txt")


def test_different_content_different_cid(storage):
    assert storage.store(b"content one") != storage.store(b"content two")


# 4. Pinning

def test_pin_content(storage):
    cid = storage.store(b"pin me")
    assert entry_of(storage, cid)["pinned"] is False
    assert storage.pin(cid) is True
    assert entry_of(storage, cid)["pinned"] is True


def test_unpin_content(storage):
    cid = storage.store(b"unpin me", pin=True)
    assert entry_of(storage, cid)["pinned"] is True
    assert storage.unpin(cid) is True
    assert entry_of(storage, cid)["pinned"] is False


# 5. Listing

def test_list_empty(storage):
    assert storage.list_files() == []


def test_list_files(storage):
    first = storage.store(b"file one", filename="one.txt")
    second = storage.store(b"file two", filename="two.txt", pin=True)
    files = storage.list_files()
    assert len(files) == 2
    assert all(isinstance(f, dict) for f in files)
    assert {f["cid"] for f in files} == {first, second}
    entry = entry_of(storage, second)
    assert entry["filename"] == "two.txt"
    assert entry["pinned"] is True
    assert set(entry) == {"cid", "filename", "size", "modified", "pinned", "fallback"}
    assert entry["size"] == 8


# 6. Deletion

def test_delete_existing(storage):
    cid = storage.store(b"delete me")
    assert storage.delete(cid) is True
    assert not storage.exists(cid)


def test_delete_nonexistent(storage):
    assert storage.delete(ABSENT_CID) is False
    assert storage.delete("nonexistent_cid") is False


def test_delete_removes_metadata(storage, mode):
    cid = storage.store(b"delete my metadata", filename="gone.txt")
    assert storage.delete(cid) is True
    assert [e for e in storage.list_files() if e["cid"] == cid] == []
    if mode == "fallback":
        assert not (storage.fallback_dir / f"{cid}.meta").exists()


# 7. Backend status

def test_backend_status_fallback(storage, mode, tmp_path):
    status = storage.get_backend_status()
    assert isinstance(status, dict)
    assert {"ipfs_kit_available", "using_fallback", "cache_dir", "backends"} <= set(status)
    assert status["backends"]["local"] is True
    if mode == "fallback":
        assert status["ipfs_kit_available"] is False
        assert status["using_fallback"] is True
        assert status["backends"]["ipfs"] is False
        assert status["cache_dir"] == str(tmp_path / "cache")
    else:
        assert status["ipfs_kit_available"] is True
        assert status["using_fallback"] is False
        assert status["backends"]["ipfs"] is True  # the daemon runs libp2p
        assert status["fallback_files"] == 0


def test_is_available(storage, mode):
    assert storage.is_available() is (mode == "daemon")


# 8. Singleton

def test_get_storage_singleton(make_storage, mode, tmp_path):
    first = get_storage(cache_dir=tmp_path / "cache", force_fallback=(mode == "fallback"))
    second = get_storage(cache_dir=tmp_path / "other")
    assert first is second
    assert first.using_fallback is (mode == "fallback")


def test_reset_storage(mode, tmp_path):
    first = get_storage(cache_dir=tmp_path / "cache", force_fallback=(mode == "fallback"))
    reset_storage()
    second = get_storage(cache_dir=tmp_path / "cache", force_fallback=(mode == "fallback"))
    assert first is not second
    assert isinstance(second, IPFSKitStorage)


# 9. Errors

def test_store_invalid_path(storage, tmp_path):
    with pytest.raises(FileNotFoundError):
        storage.store(tmp_path / "does" / "not" / "exist.bin")
    assert storage.list_files() == []


def test_retrieve_after_manual_deletion(make_storage, mode, daemon_if_daemon_mode):
    storage = make_storage(config={"retrieve_timeout": ABSENT_TIMEOUT})
    cid = storage.store(b"deleted behind our back")
    if mode == "fallback":
        (storage.fallback_dir / cid).unlink()
    else:
        # the block file itself, removed from the node's data directory (Kubo's flatfs layout)
        key = base64.b32encode(base64.b32decode(cid[1:].upper() + "=" * (-len(cid[1:]) % 8))[2:]).decode().rstrip("=")
        files = list((daemon_if_daemon_mode.data_dir / "blocks").glob(f"*/{key}.data"))
        assert len(files) == 1, files
        files[0].unlink()
    assert storage.retrieve(cid) is None


# 10. Availability

def test_fallback_when_import_fails(make_storage, mode):
    # not forced: fallback mode because nothing answers at IPFS_KIT_API (a closed port), daemon mode because the daemon does
    storage = make_storage(enable_ipfs_kit=True, force_fallback=False)
    assert isinstance(storage.using_fallback, bool)
    assert storage.using_fallback is (mode == "fallback")
    cid = storage.store(b"works either way")
    assert storage.exists(cid)


# 11. Config

def test_custom_config(make_storage):
    config = {"retrieve_timeout": "5s", "probe_timeout": 3, "custom": {"nested": [1, 2]}, "cache_eviction_policy": "lru"}
    storage = make_storage(config=config)
    assert storage.config == config


def test_no_config(make_storage, mode):
    storage = ipfs_kit_client.IPFSKitStorage(cache_dir=make_storage().cache_dir, force_fallback=(mode == "fallback"))
    assert storage.config == {}
    assert storage.using_fallback is (mode == "fallback")
