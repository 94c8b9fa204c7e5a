#!/usr/bin/env python3
"""Writes a gzip'd cpio "newc" archive, a Linux initramfs, from a list of
files (the machine has no cpio binary).

usage: scripts/mkinitramfs.py -o OUT.img [ENTRY]...

  SRC:DEST[:MODE]        the file SRC as DEST (MODE octal; default 0755 if
                         SRC is executable, else 0644)
  --link DEST:TARGET     a symbolic link DEST -> TARGET
  --dir DEST[:MODE]      a directory (default 0755)
  --chr DEST:MAJ:MIN[:MODE]  a character device (default 0600)
  --list FILE            more entries: the words of FILE, in the same forms
                         (whitespace between words; a line starting with
                         "#" is a comment)

DEST is a path inside the archive ("/" first or not). Parent directories
are added (0755) where no entry names them. The archive is deterministic:
entries sorted by path, inode numbers in that order, every mtime, uid and
gid 0, and a gzip header without name or time, so the same input gives
the same bytes. Two entries for one DEST are an error, as is a missing SRC.
"""

import gzip
import io
import os
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


class Entry:
    """One archive member: kind "file", "dir", "link" or "chr"."""

    def __init__(self, kind, dest, mode, data=b"", rdev=(0, 0), origin=""):
        self.kind = kind
        self.dest = dest
        self.mode = mode
        self.data = data
        self.rdev = rdev
        self.origin = origin     # where the entry came from, for messages

    def type_bits(self):
        return {"file": stat.S_IFREG, "dir": stat.S_IFDIR, "link": stat.S_IFLNK,
                "chr": stat.S_IFCHR}[self.kind]


class Error(Exception):
    pass


