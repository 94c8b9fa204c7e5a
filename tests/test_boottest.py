#!/usr/bin/env python3
"""Host test of scripts/boottest.py's judging of TAP streams ("checks" and
"checks_min") and of platform groups, on made-up serial lines (no
emulator)."""

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import boottest  # noqa: E402


def verdict(lines, checks=None, checks_min=None):
    plat = boottest.Platform("t", ["true"], 10, "^done", checks=checks, checks_min=checks_min,
                             forbid=[])
    run = boottest.Run(plat, Path("/nonexistent.iso"), Path(tempfile.gettempdir()))
    run.scan(lines, 0.0)
    run.reason = "done"
    return run.tap_verdict()


def oks(n, first=1):
    return [f"ok {k} - check {k}" for k in range(first, first + n)]


class ChecksMin(unittest.TestCase):
    def test_plan_last(self):
        ok, text = verdict(oks(13) + ["1..13"], checks_min=13)
        self.assertTrue(ok, text)

    def test_plan_first_and_more_checks(self):
        ok, text = verdict(["1..15"] + oks(15), checks_min=13)
        self.assertTrue(ok, text)

    def test_diagnostics_and_other_lines_ignored(self):
        ok, text = verdict(["linux: running 10-boot.sh", "ok 1 - a", "# diag", "ok 2 - b",
                            "[ 3.1] some kernel line", "1..2"], checks_min=2)
        self.assertTrue(ok, text)

    def test_fewer_than_min(self):
        ok, text = verdict(oks(12) + ["1..12"], checks_min=13)
        self.assertFalse(ok)
        self.assertIn("at least 13", text)

    def test_plan_in_the_middle(self):
        ok, text = verdict(oks(5) + ["1..13"] + oks(8, 6), checks_min=13)
        self.assertFalse(ok)
        self.assertIn("first or last", text)

    def test_no_plan(self):
        ok, text = verdict(oks(13), checks_min=13)
        self.assertFalse(ok)
        self.assertIn("no TAP plan", text)

    def test_two_plans(self):
        ok, _ = verdict(["1..13"] + oks(13) + ["1..13"], checks_min=13)
        self.assertFalse(ok)

    def test_not_ok(self):
        lines = oks(13) + ["1..13"]
        lines[4] = "not ok 5 - check 5"
        ok, text = verdict(lines, checks_min=13)
        self.assertFalse(ok)
        self.assertIn("1 check(s) not ok", text)

    def test_missing_check(self):
        lines = oks(14) + ["1..14"]
        del lines[6]
        ok, text = verdict(lines, checks_min=13)
        self.assertFalse(ok)
        self.assertIn("missing or out of order", text)

    def test_plan_larger_than_checks(self):
        ok, text = verdict(oks(13) + ["1..14"], checks_min=13)
        self.assertFalse(ok)


class ChecksExact(unittest.TestCase):
    def test_plan_first(self):
        ok, text = verdict(["1..3"] + oks(3), checks=3)
        self.assertTrue(ok, text)

    def test_plan_last_refused(self):
        ok, text = verdict(oks(3) + ["1..3"], checks=3)
        self.assertFalse(ok)
        self.assertIn("want it first", text)

    def test_other_count(self):
        ok, _ = verdict(["1..4"] + oks(4), checks=3)
        self.assertFalse(ok)

    def test_both_keys_refused(self):
        with self.assertRaises(SystemExit):
            boottest.Platform("t", ["true"], 10, "^done", checks=3, checks_min=3)


class Groups(unittest.TestCase):
    """--group picks platforms; the real plan is valid and has the Linux
    platforms where the Makefile expects them."""

    def listing(self, plan, *args):
        r = subprocess.run([sys.executable, str(ROOT / "scripts/boottest.py"), "--plan",
                            str(plan), "--list", *args], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return {line.split("\t")[0]: line.split("\t")[1] for line in r.stdout.splitlines()}

    def test_real_plan(self):
        groups = self.listing(ROOT / "tests/boot-plan.json")
        self.assertEqual(groups["linux-native-bios"], "default")
        self.assertEqual(groups["qemu-bios"], "default")
        for name in ("linux-qemu-bios", "linux-qemu-uefi", "linux-bochs-vmx",
                     "linux-native-bochs"):
            self.assertIn(name, groups)

    def test_empty_group_runs_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            plan = Path(d) / "plan.json"
            plan.write_text(json.dumps({"platforms": [
                {"name": "a", "cmd": ["false"], "group": "off"}]}))
            r = subprocess.run([sys.executable, str(ROOT / "scripts/boottest.py"), "--plan",
                                str(plan), "--iso", "/nonexistent", "--logdir", d],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("no platform in group(s) default", r.stdout)
            r = subprocess.run([sys.executable, str(ROOT / "scripts/boottest.py"), "--plan",
                                str(plan), "--iso", "/nonexistent", "--only", "a",
                                "--logdir", d], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)   # run by name: no ISO there


class Com2(unittest.TestCase):
    """The second serial port's lines (LOG.com2) count as "com2: TEXT" for
    "expect" and "forbid", never for TAP or the done line."""

    def run_of(self, com1, com2, expect):
        plat = boottest.Platform("t", ["true"], 10, "^done", expect=expect, checks=1,
                                 forbid=["^com2: PANIC"])
        run = boottest.Run(plat, Path("/nonexistent.iso"), Path(tempfile.gettempdir()))
        run.scan(com1, 0.0)
        run.scan_com2(com2, 0.0)
        return run

    def test_expect_matches_com2_line(self):
        run = self.run_of(["1..1", "ok 1 - a", "done"], ["jhtest: hello"], ["^com2: jhtest: hello$"])
        self.assertTrue(run.complete())

    def test_com1_line_is_not_com2(self):
        run = self.run_of(["1..1", "ok 1 - a", "jhtest: hello", "done"], [],
                          ["^com2: jhtest: hello$"])
        self.assertFalse(run.complete())

    def test_com2_never_tap_or_done(self):
        run = self.run_of(["1..1"], ["ok 1 - a", "done"], [])
        self.assertEqual(run.tap, [])
        self.assertIsNone(run.done_at)

    def test_forbid_on_com2(self):
        run = self.run_of([], ["PANIC in a cell"], [])
        self.assertEqual(len(run.forbidden), 1)


if __name__ == "__main__":
    unittest.main()
