"""Where things are: cache_dir, the daemon's address and token, fallback forcing, durations."""

import os
import re
from pathlib import Path

from .rpc import DEFAULT_API

DEFAULT_PROBE_TIMEOUT = 2.0
"""Seconds the first call to the daemon may take before the storage falls back (nothing listening answers at once)."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def env_disabled():
    """`IPFS_KIT_DISABLE` set to 1, true or yes (the seed's switch, also the node's)."""
    return os.environ.get("IPFS_KIT_DISABLE", "").strip().lower() in ("1", "true", "yes")


def resolve_cache_dir(cache_dir=None):
    """explicit → IPFS_ACCELERATE_CACHE_DIR → IPFS_KIT_CACHE_DIR → $XDG_CACHE_HOME/ipfs_accelerate → ~/.cache/ipfs_accelerate (the node's order)."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    for name in ("IPFS_ACCELERATE_CACHE_DIR", "IPFS_KIT_CACHE_DIR"):
        value = os.environ.get(name)
        if value:
            return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "ipfs_accelerate"
    return Path.home() / ".cache" / "ipfs_accelerate"


def resolve_api(config):
    """config `api` / `api_endpoint` / `backends.ipfs.api_endpoint` (the seed's schema) → IPFS_KIT_API → http://127.0.0.1:5001."""
    value = config.get("api") or config.get("api_endpoint")
    if not value:
        value = ((config.get("backends") or {}).get("ipfs") or {}).get("api_endpoint")
    value = value or os.environ.get("IPFS_KIT_API") or DEFAULT_API
    if "://" not in value:
        value = "http://" + value
    return value.rstrip("/")


def resolve_token(config):
    return config.get("api_token") or os.environ.get("IPFS_KIT_API_TOKEN") or None


def seconds(duration):
    """A duration as seconds: a number (seconds) or the node's syntax ("500ms", "10s", "10m", "1h", "1d"; bare digits are ms)."""
    if duration is None:
        return None
    if isinstance(duration, bool):
        raise ValueError(f"not a duration: {duration!r}")
    if isinstance(duration, (int, float)):
        if duration < 0:
            raise ValueError(f"a duration cannot be negative: {duration}")
        return float(duration)
    match = _DURATION.match(str(duration))
    if match is None:
        raise ValueError(f"not a duration like 500ms, 10s, 10m or 1h: {duration!r}")
    return float(match.group(1)) * _UNITS[(match.group(2) or "ms").lower()]


def kubo_duration(duration):
    """A duration as the daemon's query parameters take it ("1500ms")."""
    value = seconds(duration)
    return None if value is None else f"{max(1, round(value * 1000))}ms"
