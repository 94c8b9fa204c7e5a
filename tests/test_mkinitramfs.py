#!/usr/bin/env python3
"""Host test of scripts/mkinitramfs.py: what it writes parses back (with its
own reader and with busybox's cpio when there is one), is byte-identical
from the same input, and bad input is refused with a line."""

import gzip
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mkinitramfs  # noqa: E402

SCRIPT = ROOT / "scripts" / "mkinitramfs.py"
BUSYBOX = "/bin/busybox"


class MkInitramfs(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="mkinitramfs-test."))
        self.exe = self.tmp / "prog"
        self.exe.write_bytes(b"#!/bin/sh\necho hi\n")
        self.exe.chmod(0o755)
        self.txt = self.tmp / "data.txt"
        self.txt.write_bytes(b"12345")          # 5 bytes: the padding matters
        self.empty = self.tmp / "empty"
        self.empty.write_bytes(b"")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_tool(self, *args):
        return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                              capture_output=True, text=True)

    def build(self, out, *entries):
        r = self.run_tool("-o", out, *entries)
        self.assertEqual(r.returncode, 0, r.stderr)
        return Path(out).read_bytes()

    def standard(self, out):
        return self.build(out, f"{self.exe}:/bin/prog", f"{self.txt}:etc/deep/data.txt",
                          f"{self.txt}:etc/data.ro:0400", f"{self.empty}:empty",
                          "--link", "bin/sh:prog", "--dir", "root:0700",
                          "--chr", "dev/console:5:1")

    def test_parses_back(self):
        data = self.standard(self.tmp / "a.img")
        members = mkinitramfs.parse_cpio(gzip.decompress(data))
        names = [m["name"] for m in members]
        self.assertEqual(names, ["bin", "bin/prog", "bin/sh", "dev", "dev/console", "empty",
                                 "etc", "etc/data.ro", "etc/deep", "etc/deep/data.txt",
                                 "root"])
        by = {m["name"]: m for m in members}
        self.assertEqual(by["bin/prog"]["mode"], stat.S_IFREG | 0o755)
        self.assertEqual(by["bin/prog"]["data"], self.exe.read_bytes())
        self.assertEqual(by["etc/deep/data.txt"]["mode"], stat.S_IFREG | 0o644)
        self.assertEqual(by["etc/deep/data.txt"]["data"], b"12345")
        self.assertEqual(by["etc/data.ro"]["mode"], stat.S_IFREG | 0o400)
        self.assertEqual(by["empty"]["data"], b"")
        self.assertEqual(by["bin/sh"]["mode"], stat.S_IFLNK | 0o777)
        self.assertEqual(by["bin/sh"]["data"], b"prog")
        self.assertEqual(by["root"]["mode"], stat.S_IFDIR | 0o700)
        self.assertEqual(by["etc"]["mode"], stat.S_IFDIR | 0o755)   # added parent
        self.assertEqual(by["dev/console"]["mode"], stat.S_IFCHR | 0o600)
        self.assertEqual(by["dev/console"]["rdev"], (5, 1))
        for k, m in enumerate(members, 1):
            self.assertEqual(m["ino"], k)
            self.assertEqual((m["mtime"], m["uid"], m["gid"]), (0, 0, 0))

    def test_deterministic(self):
        a = self.standard(self.tmp / "a.img")
        os.utime(self.txt, (1, 1))              # a new mtime changes nothing
        b = self.standard(self.tmp / "b.img")
        self.assertEqual(a, b)
        # gzip header: no FNAME flag, MTIME 0.
        self.assertEqual(a[3] & 0x08, 0)
        self.assertEqual(a[4:8], b"\0\0\0\0")
        # The order of the entries on the command line does not matter.
        c = self.build(self.tmp / "c.img", "--chr", "dev/console:5:1", "--dir", "root:0700",
                       "--link", "bin/sh:prog", f"{self.empty}:empty",
                       f"{self.txt}:etc/data.ro:0400", f"{self.txt}:etc/deep/data.txt",
                       f"{self.exe}:/bin/prog")
        self.assertEqual(a, c)

    def test_list_file(self):
        lst = self.tmp / "list"
        lst.write_text(f"# a comment\n{self.exe}:/bin/prog\n--link\nbin/sh:prog\n"
                       f"--dir root:0700\n")
        a = self.build(self.tmp / "a.img", "--list", lst)
        b = self.build(self.tmp / "b.img", f"{self.exe}:/bin/prog", "--link", "bin/sh:prog",
                       "--dir", "root:0700")
        self.assertEqual(a, b)

    @unittest.skipUnless(os.access(BUSYBOX, os.X_OK), "no /bin/busybox")
    def test_busybox_cpio_reads_it(self):
        data = self.build(self.tmp / "a.img", f"{self.exe}:/bin/prog",
                          f"{self.txt}:etc/deep/data.txt", "--link", "bin/sh:prog")
        raw = gzip.decompress(data)
        listing = subprocess.run([BUSYBOX, "cpio", "-t"], input=raw, capture_output=True)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertEqual(listing.stdout.decode().split(),
                         ["bin", "bin/prog", "bin/sh", "etc", "etc/deep", "etc/deep/data.txt"])
        out = self.tmp / "x"
        out.mkdir()
        r = subprocess.run([BUSYBOX, "cpio", "-id"], input=raw, cwd=out, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((out / "etc/deep/data.txt").read_bytes(), b"12345")
        self.assertEqual((out / "bin/prog").read_bytes(), self.exe.read_bytes())
        self.assertEqual(os.readlink(out / "bin/sh"), "prog")
        self.assertTrue(os.access(out / "bin/prog", os.X_OK))

    def test_refusals(self):
        cases = [
            ([f"{self.txt}:a", f"{self.exe}:a"], "given twice"),
            ([f"{self.tmp}/nonexistent:a"], "cannot read"),
            ([f"{self.txt}:a", f"{self.txt}:a/b"], "is not a directory"),
            ([f"{self.txt}:a:999"], "bad mode"),
            ([f"{self.txt}:../etc/x"], "bad destination"),
            ([f"{self.txt}:/"], "bad destination"),
            ([str(self.txt)], "want SRC:DEST"),
            ([f"{self.tmp}:dir"], "not a regular file"),
            (["--chr", "dev/x:5"], "want DEST:MAJOR:MINOR"),
            (["--link", "bin/sh"], "want DEST:TARGET"),
            (["--bogus"], "unknown option"),
        ]
        out = self.tmp / "bad.img"
        for args, want in cases:
            with self.subTest(args=args):
                r = self.run_tool("-o", out, *args)
                self.assertEqual(r.returncode, 1)
                self.assertIn(want, r.stderr)
                self.assertTrue(r.stderr.startswith("mkinitramfs: "))
                self.assertEqual(r.stderr.count("\n"), 1)
                self.assertFalse(out.exists())


if __name__ == "__main__":
    unittest.main()
