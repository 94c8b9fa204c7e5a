#!/usr/bin/env python3
"""Measure Tandem's performance figures on the emulated platforms and print
one table (called by scripts/bench.sh, which builds the ISOs first).

usage: scripts/bench_table.py --dir build/bench [--repeat K] [--only NAME,...]

Reads from DIR: tandem-bench.iso (Tandem + "ros bench"), tandem-boot.iso
(Tandem + "ros"), ros-native.iso (the ROS alone), ros-native-bench.iso (the
ROS alone with "bench"), static.json (image sizes, written by bench.sh).
Writes DIR/bench.txt (the table and notes), DIR/bench.json (every value)
and the serial logs under DIR/logs/.

Per platform, one emulator at a time (parallel runs distort timings):
  - K boots of Tandem + ROS and K native ROS boots, interleaved: wall
    seconds from emulator start to the first "ros: started" line, and to
    Tandem's "tandem: cpus:" line (medians);
  - one bench run under Tandem and one natively: the ROS's own "ros: bench:"
    lines (TSC rate, ns and cycles per call, exits per call).

Figures, not pass/fail: the exit status is 1 only when a figure could not
be measured at all (its cell reads "n/a"), 2 for usage errors.
"""

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from boottest import boot  # noqa: E402  (the harness's runner: process groups, serial polling)
import bench_hrt  # noqa: E402  (the HRT experiment: its rows, CSV and plot)

POLL = 0.01   # seconds between looks at serial: finer timing than the tests need

RE_STARTED = r"^ros: started"
RE_CPUS = r"^tandem: cpus:"
RE_BENCH_DONE = r"^ros: bench done"
RE_TSC = re.compile(r"^ros: bench: tsc khz=(\d+)")
HRT_KINDS = "hvmnull|hrtcall|hrtpoll|hrtpar|hrtirq|hrtparirq|hrtsync|pingpong|merge|event|signal|hrtboot"
KINDS = "hypercall|hcpage|cpuid|cellstate|" + HRT_KINDS
RE_LOOP = re.compile(r"^ros: bench: (" + KINDS + r") n=(\d+) cycles=(\d+) "
                     r"total_cycles=(\d+) ns=([0-9.]+|n/a) exits_per_call=([0-9.]+|n/a)"
                     r"(?: rounds=(\d+) min_ns=([0-9.]+|n/a) max_ns=([0-9.]+|n/a))?"
                     r"(?:.* us=([0-9]+|n/a))?")
RE_NOHV = re.compile(r"^ros: bench: (" + KINDS + r") no hypervisor")
RE_NOHRT = re.compile(r"^ros: bench: (" + HRT_KINDS + r") no HRT")
RE_JHCELL = re.compile(r"^ros: bench: jhcell start_us=(\d+) main_us=(\d+) timer_hz=(\d+) "
                       r"exits_per_irq=([0-9.]+) exits=(\d+) irqs=(\d+)")
RE_JHFAIL = re.compile(r"^ros: bench: jhcell (failed: .*|no hypervisor)")
RE_TROUBLE = re.compile(r"EXCEPTION|PANIC|triple fault")

# Bochs's emulated instructions per emulated second: the default is
# scripts/run-bochs.sh's (and the boot tests'); lower boots faster in wall time.
BOCHS_IPS = int(os.environ.get("BENCH_BOCHS_IPS", "50000000"))

