"""The HRT experiment of make bench (imported by scripts/bench_table.py):
function calls between the ROS and the HRT on 1, 2 and 3 HRT cores.

Per platform, bench_table.py's run of tandem-bench.iso (2 HRT cores) gives
every row; tandem-bench-hrt1.iso and tandem-bench-hrt3.iso (1 and 3 HRT
cores, the ROS on 2 CPUs as always) give invoke and parallel invoke again.
Every figure is the ROS's own "ros: bench:" line: the median round and the
fastest and slowest round (ns per call), and exits of the calling CPU per
call. Writes hrt.csv (one row per figure, platform and core count) and
hrt.png (latency against HRT core count, gnuplot), and returns the rows of
the HRT table.
"""

import csv
import shutil
import subprocess

# (bench line name, figure, what it is)
FIGURES = [
    ("hvmnull", "null downcall (0xf00d request 0)"),
    ("hrtcall", "async invoke, completion word"),
    ("hrtpoll", "async invoke, polling get state (Palacios)"),
    ("hrtpar", "parallel invoke, completion word"),
    ("hrtirq", "async invoke, halted until the completion interrupt"),
    ("hrtparirq", "parallel invoke, halted until the completion interrupt"),
    ("hrtsync", "synchronous call (after 0x28)"),
    ("pingpong", "baseline: shared-memory ping-pong"),
    ("merge", "merge + unmerge (0x30, 0x31)"),
    ("event", "invoke with a forwarded system call event"),
    ("signal", "user signal raised and taken (0x41)"),
]
CORE_COUNTS = (1, 2, 3)
# Row names that the 1- and 3-core runs measure again.
BY_CORES = ("hrtcall", "hrtpar", "hrtparirq")


def cmd_with_cpus(cmd, cpus):
    """The emulator command with @cpus CPUs (--smp for QEMU, --cpus for Bochs)."""
    out = list(cmd)
    for flag in ("--smp", "--cpus"):
        if flag in out:
            out[out.index(flag) + 1] = str(cpus)
    return out


def measure(runner, plat, bdir, parse_bench, re_done, say):
    """Boots the 1- and 3-core bench ISOs on @plat: {cores: parsed bench}."""
    runs = {}
    for cores in (1, 3):
        iso = bdir / f"tandem-bench-hrt{cores}.iso"
        p = dict(plat, cmd=cmd_with_cpus(plat["cmd"], cores + 2))
        run = runner.boot(p, f"tandem-bench-hrt{cores}", iso, re_done)
        runs[cores] = parse_bench(run.lines)
        runs[cores]["done"] = run.done_at is not None
        say(f"  {plat['name']} bench with {cores} HRT core(s): {run.elapsed:.1f} s, "
            f"{'done' if run.done_at else 'NOT done'}")
    return runs


def figure(result, cores, name, key):
    """@key of bench line @name on @cores HRT cores (2: the main run)."""
    b = result["bench"] if cores == 2 else result.get("hrt_runs", {}).get(cores)
    if not b:
        return None
    line = b["loops"].get(name)
    return line.get(key) if line else None


