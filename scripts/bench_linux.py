#!/usr/bin/env python3
"""Linux boot-time table of `make bench` (issue 11): the same Debian kernel
and initramfs booted by GRUB alone, as Tandem's ROS, and as Xen 4.17's PVH
dom0, timed to the initramfs's first line; plus, with --exits, Tandem's
exit counters of the ROS's CPUs while Linux idles and under load.

usage: scripts/bench_linux.py [--dir build/bench] [--repeat K]
                              [--only native,tandem,xen] [--machines pc,q35,bochs]
                              [--exits] [--verbose-kernel]
                              [--vmlinuz F] [--initrd F] [--tandem F]

Inputs (defaults): build/linux/vmlinuz and build/linux/initrd.img (infra's
linux/linux.mk), build/tandem.elf. When build/linux/initrd.img is missing
the bench packs its own minimal initramfs (busybox-static's /bin/busybox
and an init that prints "linux: initramfs up" first), and says so in the
notes. Xen is Debian's xen-hypervisor-4.17-amd64, fetched with `apt-get
download` + `dpkg -x` into DIR/xen/ the first time (never committed, never
part of `make test`).

Writes DIR/linux/*.iso (GRUB: timeout 0, serial console, "echo" of a marker
line after every image is loaded), DIR/linux.txt (the tables and notes),
DIR/linux.json (every value), serial logs under DIR/linux/logs/.

What is measured (host wall clock, serial log polled every 10 ms):
  total  = QEMU start (run-qemu.sh launched) -> the line "linux: initramfs up"
  kernel = GRUB's marker "bench: grub loaded" (printed by grub.cfg after
           GRUB has read every image from the CD, just before `boot`)
           -> the same line: what follows the firmware and GRUB.
  hypervisor = the marker -> the hypervisor's hand-off line (Tandem's
           "ros: starting on", Xen's "Freed ...kB init memory").
Medians of K boots; the configurations run interleaved (boot k of each
before boot k+1 of any), one emulator at a time.

Boot configurations, each on the machine it is compared on:
  pc:   QEMU i440fx + SeaBIOS, -cpu EPYC (the linux-qemu-bios test machine)
  q35:  QEMU q35 + SeaBIOS, -cpu qemu64,+svm,+npt,
        -device intel-iommu,intremap=on,aw-bits=48
        (what Xen's PVH dom0 needs under TCG: the issue's machine)
  bochs: Bochs corei7_skylake_x (Intel VMX with EPT; the linux-bochs-vmx
        test machine): minutes per boot, and Bochs's time is emulated, so
        only the wall-clock ratio means anything
Native and Tandem run on all three, Xen on q35 only; ratios are against
native on the same machine. 2 CPUs and 512 MiB everywhere.

--exits: one boot of Tandem + Linux (pc machine) with "tinit.mode=bench
tinit.bench=exits" on the kernel command line; the initramfs's init runs
/bench/exits.sh (linux/initramfs/bench/exits.sh), which prints `tandemctl
cell stats 0` around `sleep 10` (idle) and around 10 s of load; the table
gives exits per second by reason. See exits.sh for the line contract.

Figures, not pass/fail: a configuration that does not reach the line gets
"failed: <reason>" (never a number); the exit status is 1 when a figure
could not be measured, 2 for usage errors.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from boottest import Platform, Run  # noqa: E402  (the harness's runner)

POLL = 0.01
LINE_UP = r"^linux: initramfs up"
MARKER = "bench: grub loaded"
RE_MARKER = r"^bench: grub loaded"
# Where a hypervisor hands over to Linux: its own boot is marker -> this.
# (A boot that never prints it still counts; the run then lasts until the
# emulator exits, which init's poweroff does.)
HANDOFF = {"tandem": r"^tandem: ros: starting on", "xen": r"^\(XEN\) Freed \d+kB init memory"}
# A boot that will not reach the line: stop at once, the line is the reason.
RE_FAIL = re.compile(r"Kernel panic - not syncing|^tandem: PANIC|^tandem: done|"
                     r"triple fault|^\(XEN\) Manual reset required|^\(XEN\) Reboot in")
RE_DONE = LINE_UP + "|" + RE_FAIL.pattern

XEN_PKG = "xen-hypervisor-4.17-amd64"
LINUX_ARGS = "panic=-1 quiet"
# Xen: PVH dom0 with every CPU; its console (and with it dom0's hvc0) on
# com1. noreboot keeps a crash on the serial port instead of a silent reset.
XEN_OPTS = "dom0=pvh dom0_mem=384M,max:384M console=com1 com1=115200,8n1 noreboot"
XEN_DOM0_ARGS = "console=hvc0 " + LINUX_ARGS
NATIVE_ARGS = "console=ttyS0,115200 " + LINUX_ARGS
TANDEM_OPTS = ""
# What makes the initramfs's init run /bench/exits.sh instead of its tests.
EXITS_ARGS = "tinit.mode=bench tinit.bench=exits"

MACHINES = {
    "pc": {"title": "pc, EPYC",
           "cmd": ["scripts/run-qemu.sh", "--smp", "2", "--mem", "512", "--cpu", "EPYC",
                   "--log", "{log}", "{iso}"]},
    "q35": {"title": "q35+IOMMU, qemu64+svm",
            "cmd": ["scripts/run-qemu.sh", "--smp", "2", "--mem", "512",
                    "--cpu", "qemu64,+svm,+npt", "--log", "{log}", "{iso}", "--",
                    "-M", "q35", "-device", "intel-iommu,intremap=on,aw-bits=48"]},
    # The Intel path (VMX with EPT): the linux-bochs-vmx test machine, with
    # the 2 CPUs the others have (no HRT in the bench ISOs).
    "bochs": {"title": "Bochs, Skylake-X (VMX)",
              "cmd": ["scripts/run-bochs.sh", "--cpus", "2", "--mem", "512",
                      "--model", "corei7_skylake_x", "--log", "{log}", "{iso}"]},
}
# (name, kind, machine, iso, timeout s, baseline name)
CONFIGS = [
    ("native-pc", "native", "pc", "native.iso", 120, None),
    ("tandem-pc", "tandem", "pc", "tandem.iso", 180, "native-pc"),
    ("native-q35", "native", "q35", "native.iso", 120, None),
    ("tandem-q35", "tandem", "q35", "tandem.iso", 180, "native-q35"),
    ("xen-q35", "xen", "q35", "xen.iso", 300, "native-q35"),
    ("native-bochs", "native", "bochs", "native.iso", 900, None),
    ("tandem-bochs", "tandem", "bochs", "tandem.iso", 1200, "native-bochs"),
]
TITLES = {"native": "Linux alone (GRUB)", "tandem": "Linux as Tandem's ROS",
          "xen": "Linux as Xen 4.17 PVH dom0"}

# Fallback initramfs: what infra's init does first, and the bench hook.
OWN_INIT = """#!/bin/busybox sh
# bench_linux.py's own minimal initramfs (build/linux/initrd.img missing)
echo "linux: initramfs up"
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# tinit.mode=bench tinit.bench=NAME: /bench/NAME.sh instead of tests
b=$(sed -n 's/.*tinit\\.bench=\\([a-z0-9_]*\\).*/\\1/p' /proc/cmdline)
[ -n "$b" ] && [ -x "/bench/$b.sh" ] && "/bench/$b.sh"
poweroff -f
"""


def say(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- inputs ----------------------------------------------------------------

def cpio_newc(entries):
    """entries: (path, mode, data bytes) -> a newc archive (bytes)."""
    out = bytearray()

    def pad():
        out.extend(b"\0" * (-len(out) % 4))
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        nb = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 2 if mode & 0o40000 else 1, 0, len(data), 0, 0, 0, 0,
                  len(nb), 0]
        out.extend(b"070701" + "".join(f"{v:08x}" for v in fields).encode() + nb)
        pad()
        out.extend(data)
        pad()
    return bytes(out)


def own_initrd(path):
    busybox = Path("/bin/busybox")
    if not busybox.is_file():
        raise RuntimeError("no /bin/busybox (apt-get install busybox-static)")
    entries = [(d, 0o40755, b"") for d in ("bin", "dev", "proc", "sys", "tmp", "bench")]
    entries.append(("init", 0o100755, OWN_INIT.encode()))
    entries.append(("bin/busybox", 0o100755, busybox.read_bytes()))
    exits = ROOT / "linux" / "initramfs" / "bench" / "exits.sh"
    if exits.is_file():
        entries.append(("bench/exits.sh", 0o100755, exits.read_bytes()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(cpio_newc(entries), 9))


def fetch_xen(xdir):
    """DIR/xen/xen.gz from Debian's package, fetched once."""
    xen = xdir / "xen.gz"
    if xen.is_file():
        return xen
    xdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=xdir) as tmp:
        # apt's _apt user must be able to write where it downloads.
        os.chmod(tmp, 0o777)
        r = subprocess.run(["apt-get", "download", XEN_PKG], cwd=tmp,
                           capture_output=True, text=True)
        debs = list(Path(tmp).glob(f"{XEN_PKG}_*.deb"))
        if r.returncode or not debs:
            raise RuntimeError(f"apt-get download {XEN_PKG} failed: "
                               f"{(r.stderr.strip().splitlines() or ['?'])[-1]}")
        subprocess.run(["dpkg", "-x", str(debs[0]), str(Path(tmp) / "x")], check=True)
        gz = sorted((Path(tmp) / "x" / "boot").glob("xen-*.gz"))
        if not gz:
            raise RuntimeError(f"{debs[0].name} holds no boot/xen-*.gz")
        (xdir / "version").write_text(debs[0].name + "\n")
        shutil.copy(gz[0], xen)
    return xen