PLATFORMS = [
    {"name": "qemu-svm", "title": "QEMU TCG SVM",
     "cmd": ["scripts/run-qemu.sh", "--smp", "4", "--cpu", "EPYC"], "timeout": 90},
    {"name": "bochs-vmx", "title": "Bochs VMX",
     "cmd": ["scripts/run-bochs.sh", "--cpus", "4", "--model", "corei7_skylake_x",
             "--ips", str(BOCHS_IPS)], "timeout": 300},
    {"name": "bochs-svm", "title": "Bochs SVM",
     "cmd": ["scripts/run-bochs.sh", "--cpus", "4", "--model", "ryzen",
             "--ips", str(BOCHS_IPS)], "timeout": 300},
]


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self, logdir, timeout_scale):
        self.logdir = logdir
        self.timeout_scale = timeout_scale
        self.stop = threading.Event()

    def boot(self, plat, tag, iso, done, expect=(), index=1, repeat=1):
        """One emulator run, stopped at @done (and every @expect line); its
        timing line is @done."""
        return boot(f"{plat['name']}.{tag}", plat["cmd"], iso, self.logdir,
                    plat["timeout"] * self.timeout_scale, done, expect=expect, timing=done,
                    index=index, repeat=repeat, poll=POLL, stop=self.stop)


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def num(s):
    return None if s in (None, "n/a") else float(s)


def parse_bench(lines):
    out = {"tsc_khz": None, "loops": {}, "no_hv": set(), "no_hrt": set(), "trouble": [],
           "jhcell": None, "jhcell_why": None}
    for line in lines:
        m = RE_TSC.search(line)
        if m:
            out["tsc_khz"] = int(m.group(1))
        m = RE_LOOP.search(line)
        if m:
            name = m.group(1)
            out["loops"][name] = {
                "n": int(m.group(2)), "cycles": int(m.group(3)),
                "total_cycles": int(m.group(4)),
                "ns": None if m.group(5) == "n/a" else float(m.group(5)),
                "exits_per_call": None if m.group(6) == "n/a" else float(m.group(6)),
                "rounds": int(m.group(7)) if m.group(7) else 1,
                "min_ns": num(m.group(8)), "max_ns": num(m.group(9)),
                "us": num(m.group(10)),
            }
        m = RE_JHCELL.search(line)
        if m:
            out["jhcell"] = {"start_us": int(m.group(1)), "main_us": int(m.group(2)),
                             "timer_hz": int(m.group(3)), "exits_per_irq": float(m.group(4)),
                             "exits": int(m.group(5)), "irqs": int(m.group(6))}
        m = RE_JHFAIL.search(line)
        if m:
            out["jhcell_why"] = m.group(1)
        m = RE_NOHV.search(line)
        if m:
            out["no_hv"].add(m.group(1))
        m = RE_NOHRT.search(line)
        if m:
            out["no_hrt"].add(m.group(1))
        if RE_TROUBLE.search(line):
            out["trouble"].append(line.strip())
    out["no_hv"] = sorted(out["no_hv"])
    out["no_hrt"] = sorted(out["no_hrt"])
    return out


