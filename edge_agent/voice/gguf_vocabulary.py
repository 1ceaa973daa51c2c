"""A copy of a GGUF model whose vocabulary keeps only what ASCII text is made of.

gemma's vocabulary has 262,144 tokens in every script, and its embedding, which is also the
output layer and so read whole at every generated token, is 170 MiB of the model's 235. The
device only ever gives the model ASCII text (the prompt is English, the recognisers write
English words). A SentencePiece tokenizer only builds pieces that occur in its input, so
ASCII text becomes the same pieces when the vocabulary keeps every piece made of ASCII
characters and the word-boundary mark, plus every control, byte and user-defined token. The
model then computes the same hidden states, and the output grammar only allows ASCII tokens,
so grammar-bound greedy answers are the same. Characters outside ASCII are spelled out with
byte tokens, which the model may read differently. The check is in docs/voice.md: every
evaluation set gives the same answers.

The file is rewritten by reading the GGUF layout directly: the header, the key-values, the
tensor infos and the aligned data. The reference reader (the `gguf` package) takes ~20 s to
parse the vocabulary on this machine; this takes about a second.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

MAGIC = b"GGUF"
TOKENS, SCORES, TOKEN_TYPES = (
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.token_type",
)
EMBEDDING = "token_embd.weight"
OUTPUT_LAYER = "output.weight"
# Token type of an ordinary piece; the others (control, byte, user-defined, unknown, unused)
# are always kept.
NORMAL_TOKEN = 1
WORD_BOUNDARY = "\u2581"
DEFAULT_ALIGNMENT = 32
_UINT32, _INT32, _FLOAT32, _STRING, _ARRAY = 4, 5, 6, 8, 9
# GGUF's scalar value types, by number, as `struct` codes.
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_COPY_BLOCK = 8 << 20


@dataclass(frozen=True)
class _TensorInfo:
    name: str
    dims: tuple[int, ...]
    kind: int
    offset: int


class _Reader:
    """Reads GGUF values from a buffer, front to back."""

    def __init__(self, buffer: mmap.mmap) -> None:
        self.buffer = buffer
        self.position = 0

    def scalar(self, code: str) -> int | float | bool:
        (value,) = struct.unpack_from("<" + code, self.buffer, self.position)
        self.position += struct.calcsize(code)
        return value  # type: ignore[no-any-return]

    def integer(self, code: str) -> int:
        return int(self.scalar(code))

    def raw_string(self) -> bytes:
        length = self.integer("Q")
        start = self.position
        self.position += length
        return bytes(self.buffer[start : self.position])

    def string(self) -> str:
        return self.raw_string().decode("utf-8")

    def skip_value(self, kind: int) -> None:
        if kind == _STRING:
            length = self.integer("Q")
            self.position += length
        elif kind == _ARRAY:
            element, count = self.integer("I"), self.integer("Q")
            if element in _SCALARS:
                self.position += count * struct.calcsize(_SCALARS[element])
            else:
                for _ in range(count):
                    self.skip_value(element)
        elif kind in _SCALARS:
            self.position += struct.calcsize(_SCALARS[kind])
        else:
            raise ValueError(f"GGUF value of unknown type {kind}")

    def array_header(self, expected: int) -> int:
        element, count = self.integer("I"), self.integer("Q")
        if element != expected:
            raise ValueError(f"GGUF array of type {element}, expected {expected}")
        return count

    def numbers(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.buffer, dtype=dtype, count=count, offset=self.position).copy()
        self.position += values.nbytes
        return values


def _key(name: str) -> bytes:
    return _string_bytes(name.encode("utf-8"))


def _string_bytes(value: bytes) -> bytes:
    return struct.pack("<Q", len(value)) + value


def _array_bytes(element: int, values: bytes, count: int) -> bytes:
    return struct.pack("<IIQ", _ARRAY, element, count) + values


def _pad(out: BinaryIO, alignment: int) -> None:
    out.write(b"\0" * (-out.tell() % alignment))


def _is_ascii_piece(piece: bytes) -> bool:
    return piece.decode("utf-8", "replace").replace(WORD_BOUNDARY, "").isascii()


def write_ascii_model(source: Path, target: Path) -> int:
    """Write `source` with its vocabulary cut to what ASCII text is made of; the tokens kept."""
    with source.open("rb") as file:
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as view:
            layout = _read_layout(view, source)
        keep = np.array(
            [
                index
                for index, piece in enumerate(layout.pieces)
                if layout.types[index] != NORMAL_TOKEN or _is_ascii_piece(piece)
            ]
        )
        with target.open("wb") as out:
            _write_metadata(out, layout, keep)
            for tensor in layout.tensors:
                begin = layout.data_start + tensor.offset
                size = layout.sizes[tensor.name]
                if tensor.name == EMBEDDING:
                    _copy_rows(out, file, begin, size // tensor.dims[1], keep)
                else:
                    _copy(out, file, begin, size)
                _pad(out, layout.alignment)
            out.flush()
            # Renamed into place next, so its data must be on the disk first.
            os.fsync(out.fileno())
    return len(keep)


@dataclass(frozen=True)
class _Layout:
    """What a GGUF file holds, but for its tensors' data."""

    version: int
    alignment: int
    # Every key-value but the vocabulary's, as its raw bytes.
    other_values: list[bytes]
    pieces: list[bytes]
    scores: np.ndarray
    types: np.ndarray
    tensors: list[_TensorInfo]
    # Each tensor's bytes with the padding after it, by name.
    sizes: dict[str, int]
    data_start: int


