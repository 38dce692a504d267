"""Named exceptions. A daemon error carries the HTTP status and Kubo's ``Message`` unchanged."""


class IPFSKitError(Exception):
    """A call the daemon refused or failed: `status` is the HTTP status (None when no answer came), `message` Kubo's `Message`."""

    def __init__(self, status, message):
        super().__init__(f"{status}: {message}" if status is not None else message)
        self.status = status
        self.message = message


class IPFSKitBadRequestError(IPFSKitError):
    """400: the daemon refused an argument (a malformed CID, a key too long, an unknown option)."""


class IPFSKitAuthError(IPFSKitError):
    """401: a missing or wrong API token (`IPFS_KIT_API_TOKEN`, config `api_token`)."""


class IPFSKitForbiddenError(IPFSKitError):
    """403: the daemon does not allow this call (a path outside `api.allowed_paths`, a cross-origin request)."""


class IPFSKitNotFoundError(IPFSKitError):
    """404: an unknown command (a daemon older than this package) or a missing entry."""


class IPFSKitTooLargeError(IPFSKitError):
    """413: a body over the daemon's limit."""


class IPFSKitBusyError(IPFSKitError):
    """429 or 503: too many requests at once, or the daemon is stopping; retry later."""


class IPFSKitTimeoutError(IPFSKitError):
    """504: peers did not send the content within the deadline (`retrieve_timeout`, Kubo's `?timeout=`)."""


class IPFSKitConnectionError(IPFSKitError):
    """No answer from the daemon at `api` (not running, wrong address, cut connection)."""

    def __init__(self, api, reason):
        super().__init__(None, f"no ipfs-kit daemon answered at {api}: {reason}")
        self.api = api


class IPFSKitCorruptContentError(IPFSKitError):
    """Bytes in the fallback store no longer hash to their CID (changed on disk); they were not returned."""

    def __init__(self, cid, actual):
        super().__init__(None, f"the fallback copy of {cid} hashes to {actual}: it was changed on disk; delete() it and store it again")
        self.cid = cid


_BY_STATUS = {
    400: IPFSKitBadRequestError,
    401: IPFSKitAuthError,
    403: IPFSKitForbiddenError,
    404: IPFSKitNotFoundError,
    413: IPFSKitTooLargeError,
    429: IPFSKitBusyError,
    503: IPFSKitBusyError,
    504: IPFSKitTimeoutError,
}


def error_for(status, message):
    """The named exception for an HTTP status (IPFSKitError itself for the others, such as 500)."""
    return _BY_STATUS.get(status, IPFSKitError)(status, message)