def measure_platform(runner, plat, bdir, repeat):
    r = {"title": plat["title"], "notes": []}
    t_start, t_cpus, n_start = [], [], []
    for k in range(1, repeat + 1):
        run = runner.boot(plat, "tandem-boot", bdir / "tandem-boot.iso", RE_STARTED,
                          expect=[RE_CPUS], index=k, repeat=repeat)
        t_start.append(run.timing_at[0] if run.timing_at else None)
        t_cpus.append(run.first[RE_CPUS][0] if RE_CPUS in run.first else None)
        if not run.timing_at:
            r["notes"].append(f"Tandem boot {k}: no 'ros: started' ({run.why()})")
        run = runner.boot(plat, "native-boot", bdir / "ros-native.iso", RE_STARTED,
                          index=k, repeat=repeat)
        n_start.append(run.timing_at[0] if run.timing_at else None)
        if not run.timing_at:
            r["notes"].append(f"native boot {k}: no 'ros: started' ({run.why()})")
        say(f"  {plat['name']} boot {k}/{repeat}: Tandem "
            f"{fmt(t_start[-1], '{:.2f}')} s (tandem: cpus: {fmt(t_cpus[-1], '{:.2f}')} s), "
            f"native {fmt(n_start[-1], '{:.2f}')} s")
    r.update(boot_tandem=t_start, boot_cpus=t_cpus, boot_native=n_start,
             boot_tandem_med=median(t_start), boot_cpus_med=median(t_cpus),
             boot_native_med=median(n_start))

    run = runner.boot(plat, "tandem-bench", bdir / "tandem-bench.iso", RE_BENCH_DONE)
    r["bench"] = parse_bench(run.lines)
    r["bench"]["done"] = run.done_at is not None
    r["bench"]["elapsed"] = run.elapsed
    if run.done_at is None:
        r["notes"].append(f"bench under Tandem: no 'ros: bench done' ({run.why()})")
    say(f"  {plat['name']} bench under Tandem: {run.elapsed:.1f} s, "
        f"{'done' if run.done_at else 'NOT done'}")

    r["hrt_runs"] = bench_hrt.measure(runner, plat, bdir, parse_bench, RE_BENCH_DONE, say)
    for cores, b in r["hrt_runs"].items():
        if not b["done"]:
            r["notes"].append(f"bench with {cores} HRT core(s): no 'ros: bench done'")

    run = runner.boot(plat, "native-bench", bdir / "ros-native-bench.iso", RE_BENCH_DONE)
    r["native"] = parse_bench(run.lines)
    r["native"]["done"] = run.done_at is not None
    if run.done_at is None:
        r["notes"].append(f"native bench: no 'ros: bench done' ({run.why()})")
    say(f"  {plat['name']} native bench: {run.elapsed:.1f} s, "
        f"{'done' if run.done_at else 'NOT done'}")
    if r["bench"]["jhcell_why"]:
        r["notes"].append(f"bench under Tandem: jhcell {r['bench']['jhcell_why']}")
    for what in ("bench", "native"):
        for line in r[what]["trouble"][:3]:
            r["notes"].append(f"{what} run printed: {line}")
    return r


def fmt(v, spec):
    return "n/a" if v is None else spec.format(v)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def us(ns):
    return None if ns is None else ns / 1000


def loop(r, which, name, key):
    l = r[which]["loops"].get(name)
    return l.get(key) if l else None


def jhcell(r, key):
    j = r["bench"].get("jhcell")
    return j.get(key) if j else None


