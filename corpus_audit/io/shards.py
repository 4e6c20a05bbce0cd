"""Find the shards under the paths a user gives, and decide each one's format.

Inputs are files, folders (searched recursively), globs, or fsspec URLs
(file://, http(s)://, s3://, hf://...). A file named explicitly must be in a
known format; in a folder, files that are not shards by their name are skipped
and listed, so the report can say what was not read.
"""
from __future__ import annotations

import io
import os
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import BinaryIO

import fsspec
import zstandard
from fsspec.core import url_to_fs

FORMATS = ("jsonl", "parquet", "warc", "text")

_SUFFIXES = {  # name ending -> (format, compression)
    ".jsonl": ("jsonl", None), ".ndjson": ("jsonl", None), ".json": ("jsonl", None),
    ".jsonl.gz": ("jsonl", "gzip"), ".ndjson.gz": ("jsonl", "gzip"), ".json.gz": ("jsonl", "gzip"),
    ".jsonl.zst": ("jsonl", "zstd"), ".ndjson.zst": ("jsonl", "zstd"), ".json.zst": ("jsonl", "zstd"),
    ".jsonl.zstd": ("jsonl", "zstd"),
    ".parquet": ("parquet", None), ".pq": ("parquet", None),
    ".warc": ("warc", None), ".warc.gz": ("warc", None), ".wet": ("warc", None), ".wet.gz": ("warc", None),
    ".txt": ("text", None), ".txt.gz": ("text", "gzip"),
}
# Files that sit beside shards but are never shards themselves, even with a shard-like ending.
_NOT_SHARDS = {"manifest.json", "audit.json", "dataset_info.json", "state.json", "stats.json"}
_GLOB_CHARS = set("*?[")
RUN_MARKER = "_run.json"


class InputError(Exception):
    """Unusable input, found before any work starts (exit code 2)."""


@dataclass(frozen=True)
class Shard:
    url: str  # what fsspec opens: a local path or a protocol URL
    name: str  # path relative to the input root it was found under: stable when the corpus moves
    format: str
    compression: str | None = None
    size: int | None = None  # bytes, when the filesystem says: a changed shard is not a finished one

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The shard's decompressed bytes, line-iterable whatever the compression."""
        if self.compression != "zstd":
            with fsspec.open(self.url, "rb", compression=self.compression) as stream:
                yield stream
            return
        # fsspec's zstd stream cannot iterate lines; a buffered reader over zstandard's stream can.
        with fsspec.open(self.url, "rb") as raw:
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            with io.BufferedReader(reader) as stream:
                yield stream


@dataclass
class Discovery:
    shards: list[Shard] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def format_of(name: str) -> tuple[str, str | None] | None:
    lowered = name.lower()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if lowered.endswith(suffix):
            return _SUFFIXES[suffix]
    return None


def _compression_of(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(".gz") and not lowered.endswith((".warc.gz", ".wet.gz")):
        return "gzip"
    if lowered.endswith((".zst", ".zstd")):
        return "zstd"
    return None


def _classify(path: str, forced: str, explicit: bool) -> tuple[str, str | None] | None:
    base = posixpath.basename(path)
    if forced != "auto":
        if not explicit and (base.startswith((".", "_")) or base in _NOT_SHARDS):
            return None
        known = format_of(base)
        return forced, (known[1] if known and known[0] == forced else _compression_of(base))
    if base in _NOT_SHARDS or base.startswith((".", "_")):
        return None
    return format_of(base)


def _full_url(fs, path: str) -> str:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return path if protocol in ("file", "local") else fs.unstrip_protocol(path)


def discover_shards(paths: list[str], fmt: str = "auto", exclude: str | Path | None = None) -> Discovery:
    """Expand paths into shards, in a stable order. Raises InputError for unusable input.

    exclude: a local folder whose files are never shards (the run's own output inside an input folder).
    """
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r}: choose auto, {', '.join(FORMATS)}")
    found = Discovery()
    for raw in paths:
        fs, root = url_to_fs(raw)
        if _GLOB_CHARS & set(root) and not fs.exists(root):
            matches = sorted(p for p, info in fs.glob(root, detail=True).items() if info.get("type") != "directory")
            if not matches:
                raise InputError(f"{raw}: no file matches this pattern")
            base = root[: min(root.index(c) for c in _GLOB_CHARS if c in root)].rsplit("/", 1)[0]
            _add_files(found, fs, {p: fs.info(p) for p in matches}, base, fmt, exclude)
        elif not fs.exists(root):
            raise InputError(f"{raw}: no such file or folder")
        elif fs.isdir(root):
            _add_files(found, fs, _files_under(fs, root), root, fmt, exclude)
        else:
            kind = _classify(root, fmt, explicit=True)
            if kind is None:
                raise InputError(
                    f"{raw}: unknown format (use a .jsonl[.gz|.zst], .parquet, .warc[.gz] or .txt file, or --format)"
                )
            found.shards.append(Shard(_full_url(fs, root), posixpath.basename(root), *kind, fs.info(root).get("size")))
    _disambiguate(found.shards)
    return found


def _files_under(fs, root: str, seen: set | None = None) -> dict[str, dict]:
    """Files under a folder, by their paths under it; symlinked folders are followed, each real folder once
    (a link back up the tree would otherwise loop)."""
    seen = seen if seen is not None else {_real_path(fs, root)}
    files = {}
    for path, info in fs.find(root, detail=True).items():
        if info.get("type") == "directory":
            continue
        if info.get("islink") and fs.isdir(path):
            real = _real_path(fs, path)
            if real not in seen:
                seen.add(real)
                files.update(_files_under(fs, path, seen))
            continue
        files[path] = info
    return files


def _real_path(fs, path: str) -> str:
    return os.path.realpath(path) if "file" in fs.protocol else path


def _add_files(found: Discovery, fs, files: dict[str, dict], base: str, fmt: str, exclude) -> None:
    base = base.rstrip("/")
    excluded = str(Path(exclude).resolve()) + "/" if exclude else None
    # A folder with a _run.json is corpus-audit's own tags output: an earlier audit's, not the corpus.
    own_output = {posixpath.dirname(p) for p in files if posixpath.basename(p) == RUN_MARKER}
    for path in sorted(files):
        name = path[len(base) + 1:] if path.startswith(base + "/") else posixpath.basename(path)
        private = any(part.startswith(("_", ".")) for part in name.split("/")[:-1])
        private = private or posixpath.dirname(path) in own_output
        inside_output = excluded is not None and _full_url(fs, path).startswith(excluded)
        kind = None if private or inside_output else _classify(path, fmt, explicit=False)
        if kind is None:
            found.skipped.append(_full_url(fs, path))
        else:
            found.shards.append(Shard(_full_url(fs, path), name, *kind, files[path].get("size")))


def _disambiguate(shards: list[Shard]) -> None:
    """Two inputs can hold shards of the same relative name: number those names so ids stay unique."""
    seen: dict[str, int] = {}
    for shard in shards:
        seen[shard.name] = seen.get(shard.name, 0) + 1
    if all(count == 1 for count in seen.values()):
        return
    used: dict[str, int] = {}
    for i, shard in enumerate(shards):
        if seen[shard.name] > 1:
            used[shard.name] = used.get(shard.name, 0) + 1
            shards[i] = replace(shard, name=f"{used[shard.name]}/{shard.name}")
