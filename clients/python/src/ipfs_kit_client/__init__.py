"""ipfs-kit from Python: the seed's `IPFSKitStorage`, over an ipfs-kit daemon or, without one, a local fallback store with the same CIDs.

    from ipfs_kit_client import get_storage

    storage = get_storage()                       # a daemon at IPFS_KIT_API (default http://127.0.0.1:5001), else fallback
    cid = storage.store(b"hello world")           # bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e either way
    assert storage.retrieve(cid) == b"hello world"

Standard library only.
"""

from .cache_key import cache_key
from .cid import is_cid, parse_cid
from .errors import (IPFSKitAuthError, IPFSKitBadRequestError, IPFSKitBusyError, IPFSKitConnectionError,
                     IPFSKitCorruptContentError, IPFSKitError, IPFSKitForbiddenError, IPFSKitNotFoundError,
                     IPFSKitTimeoutError, IPFSKitTooLargeError)
from .rpc import IPFSKitClient
from .singleton import get_storage, reset_storage
from .storage import IPFSKitStorage
from .unixfs import CHUNK_SIZE, MAX_CHILDREN, FileBuilder, Importer, cid_of

__version__ = "0.1.0"

__all__ = [
    "IPFSKitStorage", "get_storage", "reset_storage", "IPFSKitClient",
    "cid_of", "Importer", "FileBuilder", "CHUNK_SIZE", "MAX_CHILDREN", "cache_key", "is_cid", "parse_cid",
    "IPFSKitError", "IPFSKitBadRequestError", "IPFSKitAuthError", "IPFSKitForbiddenError", "IPFSKitNotFoundError",
    "IPFSKitTooLargeError", "IPFSKitBusyError", "IPFSKitTimeoutError", "IPFSKitConnectionError", "IPFSKitCorruptContentError",
]