def grub_iso(out, entry_lines, files):
    """A BIOS GRUB ISO: timeout 0, serial console, @entry_lines, then the
    marker line and boot. @files: {name in /boot: source path}."""
    with tempfile.TemporaryDirectory() as tmp:
        boot_dir = Path(tmp) / "boot"
        (boot_dir / "grub").mkdir(parents=True)
        for name, src in files.items():
            shutil.copy(src, boot_dir / name)
        cfg = ["# written by scripts/bench_linux.py", "set timeout=0", "set default=0",
               "serial --unit=0 --speed=115200", "terminal_input serial console",
               "terminal_output serial console", "", 'menuentry "bench" {']
        cfg += ["\t" + line for line in entry_lines]
        cfg += ['\tif [ "$grub_platform" = pc ]; then set gfxpayload=text; fi',
                f'\techo "{MARKER}"', "\tboot", "}", ""]
        (boot_dir / "grub" / "grub.cfg").write_text("\n".join(cfg))
        out.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["grub-mkrescue", "-o", str(out), tmp], capture_output=True,
                           text=True)
        if r.returncode:
            raise RuntimeError(f"grub-mkrescue failed: {r.stderr.strip()[-300:]}")


def build_isos(ldir, vmlinuz, initrd, tandem, xen, exits):
    """-> {iso name: path or 'failed: reason'}"""
    isos = {}

    def make(name, lines, files):
        try:
            for src in files.values():
                if src is None or not Path(src).is_file():
                    raise RuntimeError(f"{src} missing")
            grub_iso(ldir / name, lines, files)
            isos[name] = ldir / name
        except (RuntimeError, OSError) as e:
            isos[name] = f"failed: {e}"
    base = {"vmlinuz": vmlinuz, "initrd.img": initrd}
    make("native.iso", [f"linux /boot/vmlinuz {NATIVE_ARGS}", "initrd /boot/initrd.img"], base)
    tl = [f"multiboot2 /boot/tandem.elf {TANDEM_OPTS}".rstrip(),
          f"module2 /boot/vmlinuz ros {NATIVE_ARGS}", "module2 /boot/initrd.img ros-initrd"]
    make("tandem.iso", tl, {**base, "tandem.elf": tandem})
    if exits:
        tl[1] += " " + EXITS_ARGS
        make("tandem-exits.iso", tl, {**base, "tandem.elf": tandem})
    if isinstance(xen, str):
        isos["xen.iso"] = xen
    else:
        make("xen.iso", [f"multiboot2 /boot/xen.gz {XEN_OPTS}",
                         f"module2 /boot/vmlinuz {XEN_DOM0_ARGS}", "module2 /boot/initrd.img"],
             {**base, "xen.gz": xen})
    return isos


