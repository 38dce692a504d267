"""`store(..., backends=[...])`: the seed's multi-backend routing mapped onto the daemon's
`ipfs-kit/storage/store`. A backend that fails is logged, not raised; an unknown name is refused.
The s3 case runs a daemon whose cold tier is an s3rver bucket, and looks in the bucket itself."""

import logging
import os

import pytest

from conftest import TOKEN
from ipfs_kit_client import IPFSKitBadRequestError, IPFSKitStorage


def test_backends_local_stores_without_failures_and_an_unknown_name_is_refused(storage, mode, caplog):
    caplog.set_level(logging.WARNING, logger="ipfs_kit_client")
    data = b"stored on the local disk only\n"
    cid = storage.store(data, filename="local.txt", backends=["local"])
    assert storage.retrieve(cid) == data
    assert [r for r in caplog.records if "backend" in r.getMessage()] == []
    with pytest.raises(IPFSKitBadRequestError, match='backends must be a list of local, ipfs, s3, got "local,tape"'):
        storage.store(b"x", backends=["local", "tape"])


def test_a_backend_the_node_cannot_use_is_logged_and_the_content_still_stored(storage, mode, caplog):
    caplog.set_level(logging.WARNING, logger="ipfs_kit_client")
    data = os.urandom(3000)
    cid = storage.store(data, backends=["local", "s3"])
    assert storage.retrieve(cid) == data
    [warning] = [r.getMessage() for r in caplog.records if "backend s3" in r.getMessage()]
    # the daemon names the error (s3 not enabled on this node); fallback mode has no daemon at all
    assert f"storing {cid} on backend s3 failed: " in warning
    assert ("BackendDisabledError" if mode == "daemon" else "fallback mode") in warning


def test_the_daemon_refuses_an_unknown_backend_itself(daemon):
    # past the package's own check: the RPC parameter is validated by the node
    with pytest.raises(IPFSKitBadRequestError, match="backends must be a list of local, ipfs, s3") as caught:
        daemon.client.store([b"x"], backends=["tape"])
    assert caught.value.status == 400


def test_backends_s3_puts_the_content_in_the_bucket_and_frees_the_local_disk(s3_daemon, tmp_path, caplog):
    node, server = s3_daemon
    caplog.set_level(logging.WARNING, logger="ipfs_kit_client")
    storage = IPFSKitStorage(cache_dir=tmp_path, config={"api": node.api, "api_token": TOKEN})
    assert storage.is_available()
    assert server.object_keys("kit/packs/") == []

    local = os.urandom(1024 * 1024 + 7)
    local_cid = storage.store(local, backends=["local"])
    assert server.object_keys("kit/packs/") == []  # local alone: nothing uploaded
    on_disk = node.client.status()["repo"]["bytes"]
    assert on_disk > len(local)

    cold = os.urandom(2 * 1024 * 1024 + 11)
    cold_cid = storage.store(cold, filename="cold.bin", backends=["s3"])
    status = node.client.status()
    assert status["repo"]["bytes"] == on_disk  # nothing of it left on the local disk
    assert status["tiers"]["cold"]["blocks"] == 4  # three 1 MiB leaves and the root, packed
    assert len(server.object_keys("kit/packs/")) >= 2 and len(server.object_keys("kit/index/")) == len(server.object_keys("kit/packs/"))
    assert [r for r in caplog.records if "backend" in r.getMessage()] == []
    # read back from the bucket, every block hashed against its CID
    assert storage.retrieve(cold_cid) == cold
    assert storage.retrieve(local_cid) == local
