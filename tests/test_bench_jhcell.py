#!/usr/bin/env python3
"""Host test of scripts/bench_table.py's Jailhouse-cell rows, without an
emulator: the ROS's "ros: bench: jhcell ..." line parsed (ros/bench.h), a
failure line kept as a note, and the rows reading n/a (and counting as not
measured) when the line is missing."""

import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench_table  # noqa: E402

GOOD = ("ros: bench: jhcell start_us=5123 main_us=4800 timer_hz=998 "
        "exits_per_irq=2.04 exits=2041 irqs=1000 cpu=1")
LABELS = ("Jailhouse cell: Cell Start to first UART line (us)",
          "  APIC timer interrupts per second in the cell",
          "  exits per interrupt (the cell's CPU)")


def result(lines):
    b = bench_table.parse_bench(lines)
    return {"title": "T", "bench": b, "native": bench_table.parse_bench([]),
            "hrt_runs": {}, "boot_tandem_med": 1.0, "boot_native_med": 1.0,
            "boot_cpus_med": 1.0}


def cells(rows, label):
    for r in rows:
        if r and r[0] == label:
            return r[1], r[2]
    raise AssertionError(f"no row {label!r}")


class JhCell(unittest.TestCase):
    def test_parsed(self):
        j = bench_table.parse_bench([GOOD])["jhcell"]
        self.assertEqual(j, {"start_us": 5123, "main_us": 4800, "timer_hz": 998,
                             "exits_per_irq": 2.04, "exits": 2041, "irqs": 1000})

    def test_rows(self):
        rows = bench_table.build_rows([result([GOOD])], {})
        self.assertEqual(cells(rows, LABELS[0]), (["5123"], [False]))
        self.assertEqual(cells(rows, LABELS[1]), (["998"], [False]))
        self.assertEqual(cells(rows, LABELS[2]), (["2.04"], [False]))

    def test_failure_is_not_a_number(self):
        b = bench_table.parse_bench(["ros: bench: jhcell failed: phase 2 (before the timer)"])
        self.assertIsNone(b["jhcell"])
        self.assertEqual(b["jhcell_why"], "failed: phase 2 (before the timer)")
        rows = bench_table.build_rows([result(["ros: bench: jhcell failed: x"])], {})
        for label in LABELS:
            self.assertEqual(cells(rows, label), (["n/a"], [True]))


if __name__ == "__main__":
    unittest.main()