# ---- boots -----------------------------------------------------------------

class FirstLineRun(Run):
    """A boot that ends at its done line (the line, or a failure): the
    marker and hand-off lines come before it on serial, so they are
    recorded by then if they come at all."""

    def complete(self):
        return self.done_at is not None


def boot(name, cmd, iso, logdir, timeout, done, expect, index=1, repeat=1, stop=None):
    plat = Platform(name, list(cmd), timeout, done, expect=list(expect), forbid=[])
    run = FirstLineRun(plat, Path(iso), Path(logdir), index, repeat, poll=POLL)
    run.execute(stop or threading.Event())
    return run


def last_words(lines, n=1):
    real = [ln.strip() for ln in lines if ln.strip()]
    return " / ".join(real[-n:]) if real else "no serial output"


def fail_reason(run, timeout):
    """Why @run did not reach the line, in one short phrase."""
    if run.done_at and RE_FAIL.search(run.done_at[1]):
        line = run.done_at[1].strip()
        if line.startswith(("tandem: done", "tandem: PANIC")):
            # Tandem's last error line says why no guest runs.
            prev = [ln.strip() for ln in run.lines
                    if ln.startswith("tandem: ")
                    and not ln.startswith(("tandem: done", "tandem: PANIC"))]
            return f"{prev[-1][len('tandem: '):] if prev else line}"
        if line.startswith("(XEN)"):
            # "(XEN) Panic on CPU n:" is followed by the message.
            xen = [ln.strip() for ln in run.lines]
            at = [i for i, ln in enumerate(xen) if "Panic on CPU" in ln]
            msg = xen[at[-1] + 1] if at and at[-1] + 1 < len(xen) else line
            return f"Xen panic: {msg[len('(XEN) '):] if msg.startswith('(XEN) ') else msg}"
        return line
    if run.reason == "timeout":
        return f"no line in {timeout:.0f} s; last: {last_words(run.lines)[:120]}"
    if run.reason == "exited":
        return f"emulator exited; last: {last_words(run.lines)[:120]}"
    return f"{run.reason}: {run.error or last_words(run.lines)[:120]}"