def build_rows(results, static):
    """-> list of (label, [cell per platform], measured?) ; None label = rule."""
    rows = []

    def row(label, vals, spec, required=True):
        rows.append((label, [fmt(v, spec) for v in vals],
                     [v is None and required for v in vals]))

    R = results

    def spread(name):
        cells = []
        for r in R:
            lo, hi = loop(r, "bench", name, "min_ns"), loop(r, "bench", name, "max_ns")
            cells.append(None if lo is None or hi is None else f"{lo:.0f}-{hi:.0f}")
        row("  spread over rounds (ns)", cells, "{}", required=False)
    row("boot to 'ros: started' under Tandem (s)", [r["boot_tandem_med"] for r in R], "{:.2f}")
    row("boot to 'ros: started' native (s)", [r["boot_native_med"] for r in R], "{:.2f}")
    row("  boot ratio Tandem / native",
        [ratio(r["boot_tandem_med"], r["boot_native_med"]) for r in R], "{:.2f}x")
    row("  boot overhead Tandem - native (s)",
        [None if None in (r["boot_tandem_med"], r["boot_native_med"])
         else r["boot_tandem_med"] - r["boot_native_med"] for r in R], "{:+.2f}")
    row("Tandem's own boot, to 'tandem: cpus:' (s)", [r["boot_cpus_med"] for r in R], "{:.2f}")
    rows.append(None)
    row("TSC rate, calibrated on PIT (MHz)",
        [None if r["bench"]["tsc_khz"] is None else r["bench"]["tsc_khz"] / 1000 for r in R],
        "{:.1f}")
    row("null hypercall, vmmcall/vmcall (ns)", [loop(r, "bench", "hypercall", "ns") for r in R],
        "{:.1f}")
    spread("hypercall")
    row("  cycles per call", [loop(r, "bench", "hypercall", "cycles") for r in R], "{}")
    row("  exits per call", [loop(r, "bench", "hypercall", "exits_per_call") for r in R],
        "{:.2f}")
    row("null hypercall, hypercall page (ns)", [loop(r, "bench", "hcpage", "ns") for r in R],
        "{:.1f}")
    spread("hcpage")
    row("  cycles per call", [loop(r, "bench", "hcpage", "cycles") for r in R], "{}")
    row("  exits per call", [loop(r, "bench", "hcpage", "exits_per_call") for r in R], "{:.2f}")
    row("bare intercepted exit, CPUID 0 (ns)", [loop(r, "bench", "cpuid", "ns") for r in R],
        "{:.1f}")
    spread("cpuid")
    row("  cycles per call", [loop(r, "bench", "cpuid", "cycles") for r in R], "{}")
    row("  exits per call", [loop(r, "bench", "cpuid", "exits_per_call") for r in R], "{:.2f}")
    row("hypercall / bare exit",
        [ratio(loop(r, "bench", "hypercall", "ns"), loop(r, "bench", "cpuid", "ns")) for r in R],
        "{:.2f}x")
    row("hypercall page / bare exit",
        [ratio(loop(r, "bench", "hcpage", "ns"), loop(r, "bench", "cpuid", "ns")) for r in R],
        "{:.2f}x")
    row("Cell Get State, cell 0 (ns)", [loop(r, "bench", "cellstate", "ns") for r in R],
        "{:.1f}")
    spread("cellstate")
    row("  exits per call", [loop(r, "bench", "cellstate", "exits_per_call") for r in R],
        "{:.2f}")
    row("  / bare exit",
        [ratio(loop(r, "bench", "cellstate", "ns"), loop(r, "bench", "cpuid", "ns")) for r in R],
        "{:.2f}x")
    row("HVM null downcall, 0xf00d request 0 (ns)",
        [loop(r, "bench", "hvmnull", "ns") for r in R], "{:.1f}")
    spread("hvmnull")
    row("  exits per call", [loop(r, "bench", "hvmnull", "exits_per_call") for r in R],
        "{:.2f}")
    row("  / bare exit",
        [ratio(loop(r, "bench", "hvmnull", "ns"), loop(r, "bench", "cpuid", "ns")) for r in R],
        "{:.2f}x")
    row("HRT boot, reboot to first answer (us, median)",
        [loop(r, "bench", "hrtboot", "us") for r in R], "{:.0f}")
    row("  exits per boot (CPU 0)",
        [loop(r, "bench", "hrtboot", "exits_per_call") for r in R], "{:.0f}")
    row("Jailhouse cell: Cell Start to first UART line (us)",
        [jhcell(r, "start_us") for r in R], "{}")
    row("  Cell Start to the inmate's C entry (us)", [jhcell(r, "main_us") for r in R], "{}")
    row("  APIC timer interrupts per second in the cell",
        [jhcell(r, "timer_hz") for r in R], "{}")
    row("  exits per interrupt (the cell's CPU)",
        [jhcell(r, "exits_per_irq") for r in R], "{:.2f}")
    row("native CPUID 0, no hypervisor (ns)", [loop(r, "native", "cpuid", "ns") for r in R],
        "{:.1f}")
    row("  cycles per call", [loop(r, "native", "cpuid", "cycles") for r in R], "{}")
    row("  CPUID under Tandem / native",
        [ratio(loop(r, "bench", "cpuid", "ns"), loop(r, "native", "cpuid", "ns")) for r in R],
        "{:.0f}x")
    rows.append(None)
    bench_hrt.rows(R, row)
    rows.append(None)
    n = len(R)
    for label, key in (("image text (bytes)", "text"), ("image data (bytes)", "data"),
                       ("image bss (bytes)", "bss"), ("core size, image header (bytes)",
                                                      "core_size"),
                       ("per-CPU data (bytes)", "per_cpu_size")):
        row(label, [static.get(key)] * n, "{}")
    return rows


