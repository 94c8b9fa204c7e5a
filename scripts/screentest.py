#!/usr/bin/env python3
"""Screen test: Tandem's log drawn on a UEFI framebuffer, read back by OCR.

usage: scripts/screentest.py --iso ISO [--logdir DIR] [--timeout S] [--expect REGEX]

Boots ISO (Tandem with console=fb: its log on the screen only, the ROS as
its root guest) in QEMU with OVMF and `-vga std`. When the ROS prints its
screen line on serial, Tandem has handed it the screen and drawn its last
line, so the picture is still: a screenshot is taken through the QEMU
monitor (`screendump`), kept as DIR/qemu-fb.png for a person to look at,
scaled up and read by tesseract (DIR/qemu-fb.txt). Checks, one line each:
  - no Tandem line on serial (the log went to the screen only);
  - the ROS got the screen: its "ros: screen:" line names an RGB
    framebuffer of the screenshot's size;
  - the OCR text holds the expected line (default: the "cpus: 4 online of
    4 possible" line), matched after folding the look-alikes OCR confuses.
Last line "N passed, N failed"; exit status 1 if a check failed.
"""
import argparse
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = 3  # the 8x16 font OCRs reliably at 24x48


def read_ppm(path):
    data = Path(path).read_bytes()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m:
        raise ValueError("screendump is not a binary PPM")
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h * 3]


def write_png(path, w, h, rgb):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def write_ocr_pgm(path, w, h, rgb):
    """Dark text on white, scaled up SCALE times (nearest neighbour)."""
    ink = bytes(0 if v >= 96 else 255 for v in range(256))
    out = [b"P5 %d %d 255\n" % (w * SCALE, h * SCALE)]
    for y in range(h):
        grey = rgb[y * w * 3 + 1:(y + 1) * w * 3:3].translate(ink)
        line = bytes(b for b in grey for _ in range(SCALE))
        out.extend([line] * SCALE)
    Path(path).write_bytes(b"".join(out))


def fold(text):
    """Folds what OCR of a console font confuses, so matching stays
    meaningful yet tolerant: letter O/o for 0 between digits, l/I/| for 1
    in numbers, runs of blanks."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"(?<=\d)[Oo]|[Oo](?=\d)", "0", text)
    return text


def monitor(sock_path, cmd, timeout=30):
    deadline = time.time() + timeout
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(sock_path)
    buf = b""
    while b"(qemu)" not in buf and time.time() < deadline:
        buf += s.recv(4096)
    s.sendall(cmd.encode() + b"\n")
    buf = b""
    while b"(qemu)" not in buf and time.time() < deadline:
        buf += s.recv(4096)
    s.close()
    return buf.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", required=True)
    ap.add_argument("--logdir", default=str(ROOT / "build" / "logs"))
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--expect", default=r"tandem: cpus: 4 online of 4 possible")
    a = ap.parse_args()
    scale = float(os.environ.get("BOOTTEST_TIMEOUT_SCALE", "1"))
    logdir = Path(a.logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    serial = logdir / "qemu-fb.log"
    png, txt = logdir / "qemu-fb.png", logdir / "qemu-fb.txt"
    for p in (serial, png, txt):
        p.unlink(missing_ok=True)
    tmp = tempfile.mkdtemp(prefix="tandem-screen.")
    sock, ppm, pgm = (os.path.join(tmp, n) for n in ("mon", "shot.ppm", "ocr.pgm"))
    cmd = [str(ROOT / "scripts/run-qemu.sh"), "--uefi", "--smp", "4",
           "--log", str(serial), a.iso, "--", "-vga", "std",
           "-monitor", "unix:%s,server=on,wait=off" % sock]
    results = []
    start = time.time()
    with open(logdir / "qemu-fb.out", "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=out, cwd=ROOT,
                                start_new_session=True)
    try:
        started = False
        while time.time() - start < a.timeout * scale and proc.poll() is None:
            if serial.exists() and re.search(rb"(^|\r)ros: screen: ", serial.read_bytes(), re.M):
                started = True
                break
            time.sleep(0.5)
        if not started:
            print("not ok - qemu-fb: the ROS did not start (serial log %s)" % serial)
            results.append(False)
        else:
            print("# qemu-fb: ROS running after %.1f s; taking the screenshot" % (time.time() - start))
            # Paused first, so the ROS cannot end QEMU under the shot.
            monitor(sock, "stop")
            monitor(sock, "screendump " + ppm)
            w, h, rgb = read_ppm(ppm)
            write_png(png, w, h, rgb)
            write_ocr_pgm(pgm, w, h, rgb)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait()
    if results:
        print("0 passed, 1 failed")
        return 1
    log = serial.read_bytes().decode(errors="replace")
    tandem_lines = [l for l in log.splitlines() if l.startswith("tandem:")]
    results.append(not tandem_lines)
    print("%s - qemu-fb: no Tandem line on serial (console=fb)%s" % (
        "ok" if not tandem_lines else "not ok",
        "" if not tandem_lines else ": " + tandem_lines[0]))
    m = re.search(r"(?:^|\r)ros: screen: (\d+)x(\d+), \d+-bit, type 1 at", log, re.M)
    got = m and (int(m.group(1)), int(m.group(2))) == (w, h)
    results.append(bool(got))
    print("%s - qemu-fb: the ROS got the %dx%d framebuffer in its boot information%s" % (
        "ok" if got else "not ok", w, h,
        "" if got else " (its line: %s)" % (m.group(0) if m else "none")))
    ocr = subprocess.run(["tesseract", pgm, "stdout", "--psm", "6"],
                         capture_output=True, text=True)
    txt.write_text(ocr.stdout)
    want = re.compile(a.expect.replace(" ", r"\s*"))
    hit = [l for l in ocr.stdout.splitlines() if want.search(fold(l))]
    results.append(bool(hit))
    if hit:
        print("ok - qemu-fb: OCR read '%s' off the screen (%s)" % (hit[0].strip(), png))
    else:
        print("not ok - qemu-fb: OCR found no line matching '%s' (%s, %s)" % (a.expect, png, txt))
    subprocess.run(["rm", "-rf", tmp])
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
