#!/usr/bin/env python3
"""Boot-test harness: boot an ISO on several emulated platforms and judge
each boot by its serial log only.

usage: scripts/boottest.py --iso ISO --plan PLAN.json [--only NAME[,NAME]]
                           [--group G] [--jobs N] [--repeat K] [--logdir DIR]
                           [--timeout-scale F] [--json FILE] [--list] [-v]

A plan is a JSON file:

  {
    "done":   "^ros: suite done",       # done regex (default ^tandem: done)
    "timing": "^ros: started",          # optional: time emulator start -> first match
    "forbid": ["PANIC", ...],           # optional: replaces DEFAULT_FORBID
    "forbid_extra": ["..."],            # optional: added to it
    "sets": {"boot4": ["^tandem: cpus: 4 online", ...]},
                                        # optional: named lists of expect regexes
    "platforms": [
      {
        "name":    "qemu-bios",
        "cmd":     ["scripts/run-qemu.sh", "--smp", "4"],
        "timeout": 60,
        "expect":  ["^tandem: Tandem hypervisor, BIOS firmware"],
        "checks":  106,
        # optional per platform: "done", "forbid", "timing" (replace the
        # plan's), "expect_sets" (names of lists in "sets": more "expect"),
        # "iso" (its own ISO, relative to the repository root; else --iso),
        # "slots" (how many of the --jobs slots it takes; default 1),
        # "checks_min" (instead of "checks", see below), "group" (below)
      }
    ]
  }

"cmd" is a list, run from the repository root. The placeholders {iso} and
{log} are replaced by absolute paths; when the command names neither,
"--log LOG ISO" is appended. Keys starting with "_" are comments; any other
key not listed here is an error.

"checks": N makes the serial log a TAP stream of the guest's checks (the
ROS's suite, ros/suite.h): it must hold the plan line "1..N" before the
first check line, then check lines "ok K - name" / "not ok K - name" with
K = 1, 2, ... N in order. The platform fails when the plan line is missing,
repeated or late, when its N differs, when a check is missing or out of
order, or when a check is "not ok". Every check line is reported. The names
of the checks are the guest's business: the plan holds only their number.

"checks_min": N instead judges a TAP stream whose length the guest decides
(Linux's initramfs runs whatever test scripts it holds and prints its plan
line last): one plan line "1..M", before the first check or after the
last, M >= N, checks 1..M in order, none "not ok".

"group": NAME puts a platform in a group (default "default"). A run takes
the platforms of the groups named with --group (default: "default" only);
--only runs the platforms it names whatever their group. The Makefile runs
"default" in `make boot-tests` and "slow" in `make test-slow`; a platform in
any other group (e.g. "off": defined, not yet enabled) runs only by name.

Rules: exit codes of emulators never prove anything (QEMU's debug-exit gives
(v << 1) | 1, Bochs exits 1 both on its shutdown port and on a panic). A
platform passes only if every "expect" regex and the "done" regex matched a
serial line, its TAP stream (with "checks") is complete, and no "forbid"
regex matched. An emulator that exits before the done line, or runs past its
timeout, fails. Each emulator runs in its own process group, which is killed
at the timeout or as soon as the expected lines and the done line are all on
serial. Regexes are searched in each line of the serial log after ANSI
escapes are removed and CR/LF are treated as line ends.

The run scripts write the second serial port (COM2, the UART the test
cells of cells/jh/ print on; COM1 is Tandem's and the ROS's) to LOG.com2.
Its lines count as lines "com2: TEXT" for "expect" and "forbid" (never for
TAP or the done line), so a plan expects a cell's UART line as
"^com2: jhtest: ...".

Output: one TAP-like line per check ("ok - NAME: ..." / "not ok - NAME:
..."), comments starting with "#", and a last line "N passed, N failed".
The exit status is 1 if any check failed (2 for usage errors). Serial logs are
kept in LOGDIR/NAME.log (LOGDIR/NAME.K.log with --repeat), the emulator's
stdout/stderr in LOGDIR/NAME.out.

Other tools boot through boot() (scripts/bench_table.py).
"""

