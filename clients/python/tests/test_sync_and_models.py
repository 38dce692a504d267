"""sync_fallback() moves what fallback mode stored onto the node (same CIDs, filenames and pins,
live cache entries); find_providers asks the node for a model's providers by name."""

import pytest

from conftest import TOKEN
from ipfs_kit_client import IPFSKitBadRequestError, IPFSKitError, IPFSKitStorage


def test_sync_fallback_adds_files_pins_and_cache_entries_to_the_daemon(daemon, monkeypatch, tmp_path):
    daemon.wipe()
    storage = IPFSKitStorage(cache_dir=tmp_path)  # nothing at IPFS_KIT_API yet
    assert storage.using_fallback is True
    big = bytes(range(256)) * 4096 * 3 + b"tail"  # 3 MiB + 4: a dag-pb root
    pinned = storage.store(big, filename="weights.bin", pin=True)
    loose = storage.store(b"loose", filename="notes/loose.txt")
    storage.cache_put("py:sync", b"cached offline", ttl="1h")
    offline = {e["cid"]: e for e in storage.list_files()}

    monkeypatch.setenv("IPFS_KIT_API", daemon.api)
    monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    assert sorted(storage.sync_fallback()) == sorted([pinned, loose])

    assert storage.using_fallback is False
    online = {e["cid"]: e for e in storage.list_files()}
    assert set(online) == {pinned, loose}
    for cid in online:
        assert online[cid]["filename"] == offline[cid]["filename"]
        assert online[cid]["pinned"] == offline[cid]["pinned"]
        assert online[cid]["fallback"] is False
    assert daemon.client.pins() == [pinned]
    assert storage.retrieve(pinned) == big
    assert storage.cache_get("py:sync") == b"cached offline"
    assert list(storage.fallback_dir.iterdir()) in ([], [storage.fallback_dir / "cache"])
    assert storage.sync_fallback() == []


def test_sync_fallback_refuses_a_forced_fallback(tmp_path):
    storage = IPFSKitStorage(cache_dir=tmp_path, force_fallback=True)
    with pytest.raises(IPFSKitError, match="force_fallback"):
        storage.sync_fallback()


def test_find_providers_asks_the_daemon(daemon, tmp_path):
    # a node does not list itself: the answer with a real provider (a second daemon that published
    # the model) is checked by test/http/python-client.spec.ts, which runs this package too
    storage = IPFSKitStorage(cache_dir=tmp_path / "c", config={"api": daemon.api, "api_token": TOKEN})
    assert storage.find_providers("acme/nobody-has-this", timeout_ms=500) == []
    with pytest.raises(IPFSKitBadRequestError, match="model name"):
        storage.find_providers("not a model name")
    assert IPFSKitStorage(cache_dir=tmp_path / "c", force_fallback=True).find_providers("acme/tiny") == []