def render(rows, titles):
    head = ["figure"] + titles
    w0 = max([len(head[0])] + [len(r[0]) for r in rows if r])
    ws = [max([len(t)] + [len(r[1][i]) for r in rows if r]) for i, t in enumerate(titles)]
    out = [" | ".join([head[0].ljust(w0)] + [t.rjust(w) for t, w in zip(titles, ws)])]
    rule = "-+-".join(["-" * w0] + ["-" * w for w in ws])
    out.append(rule)
    for r in rows:
        if r is None:
            out.append(rule)
            continue
        out.append(" | ".join([r[0].ljust(w0)] + [c.rjust(w) for c, w in zip(r[1], ws)]))
    return out


def main():
    ap = argparse.ArgumentParser(description="Tandem performance table (figures, not pass/fail).")
    ap.add_argument("--dir", default=str(ROOT / "build" / "bench"))
    ap.add_argument("--repeat", type=int, default=3, help="boots per median (default 3)")
    ap.add_argument("--only", default="", help="comma-separated platform names")
    ap.add_argument("--timeout-scale", type=float,
                    default=float(os.environ.get("BOOTTEST_TIMEOUT_SCALE", "1")))
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    bdir = Path(args.dir).resolve()
    for iso in ("tandem-bench.iso", "tandem-bench-hrt1.iso", "tandem-bench-hrt3.iso",
                "tandem-boot.iso", "ros-native.iso", "ros-native-bench.iso"):
        if not (bdir / iso).is_file():
            raise SystemExit(f"bench_table: {bdir / iso} missing (run scripts/bench.sh)")
    try:
        static = json.loads((bdir / "static.json").read_text())
    except (OSError, ValueError):
        static = {}
    plats = PLATFORMS
    if args.only:
        want = [w for w in args.only.split(",") if w]
        plats = [p for p in PLATFORMS if p["name"] in want]
        if not plats:
            raise SystemExit(f"bench_table: no platform among {args.only}; "
                             f"have {', '.join(p['name'] for p in PLATFORMS)}")
    logdir = bdir / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    runner = Runner(logdir, args.timeout_scale)

    t0 = time.monotonic()
    load = os.getloadavg()[0]
    results = []
    try:
        for plat in plats:
            say(f"bench: {plat['title']} ({' '.join(plat['cmd'])})")
            results.append(measure_platform(runner, plat, bdir, args.repeat))
    except KeyboardInterrupt:
        runner.stop.set()
        say("bench: interrupted")
        return 130
    elapsed = time.monotonic() - t0

    rows = build_rows(results, static)
    titles = [r["title"] for r in results]
    n_ov = results[0]["bench"]["loops"].get("cpuid", {}).get("n") if results else None
    rounds_ov = results[0]["bench"]["loops"].get("cpuid", {}).get("rounds") if results else None
    lines = [f"Tandem performance figures ({time.strftime('%Y-%m-%d %H:%M')}; "
             f"{os.cpu_count()} host cores, load average {load:.2f} at start; "
             f"boot times are medians of {args.repeat}; n={n_ov or '?'} calls of each kind)",
             ""]
    lines += render(rows, titles)
    lines += [
        "",
        "Notes:",
        "- Boot times are wall seconds from emulator start (BIOS, GRUB with timeout 0) to the",
        "  first matching serial line; native = the same ROS image booted by GRUB without Tandem.",
        "  Serial lines are polled every 10 ms.",
        "- ns and cycles per call are measured by the ROS itself with the TSC (calibrated against",
        f"  PIT channel 2): after a warm-up, the n calls of each kind run in {rounds_ov or '?'} rounds,",
        "  the kinds interleaved; the figure is the median round, 'spread' the fastest and",
        "  slowest round. Exits per call come from Tandem's exit counter of CPU 0 (CPU Get",
        "  State type 1000), less the one Get State exit around each round.",
        "- The null hypercall is Hypervisor Get Info type 4 (number of cells); the bare",
        "  intercepted exit is CPUID leaf 0, which Tandem intercepts like every CPUID.",
        "- QEMU TCG: the TSC follows the host clock, so ns are wall time of the emulation.",
        "- Bochs time is emulated: its TSC counts emulated instructions (cycles = instructions,",
        f"  ns = instructions / ips, ips={BOCHS_IPS}), and Bochs wall times (boots) depend on",
        "  the ips setting. Compare ratios, not absolute values, across emulators.",
        "- Cell Get State is hypercall 6 of cell 0 (the root cell: answers 0). HRT boot: the",
        "  median of 3 reboots (0xf00d request 2) timed until an invoke of function 0 completes.",
        "- Jailhouse cell: the jhtest inmate of cells/jh/ in a cell made from its Jailhouse",
        "  description on the ROS's spare AP, once per platform (main bench run): microseconds",
        "  of the ROS's TSC from Cell Start to the inmate's first UART line and to its C entry;",
        "  the rate of its x2APIC timer (programmed for 1000 Hz; emulators on a loaded host",
        "  drop periods); exits of its CPU (CPU Get State type 1000) over the 1000-interrupt",
        "  window, per interrupt.",
        "- The HRT table (also in hrt.csv; hrt.png plots invoke latency against HRT cores):",
        "  every call runs from CPU 0 of the ROS (CPL 0; the signal row from a CPL 3 process)",
        "  with HRT function 0 (NULL) unless said. Async invoke waits on the completion word",
        "  Tandem writes (RSI of 0x20/0x21); the polling row waits as Palacios's library does,",
        "  an exit per poll. The halted rows name a completion vector too (RDI) and wait in",
        "  HLT until it comes (its EOI is their second exit). Parallel invoke runs on every",
        "  HRT core. Under QEMU every vCPU is a host thread, and a parallel invoke keeps",
        "  cores + 1 of them busy at once: with fewer host cores they take turns. The",
        "  synchronous call goes through the shared block after merge and set-up (0x28); its",
        "  baseline is a plain ping-pong on one shared word between the same two CPUs (HRT",
        "  function 18). Merge is a merge and an unmerge, each waited for by polling. The",
        "  event row is an invoke of function 12: the HRT forwards a system call, the ROS",
        "  answers with 0x1f. The signal row: a CPL 3 process raises 0x41 for itself; Tandem",
        "  delivers it on return.",
        "  Rows by core count come from boots with hrt_cpus=1, 2 (the main run) and 3.",
        "- Emulators ran one at a time with 4 CPUs (under Tandem with an HRT: 2 for the ROS,",
        f"  2 for the HRT); this run took {elapsed:.0f} s of emulation.",
    ]
    missing = []
    for r in results:
        for n in r["notes"]:
            lines.append(f"- {r['title']}: {n}")
    for row in rows:
        if row is None:
            continue
        for i, miss in enumerate(row[2]):
            if miss:
                missing.append(f"{row[0].strip()} on {titles[i]}")
    if missing:
        lines.append("- NOT MEASURED: " + "; ".join(missing))
    details = ["", "Individual boots (s), Tandem to 'ros: started' / to 'tandem: cpus:' / native:"]
    for r in results:
        details.append(f"  {r['title']}: " + " ".join(fmt(v, "{:.2f}") for v in r["boot_tandem"])
                       + " / " + " ".join(fmt(v, "{:.2f}") for v in r["boot_cpus"])
                       + " / " + " ".join(fmt(v, "{:.2f}") for v in r["boot_native"]))
    lines += details
    bench_hrt.write_csv(results, bdir / "hrt.csv")
    why = bench_hrt.plot(results, bdir)
    lines.append(f"HRT figures: {bdir / 'hrt.csv'}; plot: "
                 + (str(bdir / "hrt.png") if why is None else f"none ({why})"))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    (bdir / "bench.txt").write_text(text)
    with open(bdir / "bench.json", "w") as f:
        json.dump({"static": static, "platforms": results, "missing": missing,
                   "elapsed": elapsed}, f, indent=2, default=list)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