def norm_dest(dest, what):
    parts = [p for p in dest.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise Error(f"{what}: bad destination {dest!r}")
    return "/".join(parts)


def parse_mode(text, what):
    try:
        mode = int(text, 8)
    except ValueError:
        raise Error(f"{what}: bad mode {text!r} (octal, e.g. 0755)")
    if mode & ~0o7777:
        raise Error(f"{what}: mode {text} has more than permission bits")
    return mode


def file_entry(spec):
    """SRC:DEST[:MODE] -> Entry (reads SRC)."""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise Error(f"{spec}: want SRC:DEST[:MODE]")
    src, dest = parts[0], norm_dest(parts[1], spec)
    try:
        st = os.stat(src)
        if not stat.S_ISREG(st.st_mode):
            raise Error(f"{spec}: {src} is not a regular file")
        with open(src, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Error(f"{spec}: cannot read {src}: {e.strerror}")
    if len(parts) == 3:
        mode = parse_mode(parts[2], spec)
    else:
        mode = 0o755 if st.st_mode & 0o111 else 0o644
    return Entry("file", dest, mode, data, origin=spec)


def link_entry(spec):
    dest, sep, target = spec.partition(":")
    if not sep or not dest or not target:
        raise Error(f"--link {spec}: want DEST:TARGET")
    return Entry("link", norm_dest(dest, spec), 0o777, target.encode(), origin=spec)


def dir_entry(spec):
    parts = spec.split(":")
    if len(parts) not in (1, 2):
        raise Error(f"--dir {spec}: want DEST[:MODE]")
    mode = parse_mode(parts[1], spec) if len(parts) == 2 else 0o755
    return Entry("dir", norm_dest(parts[0], spec), mode, origin=spec)


def chr_entry(spec):
    parts = spec.split(":")
    if len(parts) not in (3, 4):
        raise Error(f"--chr {spec}: want DEST:MAJOR:MINOR[:MODE]")
    try:
        rdev = (int(parts[1]), int(parts[2]))
    except ValueError:
        raise Error(f"--chr {spec}: bad device number")
    mode = parse_mode(parts[3], spec) if len(parts) == 4 else 0o600
    return Entry("chr", norm_dest(parts[0], spec), mode, rdev=rdev, origin=spec)


def complete(entries):
    """Sorted entries with missing parent directories added; duplicate
    destinations and files under a non-directory are errors."""
    by_dest = {}
    for e in entries:
        if e.dest in by_dest:
            raise Error(f"{e.dest} given twice ({by_dest[e.dest].origin} and {e.origin})")
        by_dest[e.dest] = e
    for e in list(by_dest.values()):
        parts = e.dest.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            p = by_dest.get(parent)
            if p is None:
                by_dest[parent] = Entry("dir", parent, 0o755, origin="(parent)")
            elif p.kind != "dir":
                raise Error(f"{e.dest}: {parent} is not a directory ({p.origin})")
    # Sorted by path components: a directory comes before what is in it.
    return [by_dest[d] for d in sorted(by_dest, key=lambda d: d.split("/"))]


def header(ino, mode, nlink, size, rdev, name):
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
    h = MAGIC + b"".join(b"%08x" % v for v in fields) + name + b"\0"
    return h + b"\0" * (-len(h) % 4)


def cpio(entries):
    """The uncompressed newc archive of complete(entries)."""
    out = io.BytesIO()
    for ino, e in enumerate(complete(entries), 1):
        data = b"" if e.kind in ("dir", "chr") else e.data
        nlink = 2 if e.kind == "dir" else 1
        out.write(header(ino, e.type_bits() | e.mode, nlink, len(data), e.rdev,
                         e.dest.encode()))
        out.write(data + b"\0" * (-len(data) % 4))
    out.write(header(0, 0, 1, 0, (0, 0), TRAILER.encode()))
    return out.getvalue()


def gzipped(data):
    buf = io.BytesIO()
    # filename="" and mtime=0: no name and no time in the gzip header.
    with gzip.GzipFile(filename="", fileobj=buf, mode="wb", compresslevel=9, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def parse_cpio(data):
    """newc bytes -> list of dicts (name, mode, nlink, mtime, ino, rdev, data),
    the trailer left out. Raises Error on a malformed archive. For tests."""
    res, off = [], 0
    while True:
        if data[off:off + 6] != MAGIC:
            raise Error(f"offset {off}: no newc magic")
        f = [int(data[off + 6 + 8 * i: off + 14 + 8 * i], 16) for i in range(13)]
        namesize, size = f[11], f[6]
        name_at = off + 110
        name = data[name_at:name_at + namesize - 1].decode()
        if data[name_at + namesize - 1] != 0:
            raise Error(f"{name}: name not NUL-terminated")
        data_at = name_at + namesize + (-(110 + namesize) % 4)
        if data_at % 4:
            raise Error(f"{name}: data not 4-aligned")
        if name == TRAILER:
            return res
        res.append({"name": name, "ino": f[0], "mode": f[1], "uid": f[2], "gid": f[3],
                    "nlink": f[4], "mtime": f[5], "rdev": (f[9], f[10]),
                    "data": data[data_at:data_at + size]})
        off = data_at + size + (-size % 4)


def read_list(path):
    """The words of a list file, comment lines left out."""
    try:
        with open(path) as f:
            return [w for l in f if not l.lstrip().startswith("#") for w in l.split()]
    except OSError as e:
        raise Error(f"--list {path}: {e.strerror}")


def entries_from_args(argv):
    entries = []
    it = iter(argv)
    for a in it:
        if a in ("--link", "--dir", "--chr", "--list"):
            try:
                v = next(it)
            except StopIteration:
                raise Error(f"{a} needs a value")
            if a == "--list":
                entries += entries_from_args(read_list(v))
            else:
                entries.append({"--link": link_entry, "--dir": dir_entry,
                                "--chr": chr_entry}[a](v))
        elif a.startswith("-"):
            raise Error(f"unknown option {a}")
        else:
            entries.append(file_entry(a))
    return entries


def main(argv):
    out, rest = None, []
    it = iter(argv)
    for a in it:
        if a in ("-o", "--out"):
            out = next(it, None)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            rest.append(a)
    if not out:
        print("usage: mkinitramfs.py -o OUT.img [ENTRY]... (see --help)", file=sys.stderr)
        return 2
    try:
        data = gzipped(cpio(entries_from_args(rest)))
    except Error as e:
        print(f"mkinitramfs: {e}", file=sys.stderr)
        return 1
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
