"""The seed's module-level singleton: `get_storage()` / `reset_storage()`."""

import threading

from .storage import IPFSKitStorage

_singleton = None
_singleton_lock = threading.Lock()


def get_storage(enable_ipfs_kit=True, cache_dir=None, config=None, force_fallback=False, *, deps=None, storage_instance=None, ipfs_kit_client=None):
    """The process's one storage, created by the first call (later calls' arguments are ignored, as in the seed)."""
    global _singleton
    with _singleton_lock:
        if storage_instance is not None:
            _singleton = storage_instance
        elif _singleton is None:
            _singleton = IPFSKitStorage(enable_ipfs_kit, cache_dir, config, force_fallback, ipfs_kit_client=ipfs_kit_client)
        return _singleton


def reset_storage(*, deps=None):
    """Forget the singleton: the next get_storage() creates a new storage (and chooses its mode again)."""
    global _singleton
    with _singleton_lock:
        _singleton = None
