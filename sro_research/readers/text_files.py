"""Opening delimited text files as their publishers wrote them: the one place readers decode and split CSV.

Why the whole file: a national CRDC school file is hundreds of megabytes of Windows-1252 whose header
and first thousand rows are plain ASCII; a school name such as "Peñasco" far down the file is what
tells the encodings apart. So the encoding is decided by streaming every byte through a strict UTF-8
decoder (cheap, in C) before any parsing, and a file that is neither UTF-8, UTF-16 with a byte-order
mark nor Windows-1252 is an error naming the file and the byte offset, never a raw traceback. The
delimiter (comma, semicolon or tab) is detected from the first lines. Messages describe the file's
shape and never quote a cell, which may be personal.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from sro_research.readers.errors import InputFileError

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with byte-order mark", "utf-16": "UTF-16",
                  "cp1252": "Windows-1252"}
_CHUNK = 1 << 24  # 16 MiB: a national file is decoded in pieces, never held twice
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")  # the only bytes Windows-1252 cannot decode


def detect_encoding(path: Path, error: type[InputFileError] = InputFileError) -> str:
    """The encoding that decodes every byte of `path`: utf-16 or utf-8-sig by byte-order mark, else
    utf-8, else cp1252 (Windows-1252)."""
    with open(path, "rb") as stream:
        head = stream.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head[:200].count(b"\x00") > len(head[:200]) // 4:
        raise error([f"{path.name}: looks like UTF-16 text without a byte-order mark; save it as UTF-8 CSV "
                     f"(or UTF-16 with a byte-order mark)"])
    utf8 = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    failed_at = _first_undecodable(path, utf8)
    if failed_at is None:
        return utf8
    if _first_undecodable(path, "cp1252") is None:
        return "cp1252"
    raise error([f"{path.name}: byte {failed_at:,} is not UTF-8, and the file is not Windows-1252 either "
                 f"(rule: text files are UTF-8, UTF-16 with a byte-order mark, or Windows-1252); "
                 f"re-save it as UTF-8"])


def _first_undecodable(path: Path, encoding: str) -> int | None:
    """The offset of the first byte `encoding` cannot decode, or None when the whole file decodes."""
    if encoding == "cp1252":
        return _first_byte_of(path, _CP1252_UNDEFINED)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            if not (chunk.isascii() and decoder.getstate()[0] == b""):  # plain ASCII is valid UTF-8: skip decoding
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as problem:
                    return offset + problem.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _first_byte_of(path: Path, undefined: bytes) -> int | None:
    """The offset of the first of the `undefined` bytes in the file (a byte search, no decoding), or None."""
    offset = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            found = [i for i in (chunk.find(b) for b in undefined) if i >= 0]
            if found:
                return offset + min(found)
            offset += len(chunk)
    return None


def read_text(path: Path, error: type[InputFileError] = InputFileError) -> tuple[str, str]:
    """The whole (small) file as text, and the encoding it was decoded with."""
    encoding = detect_encoding(path, error)
    text = path.read_bytes().decode(encoding)
    return text, encoding


def detect_delimiter(path: Path, sample: str, encoding: str, error: type[InputFileError] = InputFileError) -> str:
    """The delimiter that splits the header row into the most fields while the first data rows split
    into as many (quotes respected); an error describing the file when none splits it."""
    lines = sample.splitlines()
    head = "\n".join(lines[:30])
    best, best_score = None, (0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter) if r]
        if not rows or len(rows[0]) < 2:
            continue
        consistent = sum(len(r) == len(rows[0]) for r in rows[1:]) if len(rows) > 1 else 1
        score = (consistent, len(rows[0]))
        if best is None or score > best_score:
            best, best_score = delimiter, score
    if best is not None:
        return best
    header = lines[0] if lines else ""
    raise error([f"{path.name}: cannot tell how columns are separated: the header row ({len(header)} characters, "
                 f"{ENCODING_NAMES.get(encoding, encoding)}) holds no comma, semicolon or tab outside quotes; "
                 f"save the file as CSV"])


def _sample(path: Path, encoding: str, lines: int = 30) -> str:
    with open(path, encoding=encoding, newline="") as stream:
        return "".join(line for _, line in zip(range(lines), stream))


def read_header(path: Path, error: type[InputFileError] = InputFileError) -> tuple[list[str], str, str]:
    """The header row's names (stripped), the encoding and the delimiter."""
    encoding = detect_encoding(path, error)
    sample = _sample(path, encoding)
    if not sample.strip():
        raise error([f"{path.name}: the file has no header row"])
    delimiter = detect_delimiter(path, sample, encoding, error)
    header = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    return [h.strip() for h in header], encoding, delimiter


def read_csv_table(path: Path, columns: Iterable[str] | Callable[[str], bool] | None = None,
                   dtype: dict | type | str = str, error: type[InputFileError] = InputFileError) -> pd.DataFrame:
    """A CSV file as a frame of the named `columns` only (all when None), header names stripped.
    Cells stay text unless `dtype` says otherwise, so ids keep their leading zeros and '' stays ''."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found")
    if path.stat().st_size == 0:
        raise error([f"{path.name}: the file is empty (0 bytes)"])
    header, encoding, delimiter = read_header(path, error)
    if columns is None:
        usecols, wanted = None, set(header)
    else:
        wanted = {h for h in header if columns(h)} if callable(columns) else set(columns) & set(header)
        usecols = lambda name: str(name).strip() in wanted  # noqa: E731 - pandas matches raw header text
    # Parsing in chunks keeps a national file's tokens (all its columns) out of memory; it is safe when
    # every column read has its dtype given, so no chunk guesses a type of its own.
    chunked = not isinstance(dtype, dict) or wanted <= set(dtype)
    try:
        table = pd.read_csv(path, sep=delimiter, encoding=encoding, dtype=dtype, keep_default_na=False,
                            na_filter=dtype is not str, usecols=usecols, engine="c", low_memory=chunked)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as problem:
        raise error([f"{path.name}: not a {DELIMITER_NAMES[delimiter]}-separated file with one header row "
                     f"({type(problem).__name__}: {_shape_only(problem)})"]) from None
    except ValueError as problem:  # a dtype that does not fit a column
        raise error([f"{path.name}: a column does not hold the values its layout says ({type(problem).__name__})"]) from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _shape_only(problem: Exception) -> str:
    """pandas' parser messages name line and field counts only ("Expected 5 fields in line 7, saw 6")."""
    text = str(problem).strip().splitlines()[-1] if str(problem).strip() else ""
    return text if text.startswith(("Expected", "Error tokenizing", "No columns")) and len(text) < 200 else "malformed"