def boot_once(cfg, iso, logdir, k, repeat, scale, stop):
    name, kind, machine, _, timeout, _ = cfg
    if isinstance(iso, str):
        return {"total": None, "kernel": None, "why": iso[len("failed: "):]}
    run = boot(f"linux-{name}", MACHINES[machine]["cmd"], iso, logdir, timeout * scale,
               RE_DONE, expect=[RE_MARKER] + ([HANDOFF[kind]] if kind in HANDOFF else []),
               index=k, repeat=repeat, stop=stop)
    if run.done_at and re.search(LINE_UP, run.done_at[1]):
        total = run.done_at[0]
        mark = run.first.get(RE_MARKER)
        hand = run.first.get(HANDOFF.get(kind))
        return {"total": total, "kernel": total - mark[0] if mark else None,
                "hv": hand[0] - mark[0] if mark and hand else None, "why": None}
    return {"total": None, "kernel": None, "why": fail_reason(run, timeout * scale),
            "timeout": run.reason == "timeout"}


def fmt(v, spec):
    return "n/a" if v is None else spec.format(v)


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    return a / b if a is not None and b else None


def boot_table(results, repeat):
    head = ["configuration", "machine", "total (s)", "after GRUB (s)", "hypervisor (s)",
            "ratio total", "ratio after GRUB", "boots ok"]
    rows = []
    for r in results:
        base = next((b for b in results if b["name"] == r["baseline"]), None)
        ok = sum(1 for x in r["runs"] if x["total"] is not None)
        if r["total"] is None:
            why = next((x["why"] for x in r["runs"] if x["why"]), "not run")
            rows.append([TITLES[r["kind"]], MACHINES[r["machine"]]["title"],
                         f"failed: {why}", "", "", "", "", f"{ok}/{len(r['runs'])}"])
            continue
        rt = ratio(r["total"], base["total"]) if base else None
        rk = ratio(r["kernel"], base["kernel"]) if base else None
        rows.append([TITLES[r["kind"]], MACHINES[r["machine"]]["title"],
                     fmt(r["total"], "{:.2f}"), fmt(r["kernel"], "{:.2f}"),
                     "-" if r["kind"] not in HANDOFF else fmt(r.get("hv"), "{:.2f}"),
                     "1 (baseline)" if not base else fmt(rt, "{:.2f}x"),
                     "1 (baseline)" if not base else fmt(rk, "{:.2f}x"),
                     f"{ok}/{len(r['runs'])}"])
    return render(head, rows)


