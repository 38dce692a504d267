"""What store() accepts, as an iterable of bytes pieces read 1 MiB at a time."""

import io
import os

from .rpc import CHUNK


def chunks_of(data):
    """The pieces of a store() input; a path is opened here, so a missing file fails before anything is sent."""
    if isinstance(data, str):
        return [data.encode("utf-8")]
    if isinstance(data, (bytes, bytearray, memoryview)):
        return [bytes(data)] if not isinstance(data, bytes) else [data]
    if isinstance(data, os.PathLike):
        return _read_file(open(os.fspath(data), "rb"))
    if isinstance(data, io.IOBase) or hasattr(data, "read"):
        return _read_file(data, close=False)
    if hasattr(data, "__iter__"):
        return _checked(data)
    raise TypeError(f"store() takes bytes, str, a path, a binary file or an iterable of bytes, not {type(data).__name__}")


def _read_file(f, close=True):
    try:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                return
            if isinstance(chunk, str):
                raise TypeError("store() needs a file opened in binary mode ('rb')")
            yield chunk
    finally:
        if close:
            f.close()


def _checked(pieces):
    for piece in pieces:
        if not isinstance(piece, (bytes, bytearray, memoryview)):
            raise TypeError(f"store() iterables must yield bytes, not {type(piece).__name__}")
        yield piece