def _read_layout(view: mmap.mmap, source: Path) -> _Layout:
    if view[:4] != MAGIC:
        raise ValueError(f"{source} is not a GGUF file")
    reader = _Reader(view)
    reader.position = 4
    version = reader.integer("I")
    tensor_count, value_count = reader.integer("Q"), reader.integer("Q")
    alignment = DEFAULT_ALIGNMENT
    other_values: list[bytes] = []
    pieces: list[bytes] = []
    scores = types = None
    for _ in range(value_count):
        start = reader.position
        key = reader.string()
        kind = reader.integer("I")
        if key == TOKENS:
            pieces = [reader.raw_string() for _ in range(reader.array_header(_STRING))]
        elif key == SCORES:
            scores = reader.numbers("<f4", reader.array_header(_FLOAT32))
        elif key == TOKEN_TYPES:
            types = reader.numbers("<i4", reader.array_header(_INT32))
        else:
            if key == "general.alignment" and kind == _UINT32:
                alignment = reader.integer("I")
            else:
                reader.skip_value(kind)
            other_values.append(bytes(view[start : reader.position]))
    if not pieces or scores is None or types is None:
        raise ValueError(f"{source} has no SentencePiece vocabulary to cut")
    if not len(pieces) == len(scores) == len(types):
        raise ValueError(f"{source} has a vocabulary whose lists differ in length")
    tensors = []
    for _ in range(tensor_count):
        name = reader.string()
        dims = tuple(reader.integer("Q") for _ in range(reader.integer("I")))
        tensors.append(_TensorInfo(name, dims, reader.integer("I"), reader.integer("Q")))
    embeddings = [tensor for tensor in tensors if tensor.name == EMBEDDING]
    if len(embeddings) != 1 or embeddings[0].dims[1:2] != (len(pieces),):
        raise ValueError(f"{source} has no embedding of one row per token to cut")
    if any(tensor.name == OUTPUT_LAYER for tensor in tensors):
        # Its rows would have to be cut too; gemma's output layer is its embedding.
        raise ValueError(f"{source} has an output layer of its own, which is not cut")
    data_start = reader.position + (-reader.position % alignment)
    ends = sorted({tensor.offset for tensor in tensors} | {len(view) - data_start})
    if ends[-1] < 0 or ends[-1] < max(tensor.offset for tensor in tensors):
        raise ValueError(f"{source} is cut short: its tensors end past the file")
    sizes = {tensor.name: ends[ends.index(tensor.offset) + 1] - tensor.offset for tensor in tensors}
    return _Layout(
        version, alignment, other_values, pieces, scores, types, tensors, sizes, data_start
    )


def _write_metadata(out: BinaryIO, layout: _Layout, keep: np.ndarray) -> None:
    """Header, key-values and tensor infos, the vocabulary and the embedding cut to `keep`."""
    tensors = layout.tensors
    out.write(
        MAGIC + struct.pack("<IQQ", layout.version, len(tensors), len(layout.other_values) + 3)
    )
    out.writelines(layout.other_values)
    out.write(_key(TOKENS) + struct.pack("<IIQ", _ARRAY, _STRING, len(keep)))
    out.writelines(_string_bytes(layout.pieces[index]) for index in keep)
    out.write(_key(SCORES) + _array_bytes(_FLOAT32, layout.scores[keep].tobytes(), len(keep)))
    out.write(_key(TOKEN_TYPES) + _array_bytes(_INT32, layout.types[keep].tobytes(), len(keep)))
    offset = 0
    for tensor in tensors:
        dims, size = tensor.dims, layout.sizes[tensor.name]
        if tensor.name == EMBEDDING:
            dims = (dims[0], len(keep), *dims[2:])
            size = size // tensor.dims[1] * len(keep)
        out.write(_key(tensor.name) + struct.pack("<I", len(dims)))
        out.write(struct.pack(f"<{len(dims)}QIQ", *dims, tensor.kind, offset))
        offset += size + (-size % layout.alignment)
    _pad(out, layout.alignment)


def _copy(out: BinaryIO, file: BinaryIO, begin: int, size: int) -> None:
    # Read, not mapped: mapped pages would count in the process's peak memory.
    for start in range(begin, begin + size, _COPY_BLOCK):
        out.write(os.pread(file.fileno(), min(_COPY_BLOCK, begin + size - start), start))


def _copy_rows(out: BinaryIO, file: BinaryIO, begin: int, row_bytes: int, keep: np.ndarray) -> None:
    """The embedding's kept rows, a block of rows at a time."""
    per_block = max(_COPY_BLOCK // row_bytes, 1)
    for first in range(0, int(keep[-1]) + 1, per_block):
        wanted = keep[(keep >= first) & (keep < first + per_block)] - first
        if len(wanted) == 0:
            continue
        count = int(wanted[-1]) + 1
        raw = os.pread(file.fileno(), count * row_bytes, begin + first * row_bytes)
        block = np.frombuffer(raw, dtype=np.uint8).reshape(count, row_bytes)
        out.write(block[wanted].tobytes())
