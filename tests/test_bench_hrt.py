#!/usr/bin/env python3
"""Host test of scripts/bench_hrt.py, without an emulator: the ROS's bench
lines of the HRT rows parsed by bench_table.py, the emulator command given
the CPUs of each HRT core count, the table never showing a number that was
not measured, and hrt.csv holding each figure once per core count."""

import csv
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench_hrt  # noqa: E402
import bench_table  # noqa: E402


def line(name, ns, exits="1.00"):
    return (f"ros: bench: {name} n=200 cycles=1 total_cycles=5 ns={ns} "
            f"exits_per_call={exits} rounds=5 min_ns={ns} max_ns={ns}")


MAIN = [line("hvmnull", "2000.0"), line("hrtcall", "200000.0"),
        line("hrtpoll", "300000.0", "9.50"), line("hrtpar", "250000.0"),
        line("hrtirq", "260000.0", "2.00"), line("hrtparirq", "270000.0", "2.00"),
        line("hrtsync", "4000.0", "0.00"), line("pingpong", "2500.0", "0.03"),
        line("merge", "900000.0", "40.00"), line("event", "800000.0", "30.00"),
        line("signal", "5000.0"), "ros: bench done"]


def result(title="QEMU", hrt3=True):
    r = {"title": title, "bench": bench_table.parse_bench(MAIN), "hrt_runs": {
        1: bench_table.parse_bench([line("hrtcall", "190000.0"),
                                    line("hrtpar", "195000.0"),
                                    line("hrtparirq", "250000.0", "2.00")])}}
    if hrt3:
        r["hrt_runs"][3] = bench_table.parse_bench([line("hrtcall", "210000.0"),
                                                    line("hrtpar", "300000.0"),
                                                    line("hrtparirq", "315000.0", "2.00")])
    return r


class Parse(unittest.TestCase):
    def test_every_hrt_row_parsed(self):
        b = bench_table.parse_bench(MAIN)
        for name, _ in bench_hrt.FIGURES:
            self.assertIn(name, b["loops"], name)
        self.assertEqual(b["loops"]["hrtpoll"]["exits_per_call"], 9.5)

    def test_no_hrt_lines(self):
        b = bench_table.parse_bench(["ros: bench: pingpong no HRT",
                                     "ros: bench: signal no HRT"])
        self.assertEqual(b["no_hrt"], ["pingpong", "signal"])


class Command(unittest.TestCase):
    def test_cpus_for_qemu_and_bochs(self):
        self.assertEqual(bench_hrt.cmd_with_cpus(["run-qemu.sh", "--smp", "4"], 5),
                         ["run-qemu.sh", "--smp", "5"])
        self.assertEqual(bench_hrt.cmd_with_cpus(["run-bochs.sh", "--cpus", "4", "--ips", "9"],
                                                 3),
                         ["run-bochs.sh", "--cpus", "3", "--ips", "9"])


class Table(unittest.TestCase):
    def rows(self, results):
        out = []
        bench_hrt.rows(results, lambda label, vals, spec, req: out.append(
            (label, [bench_table.fmt(v, spec) for v in vals],
             [v is None and req for v in vals])))
        return out

    def cells(self, rows, label, after=0):
        """The cells of @label, or of the row @after rows below it."""
        i = [r[0] for r in rows].index(label)
        return rows[i + after][1:]

    def test_ratios_against_the_same_run(self):
        t = self.rows([result()])
        self.assertEqual(self.cells(t, "synchronous call / ping-pong baseline")[0], ["1.60x"])
        word = "parallel invoke on 3 HRT core(s), waiting on the word (us)"
        halted = "parallel invoke on 3 HRT core(s), halted until the interrupt (us)"
        self.assertEqual(self.cells(t, word)[0], ["300.00"])
        self.assertEqual(self.cells(t, word, 1)[0], ["1.43x"])
        self.assertEqual(self.cells(t, halted)[0], ["315.00"])
        self.assertEqual(self.cells(t, halted, 1)[0], ["1.50x"])
        self.assertEqual(self.cells(t, halted, 2)[0], ["2.00"])

    def test_a_missing_run_is_not_measured(self):
        t = self.rows([result(hrt3=False)])
        cells, missing = self.cells(t, "invoke, 3 HRT core(s) (us)")
        self.assertEqual(cells, ["n/a"])
        self.assertEqual(missing, [True])


class Csv(unittest.TestCase):
    def test_one_row_per_figure_and_core_count(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "hrt.csv"
            bench_hrt.write_csv([result()], path)
            with open(path) as f:
                rows = list(csv.DictReader(f))
        keys = [(r["figure"], r["hrt_cores"]) for r in rows]
        self.assertEqual(len(keys), len(set(keys)))
        # every figure of the main run, and the by-core ones of runs 1 and 3
        self.assertEqual(len(rows), len(bench_hrt.FIGURES) + 2 * len(bench_hrt.BY_CORES))
        self.assertIn(("hrtpar", "3"), keys)
        self.assertIn(("hrtparirq", "1"), keys)
        self.assertNotIn(("merge", "3"), keys)


if __name__ == "__main__":
    unittest.main()