def render(head, rows):
    # A failed cell may be long: it takes the rest of the line unpadded.
    ws = [max([len(head[i])] + [len(r[i]) for r in rows if not r[i].startswith("failed:")])
          for i in range(len(head))]
    out = [" | ".join(h.ljust(w) if i < 2 else h.rjust(w)
                      for i, (h, w) in enumerate(zip(head, ws))).rstrip()]
    out.append("-+-".join("-" * w for w in ws))
    for r in rows:
        cells = []
        for i, (c, w) in enumerate(zip(r, ws)):
            if c.startswith("failed:"):
                cells.append(c)
                break
            cells.append(c.ljust(w) if i < 2 else c.rjust(w))
        out.append(" | ".join(cells).rstrip())
    return out


# ---- exits -----------------------------------------------------------------

RE_X_PHASE = re.compile(r"^bench: exits: (\w+) (begin|end) uptime=([0-9.]+)")
RE_X_CPU = re.compile(r"^bench: exits: (\w+) (begin|end) (cpu \d+ state \w+(?: \w+ -?\d+)+)")
RE_X_DONE = r"^bench: exits: done"
RE_X_ERR = re.compile(r"^bench: exits: error: (.*)")
RE_X_WORK = re.compile(r"^bench: exits: load: (\d+) workers, (\d+) rounds")
REASONS = ["exits", "hypercall", "cpuid", "msr", "io", "npf", "hlt", "irq", "other"]


def parse_exits(lines):
    """-> {phase: {"secs": s, "cpus": {cpu: {reason: delta}}}}, errors."""
    up, stats, errs = {}, {}, []
    for ln in lines:
        m = RE_X_PHASE.search(ln)
        if m:
            up[(m.group(1), m.group(2))] = float(m.group(3))
        m = RE_X_CPU.search(ln)
        if m:
            tok = m.group(3).split()
            cpu = int(tok[1])
            vals = {tok[i]: int(tok[i + 1]) for i in range(4, len(tok) - 1, 2)}
            stats.setdefault((m.group(1), m.group(2)), {})[cpu] = vals
        m = RE_X_ERR.search(ln)
        if m:
            errs.append(m.group(1).strip())
    out = {}
    for phase in dict.fromkeys(p for p, _ in up):
        b, e = stats.get((phase, "begin")), stats.get((phase, "end"))
        tb, te = up.get((phase, "begin")), up.get((phase, "end"))
        if not b or not e or tb is None or te is None or te <= tb:
            continue
        cpus = {c: {k: e[c][k] - b[c][k] for k in e[c] if k in b[c]} for c in e if c in b}
        out[phase] = {"secs": te - tb, "cpus": cpus}
    return out, errs


def exits_table(phases):
    head = ["exits per second", "phase"] + REASONS
    rows = []
    for phase, p in phases.items():
        tot = {k: sum(c.get(k, 0) for c in p["cpus"].values()) for k in REASONS}
        rows.append(["all ROS CPUs", f"{phase} ({p['secs']:.1f} s)"]
                    + [f"{tot[k] / p['secs']:.0f}" for k in REASONS])
        for cpu in sorted(p["cpus"]):
            c = p["cpus"][cpu]
            rows.append([f"  CPU {cpu}", phase]
                        + [fmt(None if k not in c else c[k] / p["secs"], "{:.0f}")
                           for k in REASONS])
    return render(head, rows)


def measure_exits(iso, logdir, scale, stop):
    if isinstance(iso, str):
        return {"why": iso[len("failed: "):]}
    done = RE_X_DONE + "|" + RE_FAIL.pattern
    run = boot("linux-tandem-exits", MACHINES["pc"]["cmd"], iso, logdir, 240 * scale, done,
               expect=[LINE_UP], stop=stop)
    phases, errs = parse_exits(run.lines)
    if errs:
        return {"why": errs[0], "phases": phases}
    if any(ln.startswith("linux: tests done") for ln in run.lines):
        return {"why": "the initramfs's init ran its tests, not /bench/exits.sh "
                "(it needs tinit.mode=bench: linux/initramfs/init)", "phases": phases}
    if not (run.done_at and re.search(RE_X_DONE, run.done_at[1])):
        return {"why": fail_reason(run, 240 * scale), "phases": phases}
    if not phases:
        return {"why": "exits.sh printed no complete phase", "phases": phases}
    work = next((m.groups() for m in map(RE_X_WORK.search, run.lines) if m), None)
    return {"why": None, "phases": phases,
            "work": f"load: {work[0]} workers did {work[1]} rounds" if work else None}