import argparse
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_FORBID = [r"PANIC", r"panic", r"EXCEPTION", r"^not ok", r"triple fault"]
DEFAULT_DONE = r"^tandem: done"
POLL = 0.05          # seconds between serial log polls
KILL_GRACE = 5.0     # seconds between SIGTERM and SIGKILL of a process group
TAIL_LINES = 40

# CSI / OSC / charset / two-byte escapes, then other control characters.
ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[()*+][0-9A-Za-z]"
    r"|\x1b[@-Z\\-_=>78]"
)
CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# A line that starts as the ROS's, Tandem's or the HRT's own, and one of
# theirs that begins inside another line (see Run.rejoined).
LINE_START_RE = re.compile(r"^(ros: |tandem: |hrt: |ok |not ok |1\.\.)")
EMBEDDED_RE = re.compile(r"(?<=\S)(tandem: |hrt: )")


def clean_line(raw):
    """bytes (one line, no CR/LF) -> printable str."""
    s = raw.decode("utf-8", errors="replace")
    s = ANSI_RE.sub("", s)
    return CTRL_RE.sub("", s)


class SerialReader:
    """Incrementally reads a serial log file (binary-safe) into clean lines.

    CR and LF both end a line (GRUB and OVMF use bare CRs); empty lines are
    dropped. A partial last line is kept until more data or finish()."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = b""
        self.lines = []

    def _split(self, data, final):
        buf = self.partial + data
        parts = re.split(rb"[\r\n]", buf)
        if final:
            self.partial = b""
        else:
            self.partial = parts.pop()
        new = []
        for p in parts:
            line = clean_line(p)
            if line.strip():
                new.append(line)
        self.lines.extend(new)
        return new

    def poll(self, final=False):
        data = b""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            pass
        self.offset += len(data)
        if not data and not final:
            return []
        return self._split(data, final)


def compile_re(rx, what):
    try:
        return re.compile(rx)
    except re.error as e:
        raise SystemExit(f"boottest: bad regex for {what}: /{rx}/: {e}")


PLAN_KEYS = {"done", "timing", "forbid", "forbid_extra", "sets", "platforms"}
PLATFORM_KEYS = {"name", "cmd", "timeout", "expect", "expect_sets", "checks", "checks_min",
                 "done", "forbid", "timing", "iso", "slots", "group"}

# The TAP stream of a platform with "checks".
TAP_PLAN_RE = re.compile(r"^1\.\.(\d+)$")
TAP_CHECK_RE = re.compile(r"^(not )?ok (\d+)\b")
STRIP_PREFIX = "tandem: "   # left out of reported lines


class Platform:
    """What one boot is judged by. Regex arguments are strings."""

    def __init__(self, name, cmd, timeout, done, expect=(), checks=None, timing=None,
                 forbid=DEFAULT_FORBID, iso=None, slots=1, checks_min=None, group="default"):
        if not name or not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
            raise SystemExit(f"boottest: platform needs a simple name, got {name!r}")
        self.name = name
        if not cmd or not isinstance(cmd, list) or not all(isinstance(c, str) for c in cmd):
            raise SystemExit(f"boottest: {name}: 'cmd' must be a list of strings")
        self.cmd = cmd
        self.timeout = float(timeout)
        self.expect = [(rx, compile_re(rx, name)) for rx in expect]
        for key, val in (("checks", checks), ("checks_min", checks_min)):
            if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 1):
                raise SystemExit(f"boottest: {name}: '{key}' must be a number of checks (>= 1)")
        if checks is not None and checks_min is not None:
            raise SystemExit(f"boottest: {name}: 'checks' and 'checks_min' exclude each other")
        self.checks = checks
        self.checks_min = checks_min
        # Whether the serial log is judged as a TAP stream.
        self.tap = checks is not None or checks_min is not None
        if not isinstance(group, str) or not group:
            raise SystemExit(f"boottest: {name}: 'group' must be a name")
        self.group = group
        self.done = (done, compile_re(done, name))
        self.timing = (timing, compile_re(timing, name)) if timing else None
        self.forbid = [(rx, compile_re(rx, name)) for rx in forbid]
        self.iso = iso
        if int(slots) < 1:
            raise SystemExit(f"boottest: {name}: 'slots' must be at least 1")
        self.slots = int(slots)

    @classmethod
    def from_plan(cls, d, plan, timeout_scale):
        name = d.get("name")
        unknown = set(d) - PLATFORM_KEYS
        if unknown:
            raise SystemExit(f"boottest: {name}: unknown key(s) {', '.join(sorted(unknown))}")
        expect = list(d.get("expect", []))
        for set_name in d.get("expect_sets", []):
            if set_name not in plan.get("sets", {}):
                raise SystemExit(f"boottest: {name}: no set {set_name!r} in the plan")
            expect += plan["sets"][set_name]
        forbid = list(d.get("forbid", plan.get("forbid", DEFAULT_FORBID))) \
            + list(plan.get("forbid_extra", []))
        return cls(name, d.get("cmd"), float(d.get("timeout", 120)) * timeout_scale,
                   d.get("done", plan.get("done", DEFAULT_DONE)), expect=expect,
                   checks=d.get("checks"), timing=d.get("timing", plan.get("timing")),
                   forbid=forbid, iso=(ROOT / d["iso"]).resolve() if d.get("iso") else None,
                   slots=d.get("slots", 1), checks_min=d.get("checks_min"),
                   group=d.get("group", "default"))

    def command(self, iso, log):
        subst = {"iso": str(iso), "log": str(log)}
        if any("{iso}" in c or "{log}" in c for c in self.cmd):
            return [c.replace("{iso}", subst["iso"]).replace("{log}", subst["log"])
                    for c in self.cmd]
        return self.cmd + ["--log", subst["log"], subst["iso"]]


class Run:
    """One boot of one platform."""

    def __init__(self, plat, iso, logdir, index=1, repeat=1, poll=POLL):
        self.p = plat
        self.iso = iso
        self.poll = poll
        self.label = plat.name if repeat == 1 else f"{plat.name}#{index}"
        stem = plat.name if repeat == 1 else f"{plat.name}.{index}"
        self.log = logdir / f"{stem}.log"
        self.out = logdir / f"{stem}.out"
        self.proc = None
        self.lock = threading.Lock()
        self.killed = False
        # results
        self.start = None
        self.elapsed = None
        self.status = None          # emulator (script) exit status
        self.reason = None          # "done", "exited", "timeout", "error", "interrupted"
        self.error = None
        self.first = {}             # regex -> (seconds, line)
        self.done_at = None
        self.timing_at = None
        self.forbidden = []         # (regex, line)
        self.tap_plans = []         # (N of a "1..N" line, check lines before it)
        self.tap = []               # (ok, number, line) of each check line
        self.lines = []
        self.com2 = Path(str(self.log) + ".com2")
        self.com2_lines = []
        self.prev_line = None

    # -- process control ------------------------------------------------
    def kill(self):
        """Stop the whole process group: SIGTERM (the run scripts clean up
        their temp dirs), then SIGKILL for anything left."""
        with self.lock:
            proc = self.proc
            if proc is None or self.killed:
                return
            self.killed = True
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(KILL_GRACE)
            except subprocess.TimeoutExpired:
                pass
        try:
            # The group may outlive its leader (e.g. an emulator ignoring TERM).
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()

    # -- serial scanning ------------------------------------------------
    def rejoined(self, line):
        """The ROS and Tandem (for itself and the HRT) write one serial
        port from different CPUs, so a Tandem line can land inside a ROS
        line: "ros: screen: ... type 2hrt: started v1" then " at 0xb8000".
        Returns the ROS line put back together ("ros: screen: ... type 2 at
        0xb8000") when @line is such a tail, else None. Only "expect"
        regexes see it; TAP lines and forbidden output are judged as
        written."""
        prev, self.prev_line = self.prev_line, line
        if prev is None or LINE_START_RE.match(line):
            return None
        m = EMBEDDED_RE.search(prev)
        return prev[:m.start()] + line if m else None

    def scan(self, new_lines, t):
        p = self.p
        for line in new_lines:
            joined = self.rejoined(line)
            if joined is not None:
                for rx, cre in p.expect:
                    if rx not in self.first and cre.search(joined):
                        self.first[rx] = (t, joined)
            if p.tap:
                m = TAP_PLAN_RE.search(line)
                if m:
                    self.tap_plans.append((int(m.group(1)), len(self.tap)))
                m = TAP_CHECK_RE.search(line)
                if m:
                    self.tap.append((not m.group(1), int(m.group(2)), line))
            for rx, cre in p.expect:
                if rx not in self.first and cre.search(line):
                    self.first[rx] = (t, line)
            if self.done_at is None and p.done[1].search(line):
                self.done_at = (t, line)
            if p.timing and self.timing_at is None and p.timing[1].search(line):
                self.timing_at = (t, line)
            for rx, cre in p.forbid:
                if cre.search(line):
                    self.forbidden.append((rx, line))
                    break

    def scan_com2(self, new_lines, t):
        """COM2's lines: "expect" and "forbid" only, as "com2: TEXT"."""
        p = self.p
        for raw in new_lines:
            line = "com2: " + raw
            for rx, cre in p.expect:
                if rx not in self.first and cre.search(line):
                    self.first[rx] = (t, line)
            for rx, cre in p.forbid:
                if cre.search(line):
                    self.forbidden.append((rx, line))
                    break

    def complete(self):
        return len(self.first) == len(self.p.expect) and self.done_at is not None

    def execute(self, stop_event):
        p = self.p
        for f in (self.log, Path(str(self.log) + ".bochs.log"), self.out, self.com2):
            try:
                f.unlink()
            except FileNotFoundError:
                pass
        cmd = p.command(self.iso, self.log)
        reader = SerialReader(self.log)
        reader2 = SerialReader(self.com2)
        self.start = time.monotonic()
        try:
            with open(self.out, "wb") as out:
                out.write(("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n").encode())
                out.flush()
                with self.lock:
                    self.proc = subprocess.Popen(
                        cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                        stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True)
        except OSError as e:
            self.reason, self.error = "error", f"cannot start {cmd[0]}: {e}"
            self.elapsed = 0.0
            return
        deadline = self.start + p.timeout
        try:
            while True:
                status = self.proc.poll()
                now = time.monotonic()
                self.scan(reader.poll(), now - self.start)
                self.scan_com2(reader2.poll(), now - self.start)
                if status is not None:
                    self.reason = "exited"
                    break
                if self.complete():
                    self.reason = "done"
                    break
                if stop_event.is_set():
                    self.reason = "interrupted"
                    break
                if now >= deadline:
                    self.reason = "timeout"
                    break
                time.sleep(self.poll)
        finally:
            self.elapsed = time.monotonic() - self.start
            self.kill()
        self.status = self.proc.returncode
        # Final read: whatever the emulator wrote last (or flushed at exit).
        self.scan(reader.poll(final=True), self.elapsed)
        self.scan_com2(reader2.poll(final=True), self.elapsed)
        self.lines = reader.lines
        self.com2_lines = reader2.lines

    # -- reporting ------------------------------------------------------
    @staticmethod
    def strip(line):
        line = line.strip()
        if line.startswith(STRIP_PREFIX):
            line = line[len(STRIP_PREFIX):]
        return line

    def why(self):
        t = f"{self.elapsed:.1f} s"
        if self.reason == "timeout":
            return f"timeout after {self.p.timeout:g} s"
        if self.reason == "exited":
            return f"emulator exited with status {self.status} after {t}"
        if self.reason == "interrupted":
            return f"interrupted after {t}"
        if self.reason == "error":
            return self.error
        return f"stopped after {t}"

    def checks(self):
        """-> list of (ok, text)."""
        p = self.p
        res = []
        if self.reason == "error":
            return [(False, f"{self.label}: {self.error}")]
        for rx, _ in p.expect:
            if rx in self.first:
                res.append((True, f"{self.label}: {self.strip(self.first[rx][1])}"))
            else:
                res.append((False, f"{self.label}: missing /{rx}/ ({self.why()})"))
        if p.tap:
            for ok, _, line in self.tap:
                res.append((ok, f"{self.label}: {line.strip()}"))
            res.append(self.tap_verdict())
        if self.done_at is not None:
            res.append((True, f"{self.label}: {self.strip(self.done_at[1])}"))
        else:
            res.append((False, f"{self.label}: missing done line /{p.done[0]}/ ({self.why()})"))
        if self.forbidden:
            seen = set()
            for rx, line in self.forbidden:
                if rx in seen:
                    continue
                seen.add(rx)
                n = sum(1 for r, _ in self.forbidden if r == rx)
                more = f" (and {n - 1} more)" if n > 1 else ""
                res.append((False, f"{self.label}: forbidden /{rx}/: {line.strip()}{more}"))
        else:
            res.append((True, f"{self.label}: no forbidden output"))
        if self.reason == "interrupted":
            res.append((False, f"{self.label}: interrupted"))
        return res

    def tap_verdict(self):
        """(ok, text) for the TAP stream as a whole: one plan line 1..N,
        before the first check (with "checks_min": or after the last), N
        as the plan wants, checks 1..N in order."""
        label = self.label
        why = "" if self.reason == "done" else f" ({self.why()})"
        if self.p.checks_min is not None:
            want_text = f"N (N >= {self.p.checks_min})"
        else:
            want_text = str(self.p.checks)
        if not self.tap_plans:
            return (False, f"{label}: no TAP plan line 1..{want_text}{why}")
        if len(self.tap_plans) > 1:
            return (False, f"{label}: {len(self.tap_plans)} TAP plan lines, want one")
        n, before = self.tap_plans[0]
        if self.p.checks_min is not None:
            if before not in (0, len(self.tap)):
                return (False, f"{label}: TAP plan line 1..{n} after {before} of "
                               f"{len(self.tap)} checks, want it first or last")
            if n < self.p.checks_min:
                return (False, f"{label}: TAP plan 1..{n}, want at least {self.p.checks_min} checks")
            want = n
        else:
            want = self.p.checks
            if before:
                return (False, f"{label}: TAP plan line 1..{n} after {before} check(s), "
                               f"want it first")
            if n != want:
                return (False, f"{label}: TAP plan 1..{n}, want 1..{want} checks")
        for k, (_, num, line) in enumerate(self.tap, 1):
            if num != k:
                return (False, f"{label}: check {k} of {want} missing or out of order: "
                               f"{line.strip()}")
        if len(self.tap) != want:
            return (False, f"{label}: {len(self.tap)} of {want} checks{why}")
        failed = sum(1 for ok, _, _ in self.tap if not ok)
        if failed:
            return (False, f"{label}: 1..{want}: {failed} check(s) not ok")
        return (True, f"{label}: 1..{want}: every check ok, in order")

    def timing_value(self):
        """Seconds from emulator start to the timing line, or None."""
        return self.timing_at[0] if self.timing_at else None

    def report(self, verbose):
        out = []
        checks = self.checks()
        for ok, text in checks:
            out.append(("ok - " if ok else "not ok - ") + text)
        how = {"done": "stopped at done line", "exited": f"emulator exited ({self.status})",
               "timeout": "timeout", "interrupted": "interrupted",
               "error": "not started"}[self.reason]
        note = f"# {self.label}: {self.elapsed:.2f} s, {how}"
        if self.p.timing:
            tv = self.timing_value()
            if tv is None:
                note += f"; /{self.p.timing[0]}/ not seen"
            else:
                note += f"; {tv:.2f} s to /{self.p.timing[0]}/"
        out.append(note)
        failed = not all(ok for ok, _ in checks)
        if failed or verbose:
            if self.lines:
                tail = self.lines[-TAIL_LINES:]
                out.append(f"# --- last {len(tail)} lines of {self.rel(self.log)} ---")
                out.extend("#   | " + line for line in tail)
            else:
                out.append(f"# --- {self.rel(self.log)} is empty ---")
            out.append(f"# --- emulator output: {self.rel(self.out)} ---")
            out.extend("#   | " + line for line in tail_of(
                self.out, lambda l: "TCG doesn't support requested feature" not in l, 8))
            bl = Path(str(self.log) + ".bochs.log")
            if bl.exists():
                # Bochs log lines are "<ticks><level>[DEV ] text"; keep errors
                # and panics (VM-entry failures, triple faults, shutdown port).
                out.append(f"# --- errors/panics in bochs log: {self.rel(bl)} ---")
                out.extend("#   | " + line for line in tail_of(
                    bl, lambda l: re.match(r"^\d+[ep]\[", l), 10))
        return out, checks

    @staticmethod
    def rel(path):
        try:
            return str(Path(path).resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def tail_of(path, keep, n):
    """Last n clean lines of a file that satisfy keep(line)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 256 * 1024))
            data = f.read()
    except OSError:
        return []
    lines = [clean_line(l) for l in re.split(rb"[\r\n]", data)]
    return [l for l in lines if l.strip() and keep(l)][-n:]


def load_plan(path):
    try:
        with open(path) as f:
            plan = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SystemExit(f"boottest: cannot read plan {path}: {e}")
    if not isinstance(plan, dict) or not isinstance(plan.get("platforms"), list):
        raise SystemExit(f"boottest: plan {path} needs a 'platforms' list")

    def uncomment(d):
        return {k: v for k, v in d.items() if not k.startswith("_")}

    plan = uncomment(plan)
    unknown = set(plan) - PLAN_KEYS
    if unknown:
        raise SystemExit(f"boottest: plan {path}: unknown key(s) {', '.join(sorted(unknown))}")
    plan["platforms"] = [uncomment(p) for p in plan["platforms"]]
    return plan


def boot(name, cmd, iso, logdir, timeout, done, expect=(), timing=None, index=1, repeat=1,
         poll=POLL, stop=None):
    """Boot @iso once with @cmd (a plan's "cmd"), stopped once @done and
    every @expect regex matched a serial line; nothing is forbidden. Returns
    the finished Run: run.lines (the serial log), run.first[regex] and
    run.done_at / run.timing_at as (seconds, line), run.why() when it did
    not get there. @poll: seconds between looks at the serial log; @stop: a
    threading.Event that ends the run early."""
    plat = Platform(name, list(cmd), timeout, done, expect=list(expect), timing=timing,
                    forbid=[])
    run = Run(plat, Path(iso), Path(logdir), index, repeat, poll=poll)
    run.execute(stop or threading.Event())
    return run


def main():
    ap = argparse.ArgumentParser(
        description="Boot an ISO on emulated platforms and judge the serial logs.",
        epilog="Plan format: see the docstring at the top of this file.")
    ap.add_argument("--iso", help="ISO to boot (required unless --list)")
    ap.add_argument("--plan", required=True, help="plan file (JSON)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only these platforms (comma-separated, repeatable)")
    ap.add_argument("--group", action="append", default=[],
                    help="run the platforms of these groups (comma-separated, repeatable; "
                         "default: default); --only overrides")
    ap.add_argument("--jobs", "-j", type=int, default=2,
                    help="slots for platforms running at the same time (default 2); "
                         "a platform takes 'slots' of them (default 1)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="boot each platform K times; report the median timing")
    ap.add_argument("--logdir", default=str(ROOT / "build" / "logs"),
                    help="where serial logs go (default build/logs)")
    ap.add_argument("--timeout-scale", type=float,
                    default=float(os.environ.get("BOOTTEST_TIMEOUT_SCALE", "1")),
                    help="multiply every timeout (env BOOTTEST_TIMEOUT_SCALE)")
    ap.add_argument("--json", help="also write results (timings) as JSON to this file")
    ap.add_argument("--list", action="store_true", help="list the plan's platforms and exit")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the serial tail for passing platforms too")
    args = ap.parse_args()

    plan = load_plan(args.plan)
    plats = [Platform.from_plan(d, plan, args.timeout_scale) for d in plan["platforms"]]
    names = [p.name for p in plats]
    if len(set(names)) != len(names):
        raise SystemExit("boottest: duplicate platform names in plan")
    if args.list:
        for p in plats:
            print(f"{p.name}\t{p.group}\t{p.timeout:g}s\t{' '.join(p.cmd)}")
        return 0
    if args.only:
        want = [n for o in args.only for n in o.split(",") if n]
        unknown = [n for n in want if n not in names]
        if unknown:
            raise SystemExit(f"boottest: unknown platform(s) {', '.join(unknown)}; "
                             f"plan has {', '.join(names)}")
        plats = [p for p in plats if p.name in want]
    else:
        groups = [g for o in args.group for g in o.split(",") if g] or ["default"]
        plats = [p for p in plats if p.group in groups]
        if not plats:
            # Not an error: a group may be empty until a platform joins it.
            print(f"# boottest: no platform in group(s) {', '.join(groups)}")
            print("0 passed, 0 failed")
            return 0
    if not args.iso and not all(p.iso for p in plats):
        ap.error("--iso is required")
    iso = Path(args.iso).resolve() if args.iso else None
    for p in plats:
        if not (p.iso or iso).is_file():
            raise SystemExit(f"boottest: {p.name}: no ISO at {p.iso or iso}")
    if args.jobs < 1 or args.repeat < 1:
        ap.error("--jobs and --repeat must be at least 1")
    logdir = Path(args.logdir).resolve()
    logdir.mkdir(parents=True, exist_ok=True)

    runs = [Run(p, p.iso or iso, logdir, k + 1, args.repeat)
            for p in plats for k in range(args.repeat)]
    stop = threading.Event()
    finished = [threading.Event() for _ in runs]
    # --jobs N gives N slots; a platform takes "slots" of them (default 1).
    # Runs start in plan order: a run waits until enough slots are free and
    # every earlier run has started.
    cond = threading.Condition()
    free = [args.jobs]
    turn = [0]

    def acquire(i, need):
        with cond:
            cond.wait_for(lambda: stop.is_set() or (turn[0] == i and free[0] >= need))
            if not stop.is_set():
                free[0] -= need
            turn[0] += 1
            cond.notify_all()

    def release(need):
        with cond:
            free[0] += need
            cond.notify_all()

    def worker(i, run):
        need = min(run.p.slots, args.jobs)
        acquire(i, need)
        try:
            if not stop.is_set():
                run.execute(stop)
            else:
                run.reason, run.elapsed = "interrupted", 0.0
        except Exception as e:  # keep the harness going; report as a failure
            run.reason, run.error, run.elapsed = "error", f"harness error: {e!r}", 0.0
            run.kill()
        finally:
            release(need)
            finished[i].set()

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    print(f"# boottest: {len(plats)} platform(s) x {args.repeat}, jobs={args.jobs}, "
          f"iso={Run.rel(iso) if iso else 'per platform'}", flush=True)
    threads = [threading.Thread(target=worker, args=(i, r), daemon=True)
               for i, r in enumerate(runs)]
    passed = failed = 0
    interrupted = False
    try:
        for t in threads:
            t.start()
        # Print in plan order, each as soon as it and all before it are done.
        for i, run in enumerate(runs):
            while not finished[i].wait(0.2):
                pass
            lines, checks = run.report(args.verbose)
            print("\n".join(lines), flush=True)
            passed += sum(1 for ok, _ in checks if ok)
            failed += sum(1 for ok, _ in checks if not ok)
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        with cond:
            cond.notify_all()
        print("# boottest: interrupted; stopping emulators", flush=True)
        for r in runs:
            r.kill()
        for t in threads:
            t.join(KILL_GRACE + 2)
        failed += 1

    # Timing summary.
    results = []
    for p in plats:
        pr = [r for r in runs if r.p is p and r.elapsed is not None and r.reason != "error"]
        vals = [r.timing_value() for r in pr]
        vals = [v for v in vals if v is not None]
        entry = {
            "name": p.name,
            "timing_regex": p.timing[0] if p.timing else None,
            "timings": vals,
            "median": statistics.median(vals) if vals else None,
            "runs": [{"elapsed": r.elapsed, "reason": r.reason, "status": r.status,
                      "timing": r.timing_value(),
                      "passed": all(ok for ok, _ in r.checks()) if r.reason else False}
                     for r in pr],
        }
        results.append(entry)
        if p.timing and args.repeat > 1:
            what = f"to /{p.timing[0]}/"
            if vals:
                print(f"# timing {p.name}: median {entry['median']:.2f} s {what} "
                      f"over {len(vals)} of {args.repeat} runs "
                      f"({' '.join(f'{v:.2f}' for v in vals)})")
            else:
                print(f"# timing {p.name}: /{p.timing[0]}/ never seen in {args.repeat} runs")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"iso": str(iso) if iso else None, "jobs": args.jobs, "repeat": args.repeat,
                       "passed": passed, "failed": failed, "platforms": results}, f, indent=2)
    print(f"{passed} passed, {failed} failed", flush=True)
    if interrupted:
        return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
