"""A pure-Python UnixFS file importer for the node's one profile, Kubo's ``unixfs-v1-2025``.

1 MiB fixed chunks, raw leaves, CIDv1 (sha2-256), a balanced DAG of at most
1024 links per node, and a file of one chunk (or none) reduced to its raw leaf:
the same bytes give the same CID here, in the node (src/unixfs/importer.ts) and
in Kubo with that profile. Memory stays bounded whatever the size: one chunk
buffer plus at most 1024 links per level of the tree.

    importer = Importer()
    for piece in pieces:
        importer.update(piece)
    cid = importer.finish()

`FileBuilder` is the tree alone, fed with leaf CIDs: it builds the DAG of a
file whose chunks were hashed elsewhere (or are known without reading them).
"""

import hashlib

from .cid import DAG_PB, RAW, cid_bytes, cid_string, varint

CHUNK_SIZE = 1024 * 1024
"""Bytes per leaf (the profile's fixed-size chunker, ``size-1048576``)."""

MAX_CHILDREN = 1024
"""Links per node of the balanced layout."""


class _Node:
    __slots__ = ("cid", "file_size", "dag_size")

    def __init__(self, cid, file_size, dag_size):
        self.cid = cid  # binary CID
        self.file_size = file_size
        self.dag_size = dag_size  # the block plus everything under it (a link's Tsize)


def _field(number, wire_type):
    return varint(number << 3 | wire_type)


def _bytes_field(number, value):
    return _field(number, 2) + varint(len(value)) + value


def _file_node(children):
    """The dag-pb block of a UnixFS file node over `children` (links first, then Data, as dag-pb orders them)."""
    file_size = sum(child.file_size for child in children)
    data = _field(1, 0) + varint(2) + _field(3, 0) + varint(file_size)  # Type=File, filesize
    for child in children:
        data += _field(4, 0) + varint(child.file_size)  # blocksizes (proto2, not packed)
    block = bytearray()
    for child in children:
        link = _bytes_field(1, child.cid) + _bytes_field(2, b"") + _field(3, 0) + varint(child.dag_size)
        block += _bytes_field(2, link)
    block += _bytes_field(1, data)
    block = bytes(block)
    cid = cid_bytes(DAG_PB, hashlib.sha256(block).digest())
    return block, _Node(cid, file_size, len(block) + sum(child.dag_size for child in children))


class FileBuilder:
    """The balanced tree over a file's leaves, built as they come.

    A level that fills up (`max_children` nodes) becomes one node of the level
    above, so no level ever holds more than `max_children` links. `on_block`
    (optional) receives each dag-pb node as ``(cid_string, block_bytes)``.
    """

    def __init__(self, max_children=MAX_CHILDREN, on_block=None):
        if max_children < 2:
            raise ValueError("max_children must be at least 2")
        self.max_children = max_children
        self.on_block = on_block
        self.size = 0
        self._levels = [[]]

    def add_leaf(self, binary_cid, size):
        """Append a leaf: its binary CID and the bytes it holds."""
        self.size += size
        self._push(0, _Node(binary_cid, size, size))

    def _push(self, level, node):
        nodes = self._levels[level]
        nodes.append(node)
        if len(nodes) == self.max_children:
            parent = self._parent(nodes)
            self._levels[level] = []
            if level + 1 == len(self._levels):
                self._levels.append([])
            self._push(level + 1, parent)

    def _parent(self, children):
        block, node = _file_node(children)
        if self.on_block is not None:
            self.on_block(cid_string(node.cid), block)
        return node

    def finish(self):
        """The root CID (string). A file with no leaves is the empty raw block."""
        levels = self._levels
        if len(levels) == 1 and len(levels[0]) <= 1:
            # zero or one chunk: the raw leaf is the file
            return cid_string(levels[0][0].cid) if levels[0] else cid_string(cid_bytes(RAW, hashlib.sha256(b"").digest()))
        carry = None
        for level, nodes in enumerate(levels):
            if carry is not None:
                nodes = nodes + [carry]
            top = level == len(levels) - 1
            if top and len(nodes) == 1:
                return cid_string(nodes[0].cid)
            carry = self._parent(nodes) if nodes else None
            if top:
                return cid_string(carry.cid)
        raise AssertionError("unreachable")


class Importer:
    """Chunk a byte stream into 1 MiB raw leaves and build its file DAG; `finish()` gives the root CID."""

    def __init__(self, chunk_size=CHUNK_SIZE, max_children=MAX_CHILDREN, on_block=None):
        self.chunk_size = chunk_size
        self.on_block = on_block
        self._tree = FileBuilder(max_children, on_block)
        self._pending = bytearray()

    @property
    def size(self):
        return self._tree.size + len(self._pending)

    def update(self, data):
        view = memoryview(data).cast("B")
        at = 0
        if self._pending:
            take = min(self.chunk_size - len(self._pending), len(view))
            self._pending += view[:take]
            at = take
            if len(self._pending) == self.chunk_size:
                self._leaf(self._pending)
                self._pending = bytearray()
        # whole chunks straight from the input, without a copy
        while len(view) - at >= self.chunk_size:
            self._leaf(view[at:at + self.chunk_size])
            at += self.chunk_size
        if at < len(view):
            self._pending += view[at:]

    def _leaf(self, chunk):
        cid = cid_bytes(RAW, hashlib.sha256(chunk).digest())
        if self.on_block is not None:
            self.on_block(cid_string(cid), bytes(chunk))
        self._tree.add_leaf(cid, len(chunk))

    def finish(self):
        if self._pending or self._tree.size == 0 and not self._tree._levels[0]:
            self._leaf(self._pending)
            self._pending = bytearray()
        return self._tree.finish()


def cid_of(data):
    """The CID of bytes, or of an iterable of byte pieces (streamed)."""
    importer = Importer()
    if isinstance(data, (bytes, bytearray, memoryview)):
        importer.update(data)
    else:
        for piece in data:
            importer.update(piece)
    return importer.finish()
