"""The inference cache (seed example 2) in both modes; the fallback's key is the daemon's."""

import time

from ipfs_kit_client import IPFSKitStorage, cache_key, cid_of

REQUEST = {"model": "acme/sentiment", "input": {"text": "great movie ✓", "tokens": [1, 2.5, -0.0, 1e21, 1e-7]},
           "params": {"temperature": 0, "top_p": 0.9, "stop": None, "z": True, "a": "first"}}


def test_cached_inference_computes_once_per_request(storage):
    calls = []

    def infer(text):
        calls.append(text)
        return {"label": "positive", "input": text}

    first = storage.cached_inference("acme/sentiment", "great movie", infer, params={"temperature": 0}, ttl="1h")
    second = storage.cached_inference("acme/sentiment", "great movie", infer, params={"temperature": 0}, ttl="1h")
    other = storage.cached_inference("acme/sentiment", "great movie", infer, params={"temperature": 1})
    assert first == second == other == {"label": "positive", "input": "great movie"}
    assert calls == ["great movie", "great movie"]  # temperature 0 computed, then hit; temperature 1 computed


def test_cache_put_get_returns_the_value_cid(storage):
    assert storage.cache_put("py:answer", "forty-two", ttl=600) == cid_of(b"forty-two")
    assert storage.cache_get("py:answer") == b"forty-two"
    assert storage.cache_get("py:never-stored") is None


def test_the_fallback_key_is_the_daemons_for_a_model_it_does_not_hold(daemon_if_daemon_mode, storage, mode):
    key = storage.cache_key(REQUEST["model"], REQUEST["input"], REQUEST["params"])
    assert key.startswith("sha256:")
    # computed here without a daemon; in daemon mode `key` is the daemon's own (ipfs-kit/cache/key)
    assert cache_key(REQUEST["model"], REQUEST["input"], REQUEST["params"]) == key
    assert storage.cache_key("acme/sentiment", "x", {"temperature": 1}) != storage.cache_key("acme/sentiment", "x", {"temperature": 0})


def test_an_expired_fallback_entry_is_never_served(tmp_path):
    # fallback store only: the daemon's TTLs are tested with the node (test/cache)
    storage = IPFSKitStorage(cache_dir=tmp_path, force_fallback=True)
    storage.cache_put("short", b"value", ttl="200ms")
    assert storage.cache_get("short") == b"value"
    time.sleep(0.3)
    assert storage.cache_get("short") is None
    assert list(storage.fallback_dir.glob("cache/*")) == []


def test_a_tampered_fallback_value_is_a_miss(tmp_path):
    storage = IPFSKitStorage(cache_dir=tmp_path, force_fallback=True)
    storage.cache_put("k", b"value")
    [value] = storage.fallback_dir.glob("cache/*.value")
    value.write_bytes(b"other")
    assert storage.cache_get("k") is None
