"""Errors: a daemon error is a named exception carrying Kubo's message and the HTTP status; a
daemon that went away is IPFSKitConnectionError; fallback bytes changed on disk are refused."""

import pytest

from conftest import ABSENT_TIMEOUT, closed_port_url
from ipfs_kit_client import (IPFSKitBadRequestError, IPFSKitClient, IPFSKitConnectionError, IPFSKitCorruptContentError,
                             IPFSKitError, IPFSKitNotFoundError, IPFSKitStorage)


@pytest.fixture
def daemon_storage(daemon, tmp_path):
    return IPFSKitStorage(cache_dir=tmp_path, config={"api": daemon.api, "api_token": daemon.client.token, "retrieve_timeout": ABSENT_TIMEOUT})


def test_daemon_refusals_are_named_exceptions_with_kubos_message(daemon_storage):
    with pytest.raises(IPFSKitBadRequestError) as caught:
        daemon_storage.cache_put("k" * 1025, b"x")
    assert caught.value.status == 400
    assert "CACHE_MAX_KEY_BYTES" in caught.value.message
    assert isinstance(caught.value, IPFSKitError)
    with pytest.raises(IPFSKitBadRequestError, match="not a valid CID|Non-base32|invalid"):
        list(daemon_storage.ipfs_kit_client.cat("not-a-cid"))
    with pytest.raises(IPFSKitBadRequestError, match="ttl must be a duration"):
        daemon_storage.ipfs_kit_client.cache_put("key", b"x", ttl="forever")


def test_an_unknown_command_is_IPFSKitNotFoundError(daemon_storage):
    with pytest.raises(IPFSKitNotFoundError, match="unknown command: /api/v0/ipfs-kit/nothing"):
        daemon_storage.ipfs_kit_client.json("ipfs-kit/nothing")


def test_content_no_peer_has_is_None_or_IPFSKitNotFoundError(daemon_storage):
    absent = "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve"
    assert daemon_storage.retrieve(absent) is None
    with pytest.raises(IPFSKitNotFoundError):
        list(daemon_storage.stream(absent))
    assert daemon_storage.pin(absent) is False


def test_a_daemon_that_is_gone_is_IPFSKitConnectionError(tmp_path):
    api = closed_port_url()
    with pytest.raises(IPFSKitConnectionError, match=f"no ipfs-kit daemon answered at {api}"):
        IPFSKitClient(api).status()
    storage = IPFSKitStorage(cache_dir=tmp_path, ipfs_kit_client=IPFSKitClient(api))
    assert storage.using_fallback is True  # nothing answered when it was created


def test_fallback_bytes_changed_on_disk_are_refused(tmp_path):
    storage = IPFSKitStorage(cache_dir=tmp_path, force_fallback=True)
    cid = storage.store(b"original bytes")
    (storage.fallback_dir / cid).write_bytes(b"tampered bytes")
    with pytest.raises(IPFSKitCorruptContentError, match="changed on disk"):
        storage.retrieve(cid)
    with pytest.raises(IPFSKitCorruptContentError):
        storage.retrieve_to(cid, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_path_outside_the_base32_alphabet_never_reaches_the_filesystem(tmp_path):
    storage = IPFSKitStorage(cache_dir=tmp_path / "cache", force_fallback=True)
    (tmp_path / "secret").write_bytes(b"secret")
    assert storage.retrieve("../../secret") is None
    assert storage.exists("../../secret") is False
    assert storage.delete("../../secret") is False
    assert (tmp_path / "secret").exists()
