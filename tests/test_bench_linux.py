#!/usr/bin/env python3
"""Host test of scripts/bench_linux.py's judging, without an emulator: the
reason a boot failed (Tandem's error line, Xen's panic message, Linux's
panic, a timeout), the exits lines of linux/initramfs/bench/exits.sh turned
into per-second rates, the table never showing a number for a failed boot,
and the fallback initramfs being a newc archive with /init first in line."""

import gzip
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench_linux as bl  # noqa: E402


class FakeRun:
    def __init__(self, lines, reason="done", done=None):
        self.lines = lines
        self.reason = reason
        self.error = None
        self.done_at = (1.0, done) if done else None


class Reasons(unittest.TestCase):
    def test_tandem_error_line_not_its_done_line(self):
        run = FakeRun(["tandem: cpus: 2 online of 2 possible",
                       "tandem: ros: module 'ros x' is not a bootable Multiboot2 kernel: no header",
                       "tandem: done: no guest running; all CPUs idle"],
                      done="tandem: done: no guest running; all CPUs idle")
        self.assertRegex(bl.RE_FAIL.pattern, "tandem: done")
        self.assertEqual(bl.fail_reason(run, 100),
                         "ros: module 'ros x' is not a bootable Multiboot2 kernel: no header")

    def test_xen_panic_message(self):
        lines = ["(XEN) Failed to setup Dom0 physical memory map", "(XEN) ",
                 "(XEN) ****************************************", "(XEN) Panic on CPU 0:",
                 "(XEN) Could not construct domain 0",
                 "(XEN) ****************************************",
                 "(XEN) Manual reset required ('noreboot' specified)"]
        run = FakeRun(lines, done=lines[-1])
        self.assertTrue(bl.RE_FAIL.search(lines[-1]))
        self.assertEqual(bl.fail_reason(run, 100), "Xen panic: Could not construct domain 0")

    def test_linux_panic_and_timeout(self):
        line = "[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs"
        self.assertEqual(bl.fail_reason(FakeRun([line], done=line), 100), line)
        run = FakeRun(["(XEN) Freed 656kB init memory", ""], reason="timeout")
        self.assertEqual(bl.fail_reason(run, 300),
                         "no line in 300 s; last: (XEN) Freed 656kB init memory")

    def test_command_line_echo_is_not_a_failure(self):
        for line in ("[    0.000000] Command line: console=ttyS0 panic=-1 quiet",
                     "tandem: ros: starting on 2 CPUs with svm", "linux: initramfs up"):
            self.assertIsNone(bl.RE_FAIL.search(line), line)


def stats(cpu, base):
    vals = " ".join(f"{k} {base * (i + 1)}" for i, k in enumerate(bl.REASONS))
    return f"cpu {cpu} state running {vals}"


class Exits(unittest.TestCase):
    LINES = [
        "linux: initramfs up",
        "bench: exits: idle begin uptime=10.00",
        "bench: exits: idle begin " + stats(0, 100),
        "bench: exits: idle begin " + stats(1, 100),
        "bench: exits: idle end uptime=20.00",
        "bench: exits: idle end " + stats(0, 200),
        "bench: exits: idle end " + stats(1, 300),
        "bench: exits: load begin uptime=20.50",
        "bench: exits: load begin " + stats(0, 200),
        "bench: exits: load end uptime=25.50",
        "bench: exits: load end " + stats(0, 1200),
        "bench: exits: load: 4 workers, 17 rounds",
        "bench: exits: done",
    ]

    def test_rates(self):
        phases, errs = bl.parse_exits(self.LINES)
        self.assertEqual(errs, [])
        self.assertEqual(list(phases), ["idle", "load"])
        idle = phases["idle"]
        self.assertAlmostEqual(idle["secs"], 10.0)
        self.assertEqual(idle["cpus"][0]["exits"], 100)      # 200 - 100, reason 1
        self.assertEqual(idle["cpus"][1]["hlt"], 7 * 200)    # (300 - 100) * 7
        self.assertEqual(set(phases["load"]["cpus"]), {0})
        table = "\n".join(bl.exits_table(phases))
        # idle, all CPUs: exits (100 + 200) / 10 s = 30 per second
        self.assertRegex(table, r"all ROS CPUs\s+\| idle \(10\.0 s\) \|\s+30 \|")
        self.assertRegex(table, r"all ROS CPUs\s+\| load \(5\.0 s\)\s+\|\s+200 \|")

    def test_error_and_incomplete_phase(self):
        phases, errs = bl.parse_exits(["bench: exits: error: no tandemctl in the initramfs"])
        self.assertEqual((phases, errs), ({}, ["no tandemctl in the initramfs"]))
        phases, _ = bl.parse_exits(self.LINES[:6])   # idle end without CPU 1
        self.assertEqual(set(phases["idle"]["cpus"]), {0})
        phases, _ = bl.parse_exits(self.LINES[:4])   # no end at all
        self.assertEqual(phases, {})