def rows(results, fmt_row):
    """The HRT table: latency (us), spread, exits, and ratios against the
    baseline of the same run. @fmt_row(label, values, spec, required)."""
    def us(v):
        return None if v is None else v / 1000

    def ratio(a, b):
        return a / b if a is not None and b not in (None, 0) else None

    for name, label in FIGURES:
        fmt_row(f"{label} (us)", [us(figure(r, 2, name, "ns")) for r in results], "{:.2f}",
                True)
        fmt_row("  spread over rounds (us)",
                [None if figure(r, 2, name, "min_ns") is None else
                 f"{figure(r, 2, name, 'min_ns') / 1000:.2f}-"
                 f"{figure(r, 2, name, 'max_ns') / 1000:.2f}" for r in results], "{}", False)
        fmt_row("  exits per call (calling CPU)",
                [figure(r, 2, name, "exits_per_call") for r in results], "{:.2f}", True)
    fmt_row("synchronous call / ping-pong baseline",
            [ratio(figure(r, 2, "hrtsync", "ns"), figure(r, 2, "pingpong", "ns"))
             for r in results], "{:.2f}x", True)
    fmt_row("async invoke / null downcall",
            [ratio(figure(r, 2, "hrtcall", "ns"), figure(r, 2, "hvmnull", "ns"))
             for r in results], "{:.1f}x", True)
    for cores in CORE_COUNTS:
        fmt_row(f"invoke, {cores} HRT core(s) (us)",
                [us(figure(r, cores, "hrtcall", "ns")) for r in results], "{:.2f}", True)
        for name, how in (("hrtpar", "waiting on the word"),
                          ("hrtparirq", "halted until the interrupt")):
            fmt_row(f"parallel invoke on {cores} HRT core(s), {how} (us)",
                    [us(figure(r, cores, name, "ns")) for r in results], "{:.2f}", True)
            fmt_row("  / single invoke of the same run",
                    [ratio(figure(r, cores, name, "ns"), figure(r, cores, "hrtcall", "ns"))
                     for r in results], "{:.2f}x", True)
            fmt_row("  exits per call (calling CPU)",
                    [figure(r, cores, name, "exits_per_call") for r in results], "{:.2f}",
                    True)


def write_csv(results, path):
    """One row per figure, platform and HRT core count."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["platform", "figure", "hrt_cores", "median_ns", "min_ns", "max_ns",
                    "exits_per_call", "calls"])
        for r in results:
            for cores in CORE_COUNTS:
                for name, _ in FIGURES:
                    if cores != 2 and name not in BY_CORES:
                        continue
                    ns = figure(r, cores, name, "ns")
                    if ns is None:
                        continue
                    w.writerow([r["title"], name, cores, ns,
                                figure(r, cores, name, "min_ns"),
                                figure(r, cores, name, "max_ns"),
                                figure(r, cores, name, "exits_per_call"),
                                figure(r, cores, name, "n")])


def plot(results, bdir):
    """hrt.png: invoke and parallel invoke latency against HRT core count,
    one line per platform and kind (gnuplot; None without it)."""
    if not shutil.which("gnuplot"):
        return "gnuplot not installed (scripts/install-deps.sh installs gnuplot-nox)"
    data = bdir / "hrt-plot.dat"
    series = []
    with open(data, "w") as f:
        for r in results:
            for name, label in (("hrtcall", "invoke"), ("hrtpar", "parallel invoke"),
                                ("hrtparirq", "parallel invoke, halted")):
                pts = [(c, figure(r, c, name, "ns"), figure(r, c, name, "min_ns"),
                        figure(r, c, name, "max_ns")) for c in CORE_COUNTS]
                pts = [p for p in pts if None not in p]
                if not pts:
                    continue
                f.write(f"# {r['title']}: {label}\n")
                for c, ns, lo, hi in pts:
                    f.write(f"{c} {ns / 1000} {lo / 1000} {hi / 1000}\n")
                f.write("\n\n")
                series.append(f"{r['title']}: {label}")
    if not series:
        return "nothing to plot"
    plots = ", ".join(
        f"'{data}' index {i} using 1:2:3:4 with yerrorlines title '{t}'"
        for i, t in enumerate(series))
    script = "\n".join([
        "set terminal png size 900,600",
        f"set output '{bdir / 'hrt.png'}'",
        "set title 'Tandem: HRT function calls from the ROS (median round, bars: fastest-slowest)'",
        "set xlabel 'HRT cores'",
        "set ylabel 'latency per call (us)'",
        "set xrange [0.5:3.5]",
        "set xtics 1",
        "set logscale y",
        "set key outside bottom center horizontal",
        f"plot {plots}",
    ])
    p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    return None if p.returncode == 0 else f"gnuplot failed: {p.stderr.strip()[:200]}"
