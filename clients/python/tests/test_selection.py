"""Which backend a storage uses, and the singleton: config, IPFS_KIT_API, IPFS_KIT_API_TOKEN,
IPFS_KIT_DISABLE, force_fallback, enable_ipfs_kit; a daemon that refuses our token is an error,
not a reason to fall back."""

import pytest

from conftest import TOKEN, closed_port_url
from ipfs_kit_client import IPFSKitAuthError, IPFSKitStorage, cid_of, get_storage, reset_storage
from ipfs_kit_client.settings import resolve_api


def test_the_daemon_is_found_through_IPFS_KIT_API_and_its_token(daemon, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFS_KIT_API", daemon.api)
    monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    storage = IPFSKitStorage(cache_dir=tmp_path)
    assert storage.using_fallback is False
    assert storage.get_backend_status()["peer_id"] == daemon.info["peerId"]
    assert storage.ipfs_kit_client.api == daemon.api


@pytest.mark.parametrize("value", ["1", "true", "yes", "TRUE"])
def test_IPFS_KIT_DISABLE_keeps_a_reachable_daemon_unused(value, daemon, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFS_KIT_API", daemon.api)
    monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    monkeypatch.setenv("IPFS_KIT_DISABLE", value)
    storage = IPFSKitStorage(cache_dir=tmp_path)
    assert storage.using_fallback is True
    assert storage.ipfs_kit_client is None


def test_IPFS_KIT_DISABLE_0_does_not_disable(daemon, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFS_KIT_API", daemon.api)
    monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    monkeypatch.setenv("IPFS_KIT_DISABLE", "0")
    assert IPFSKitStorage(cache_dir=tmp_path).using_fallback is False


def test_force_fallback_and_enable_ipfs_kit_false_keep_the_daemon_unused(daemon, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFS_KIT_API", daemon.api)
    monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    assert IPFSKitStorage(cache_dir=tmp_path, force_fallback=True).using_fallback is True
    assert IPFSKitStorage(cache_dir=tmp_path, enable_ipfs_kit=False).using_fallback is True


def test_config_wins_over_the_environment(daemon, tmp_path):
    # IPFS_KIT_API points at a closed port (conftest); config names the daemon, in the seed's schema too
    assert IPFSKitStorage(cache_dir=tmp_path, config={"api": daemon.api, "api_token": TOKEN}).using_fallback is False
    seed_schema = {"backends": {"ipfs": {"api_endpoint": daemon.api}}, "api_token": TOKEN}
    assert IPFSKitStorage(cache_dir=tmp_path, config=seed_schema).using_fallback is False


def test_no_daemon_means_fallback(tmp_path):
    storage = IPFSKitStorage(cache_dir=tmp_path, config={"api": closed_port_url()})
    assert storage.using_fallback is True
    cid = storage.store(b"offline")
    assert cid == cid_of(b"offline")
    assert storage.exists(cid)
    assert (storage.fallback_dir / cid).read_bytes() == b"offline"


def test_address_defaults_and_forms(monkeypatch):
    monkeypatch.delenv("IPFS_KIT_API")
    assert resolve_api({}) == "http://127.0.0.1:5001"
    monkeypatch.setenv("IPFS_KIT_API", "10.0.0.5:5001")
    assert resolve_api({}) == "http://10.0.0.5:5001"
    assert resolve_api({"api_endpoint": "http://localhost:5002/"}) == "http://localhost:5002"


def test_a_wrong_token_is_an_error_not_a_fallback(daemon, tmp_path):
    with pytest.raises(IPFSKitAuthError) as caught:
        IPFSKitStorage(cache_dir=tmp_path, config={"api": daemon.api, "api_token": "wrong-token-of-enough-length"})
    assert caught.value.status == 401
    assert caught.value.message == "wrong API token"
    with pytest.raises(IPFSKitAuthError, match="Authorization: Bearer"):
        IPFSKitStorage(cache_dir=tmp_path, config={"api": daemon.api})


def test_the_singleton_keeps_its_first_mode_until_reset(daemon, monkeypatch, tmp_path):
    first = get_storage(cache_dir=tmp_path)
    assert first.using_fallback is True  # nothing at IPFS_KIT_API
    monkeypatch.setenv("IPFS_KIT_API", daemon.api)
    monkeypatch.setenv("IPFS_KIT_API_TOKEN", TOKEN)
    assert get_storage(cache_dir=tmp_path) is first
    reset_storage()
    second = get_storage(cache_dir=tmp_path)
    assert second is not first
    assert second.using_fallback is False
    injected = IPFSKitStorage(cache_dir=tmp_path, force_fallback=True)
    assert get_storage(storage_instance=injected) is injected
    assert get_storage() is injected