class Table(unittest.TestCase):
    def test_failed_boot_has_no_number(self):
        res = [{"name": "native-pc", "kind": "native", "machine": "pc", "baseline": None,
                "runs": [{"total": 10.0, "kernel": 8.0, "why": None}] * 3,
                "total": 10.0, "kernel": 8.0},
               {"name": "tandem-pc", "kind": "tandem", "machine": "pc",
                "baseline": "native-pc", "runs": [{"total": None, "kernel": None,
                                                   "why": "ros: bad kernel"}] * 3,
                "total": None, "kernel": None},
               {"name": "xen-q35", "kind": "xen", "machine": "q35",
                "baseline": "native-pc",
                "runs": [{"total": 21.0, "kernel": 17.0, "why": None},
                         {"total": None, "kernel": None, "why": "timeout"}],
                "total": 21.0, "kernel": 17.0, "hv": 4.0}]
        out = bl.boot_table(res, 3)
        tandem = next(ln for ln in out if "Tandem" in ln)
        self.assertRegex(tandem, r"\| failed: ros: bad kernel$")
        self.assertNotRegex(tandem, r"\d+\.\d\d")
        xen = next(ln for ln in out if "Xen" in ln)
        self.assertRegex(xen, r"21\.00 \|\s+17\.00 \|\s+4\.00 \|\s+2\.10x \|\s+2\.12x \|\s+1/2$")


class Runs(unittest.TestCase):
    """boot() with a shell standing in for the emulator: it writes serial
    lines to the log, then would sleep for a minute."""

    def run_lines(self, lines, kind="tandem"):
        with tempfile.TemporaryDirectory() as tmp:
            text = "".join(ln + "\\n" for ln in lines)
            cmd = ["sh", "-c", f"printf '{text}' > {{log}}; sleep 60", "{iso}"]
            expect = [bl.RE_MARKER, bl.HANDOFF[kind]]
            t = time.monotonic()
            run = bl.boot("fake", cmd, Path(tmp) / "none.iso", tmp, 30, bl.RE_DONE, expect)
            return run, time.monotonic() - t

    def test_failure_ends_the_run_without_the_handoff(self):
        run, took = self.run_lines(["bench: grub loaded", "tandem: ros: bad module",
                                    "tandem: done: no guest running; all CPUs idle"])
        self.assertLess(took, 10)
        self.assertEqual(run.reason, "done")
        self.assertEqual(bl.fail_reason(run, 30), "ros: bad module")

    def test_line_times_marker_and_handoff(self):
        run, took = self.run_lines(["bench: grub loaded", "(XEN) Freed 656kB init memory",
                                    "linux: initramfs up"], kind="xen")
        self.assertLess(took, 10)
        self.assertRegex(run.done_at[1], bl.LINE_UP)
        self.assertIn(bl.HANDOFF["xen"], run.first)
        self.assertIn(bl.RE_MARKER, run.first)


class OwnInitrd(unittest.TestCase):
    def test_newc_with_init(self):
        with tempfile.TemporaryDirectory() as tmp:
            img = Path(tmp) / "i.img"
            bl.own_initrd(img)
            data = gzip.decompress(img.read_bytes())
            self.assertTrue(data.startswith(b"070701"))
            self.assertIn(b"TRAILER!!!", data)
            self.assertIn(b'echo "linux: initramfs up"', data)
            r = subprocess.run(["/bin/busybox", "cpio", "-t"], input=data,
                               capture_output=True)
            if r.returncode == 0:
                names = r.stdout.decode().split()
                self.assertIn("init", names)
                self.assertIn("bin/busybox", names)
                self.assertIn("bench/exits.sh", names)
            init = bl.OWN_INIT.splitlines()
            first = next(ln for ln in init if not ln.startswith("#"))
            self.assertEqual(first, 'echo "linux: initramfs up"')


if __name__ == "__main__":
    unittest.main()