# ---- main ------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="Linux boot-time table (figures, not pass/fail).")
    ap.add_argument("--dir", default=str(ROOT / "build" / "bench"))
    ap.add_argument("--repeat", type=int, default=3, help="boots per median (default 3)")
    ap.add_argument("--only", default="", help="kinds to run: native,tandem,xen")
    ap.add_argument("--machines", default="pc,q35,bochs", help="machines: pc,q35,bochs")
    ap.add_argument("--exits", action="store_true",
                    help="also Tandem's exit counters under idle and load")
    ap.add_argument("--verbose-kernel", action="store_true",
                    help="Linux without 'quiet' (every boot message on serial: slower)")
    ap.add_argument("--vmlinuz", default=str(ROOT / "build" / "linux" / "vmlinuz"))
    ap.add_argument("--initrd", default=str(ROOT / "build" / "linux" / "initrd.img"))
    ap.add_argument("--tandem", default=str(ROOT / "build" / "tandem.elf"))
    ap.add_argument("--timeout-scale", type=float,
                    default=float(os.environ.get("BOOTTEST_TIMEOUT_SCALE", "1")))
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    kinds = [k for k in args.only.split(",") if k] or ["native", "tandem", "xen"]
    machines = [m for m in args.machines.split(",") if m]
    for k in kinds:
        if k not in TITLES:
            ap.error(f"unknown kind {k}")
    for m in machines:
        if m not in MACHINES:
            ap.error(f"unknown machine {m}")
    if args.verbose_kernel:
        global NATIVE_ARGS, XEN_DOM0_ARGS
        NATIVE_ARGS = NATIVE_ARGS.replace(" quiet", "")
        XEN_DOM0_ARGS = XEN_DOM0_ARGS.replace(" quiet", "")
    bdir = Path(args.dir).resolve()
    ldir = bdir / "linux"
    logdir = ldir / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    notes = []

    initrd = Path(args.initrd)
    if not initrd.is_file():
        initrd = ldir / "own-initrd.img"
        try:
            own_initrd(initrd)
            notes.append(f"{args.initrd} missing: the bench's own minimal initramfs "
                         "(busybox; init prints the line first)")
        except (RuntimeError, OSError) as e:
            notes.append(f"no initramfs: {e}")
    xen = None
    if "xen" in kinds:
        try:
            xen = fetch_xen(bdir / "xen")
            notes.append("Xen: " + (bdir / "xen" / "version").read_text().strip()
                         if (bdir / "xen" / "version").is_file() else "Xen: " + str(xen))
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            xen = f"failed: {e}"
    isos = build_isos(ldir, args.vmlinuz, initrd, args.tandem, xen, args.exits)

    configs = [c for c in CONFIGS if c[1] in kinds and c[2] in machines]
    results = [{"name": c[0], "kind": c[1], "machine": c[2], "baseline": c[5]
                if c[5] in [d[0] for d in configs] else None, "runs": []} for c in configs]
    stop = threading.Event()
    load = os.getloadavg()[0]
    t0 = time.monotonic()
    try:
        for k in range(1, args.repeat + 1):
            for c, r in zip(configs, results):
                if any(x.get("timeout") for x in r["runs"]):
                    # One timeout is enough: do not spend it again.
                    r["runs"].append({"total": None, "kernel": None,
                                      "why": "skipped after a timed-out boot"})
                    continue
                x = boot_once(c, isos[c[3]], logdir, k, args.repeat, args.timeout_scale, stop)
                r["runs"].append(x)
                say(f"  linux {c[0]} boot {k}/{args.repeat}: "
                    + (f"{x['total']:.2f} s (after GRUB {fmt(x['kernel'], '{:.2f}')} s"
                       + (f", hypervisor {fmt(x.get('hv'), '{:.2f}')} s" if c[1] in HANDOFF
                          else "") + ")"
                       if x["total"] is not None else f"failed: {x['why']}"))
        exits = None
        if args.exits:
            exits = measure_exits(isos.get("tandem-exits.iso", "failed: not built"), logdir,
                                  args.timeout_scale, stop)
    except KeyboardInterrupt:
        stop.set()
        say("bench_linux: interrupted")
        return 130
    elapsed = time.monotonic() - t0
    for r in results:
        r["total"] = median([x["total"] for x in r["runs"]])
        r["kernel"] = median([x["kernel"] for x in r["runs"]])
        r["hv"] = median([x.get("hv") for x in r["runs"]])

    lines = [f"Linux boot times ({time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} host "
             f"cores, load average {load:.2f} at start; medians of {args.repeat} boots; "
             f"{' and '.join(sorted({'Bochs' if m == 'bochs' else 'QEMU TCG' for m in machines}))}"
             f", 2 CPUs, 512 MiB)", ""]
    lines += boot_table(results, args.repeat)
    if exits is not None:
        lines += [""]
        if exits["why"]:
            lines += [f"Tandem exits of the ROS's CPUs (idle, load): failed: {exits['why']}"]
        if exits.get("phases"):
            lines += ["Tandem exits of the ROS's CPUs (pc machine; idle = sleep, load = "
                      "gzip + process starts)"]
            lines += exits_table(exits["phases"])
        if exits.get("work"):
            lines += [f"({exits['work']}; one round = gzip and gunzip of ~350 KiB + sh -c :)"]
    lines += [
        "",
        "Notes:",
        "- total: host wall seconds from starting the emulator (SeaBIOS or Bochs's BIOS, GRUB with",
        "  timeout 0 reading the images from the CD) to the serial line 'linux: initramfs up',",
        "  the first thing the initramfs's init prints. after GRUB: from grub.cfg's marker",
        f"  line '{MARKER}' (echoed once GRUB has loaded every image, just before",
        "  `boot`) to the same line: hypervisor + kernel boot, without firmware and GRUB.",
        "  hypervisor: from the marker to the hypervisor's hand-off to Linux ('tandem: ros:",
        "  starting on', '(XEN) Freed ...kB init memory': Xen's own boot and dom0 build).",
        "- Ratios are against Linux alone on the same machine (medians). Machines:",
        "  pc = i440fx, -cpu EPYC (the linux-qemu-bios test machine); q35 = q35 with",
        "  intel-iommu,intremap=on,aw-bits=48, -cpu qemu64,+svm,+npt (Xen's PVH dom0 needs",
        "  an IOMMU; with QEMU's default 39-bit IOMMU Xen cannot set up dom0's PCI devices,",
        "  -ENOMEM; on -cpu EPYC Xen 4.17's idle loop takes a #GP in MWAIT, and without",
        "  MONITOR dom0 dies on RDTSCP, which Xen cannot decode without NRIPS);",
        "  bochs = Bochs corei7_skylake_x, Intel VMX with EPT (one emulator thread: its",
        "  wall time also depends on what else the host runs; compare only within a run).",
        f"- Kernel command line: '{NATIVE_ARGS}' (alone, Tandem's 'ros' module),",
        f"  '{XEN_DOM0_ARGS}' (dom0). Xen: '{XEN_OPTS}'",
        "  (dom0 gets both CPUs but 384 of the 512 MiB: without dom0_mem Xen cannot build",
        "  a PVH dom0 in 512 MiB; Linux alone and under Tandem see all 512 MiB less firmware",
        "  and, under Tandem, Tandem's own ~43 MiB).",
        "  Tandem: no options, no HRT. A failed boot is never a number; the median is over",
        "  the boots that reached the line ('boots ok'); after a timeout a configuration's",
        "  later boots are skipped.",
        f"- The configurations ran interleaved, one emulator at a time; {elapsed:.0f} s in all.",
    ]
    lines += [f"- {n}" for n in notes]
    missing = [r["name"] for r in results if r["total"] is None]
    if exits is not None and exits["why"]:
        missing.append("exits")
    if missing:
        lines.append("- NOT MEASURED: " + ", ".join(missing))
    lines += ["", "Individual boots, total / after GRUB / hypervisor (s):"]
    for r in results:
        lines.append(f"  {r['name']}: " + "  ".join(
            f"{fmt(x['total'], '{:.2f}')}/{fmt(x['kernel'], '{:.2f}')}"
            + (f"/{fmt(x.get('hv'), '{:.2f}')}" if r["kind"] in HANDOFF else "")
            for x in r["runs"]))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    (bdir / "linux.txt").write_text(text)
    with open(bdir / "linux.json", "w") as f:
        json.dump({"results": results, "exits": exits, "notes": notes, "elapsed": elapsed},
                  f, indent=2)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
