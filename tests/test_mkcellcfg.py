#!/usr/bin/env python3
"""Host test of linux/cells/mkcellcfg.py: the binary configurations it
writes are read back by a C program through the structs of
guest-abi/include/tandem/cell_config.h (so the layout is the compiler's,
not the script's), variants and the test directives do what they say,
and bad input is refused with its file and line."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "linux" / "cells" / "mkcellcfg.py"

# Prints every field of a configuration file, one per line.
READER = r"""
#include <stdio.h>
#include <string.h>
#include "tandem/cell_config.h"

int main(int argc, char **argv)
{
	static unsigned char buf[TANDEM_CELL_CONFIG_MAX];
	FILE *f = fopen(argv[1], "rb");
	size_t n = fread(buf, 1, sizeof(buf), f);
	struct tandem_cell_desc d;
	(void)argc;
	memcpy(&d, buf, sizeof(d));
	printf("size %zu claimed %zu\n", n,
	       (size_t)TANDEM_CELL_CONFIG_SIZE(d.num_memory_regions, d.num_pio_regions));
	printf("sig %.8s rev %u flags %u name %s\n", d.signature, d.revision,
	       d.flags, d.name);
	printf("cpus %#llx entry %#llx timeout %u mem %u pio %u\n",
	       (unsigned long long)d.cpu_set, (unsigned long long)d.reset_entry,
	       d.msg_reply_timeout_ms, d.num_memory_regions, d.num_pio_regions);
	for (unsigned i = 0; i < d.num_memory_regions; i++) {
		struct tandem_memory_region m;
		memcpy(&m, buf + sizeof(d) + i * sizeof(m), sizeof(m));
		printf("mem %#llx %#llx %#llx %#llx\n", (unsigned long long)m.phys_start,
		       (unsigned long long)m.virt_start, (unsigned long long)m.size,
		       (unsigned long long)m.flags);
	}
	for (unsigned i = 0; i < d.num_pio_regions; i++) {
		struct tandem_pio_region p;
		memcpy(&p, buf + sizeof(d) + d.num_memory_regions *
		       sizeof(struct tandem_memory_region) + i * sizeof(p), sizeof(p));
		printf("pio %#x %u %u\n", p.base, p.length, p.reserved);
	}
	return 0;
}
"""


class MkCellCfg(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="mkcellcfg-test."))
        src = cls.tmp / "reader.c"
        src.write_text(READER)
        cls.reader = cls.tmp / "reader"
        subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Werror",
                        "-I", str(ROOT / "guest-abi" / "include"),
                        "-o", str(cls.reader), str(src)], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def build(self, name, text):
        out = self.tmp / ("out-" + name)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        txt = self.tmp / (name + ".txt")
        txt.write_text(text)
        r = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out),
                            str(txt)], capture_output=True, text=True)
        return r, out

    def read(self, path):
        return subprocess.run([str(self.reader), str(path)], check=True,
                              capture_output=True, text=True).stdout.splitlines()

    def test_fields(self):
        r, out = self.build("cell", "name my cell\ncpus 1,3\nentry 0x1000\n"
                            "timeout_ms 250\npassive\n"
                            "mem 0x6000000 0 0x100000 rwx\n"
                            "mem 0xfed00000 0x200000 0x1000 rw,io\n"
                            "mem 0x6100000 0x300000 0x2000 r,loadable,rootshared\n"
                            "comm 0x100000\npio 0x3f8 8\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(out / "cell.cell"), [
            "size 216 claimed 216",
            "sig TNDMCELL rev 1 flags 1 name my cell",
            "cpus 0xa entry 0x1000 timeout 250 mem 4 pio 1",
            "mem 0x6000000 0 0x100000 0x7",
            "mem 0xfed00000 0x200000 0x1000 0xb",
            "mem 0x6100000 0x300000 0x2000 0x61",
            "mem 0 0x100000 0x1000 0x13",
            "pio 0x3f8 8 0",
        ])

    def test_variants_and_test_directives(self):
        r, out = self.build("v", "name v\ncpus @CPU@\nentry 0x1000\n"
                            "mem 0x6000000 0 0x100000 rwx\nraw_flags 0x87\n"
                            "signature TNDMXXXX\ntruncate 112\nvariants 2,5\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["v-cpu2.cell", "v-cpu5.cell"])
        data = (out / "v-cpu5.cell").read_bytes()
        self.assertEqual(len(data), 112)
        self.assertEqual(data[:8], b"TNDMXXXX")
        self.assertEqual(data[48:56], (1 << 5).to_bytes(8, "little"))
        self.assertEqual(data[80 + 24:80 + 32], (0x87).to_bytes(8, "little"))

    def test_refusals(self):
        for text, what in (("name x\nfrobnicate 1\n", "unknown directive"),
                           ("name x\nmem 0 0 0x1000 rwq\n", "unknown memory flag"),
                           ("name x\nentry zz\n", "invalid literal"),
                           ("name x\nmem 0 0\n", "index out of range")):
            r, _ = self.build("bad", text)
            self.assertNotEqual(r.returncode, 0, text)
            self.assertIn("bad.txt:2:", r.stderr)
            self.assertIn(what, r.stderr)

    def test_shipped_configs(self):
        """Every linux/cells/*.txt builds; tiny-cpu1 is what the test uses."""
        out = self.tmp / "shipped"
        out.mkdir()
        txts = sorted(str(p) for p in (ROOT / "linux" / "cells").glob("*.txt"))
        subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *txts],
                       check=True)
        self.assertEqual(self.read(out / "tiny-cpu1.cell"), [
            "size 144 claimed 144",
            "sig TNDMCELL rev 1 flags 0 name tiny",
            "cpus 0x2 entry 0x1000 timeout 10000 mem 2 pio 0",
            "mem 0x6000000 0 0x100000 0x7",
            "mem 0 0x100000 0x1000 0x13",
        ])


if __name__ == "__main__":
    unittest.main(verbosity=1)
