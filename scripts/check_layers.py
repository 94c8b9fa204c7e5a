#!/usr/bin/env python3
"""Checks that the kernel's dependencies run one way.

Layers, lowest first (a file may include its own layer and any lower one):

  0  kernel/layout.h, header.h, config.h, entry.h: top-level contracts
     that include nothing of the kernel
  1  lib   freestanding C library, x86 instruction wrappers, locks
  2  fmt   pure parsers and builders of outside formats (lib only)
  2  hw    the physical machine: APIC, serial, VGA, console, TSC, traps
  3  mm    page tables, page pools, memory maps, Tandem's ranges
  3.5 kernel/boot_info.h: what boot/ hands the kernel (types of fmt, mm)
  4  virt  vCPUs, partitions, the run loop, exits, the hypercall path
  5  cell  the root cell, Jailhouse-style cells, Disable, the ROS loader
  5  hvm   the Palacios HVM interface and the HRT
  6  kernel/*.c top level: entry, guest start-up, the hypercall table
  -  boot/, vmx/, svm/: may include anything below the top level

Also fails on any include cycle between kernel files, and on a bare
include of a kernel header from another folder (every include names its
folder). Exit status 1 on any finding, with one line per finding.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = ROOT / "kernel"
RANK = {"lib": 1, "fmt": 2, "hw": 2, "mm": 3, "virt": 4, "cell": 5, "hvm": 5}
# Who may include whom beyond rank order (fmt is pure: lib only).
ONLY = {"fmt": {"lib", "fmt"}}
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer(path):
    rel = path.relative_to(KERNEL)
    if len(rel.parts) == 1:
        return "top-h" if path.suffix == ".h" else "top-c"
    return rel.parts[0]


TOP_H_RANK = {"boot_info.h": 3.5}


def rank(name, path=None):
    if name == "top-h":
        return TOP_H_RANK.get(path.name, 0) if path else 0
    if name == "top-c":
        return 6
    return RANK[name]


def resolve(src, inc):
    """The kernel file an include names, or None (guest-abi, build/...)."""
    local = src.parent / inc
    if local.exists() and src.parent != KERNEL and KERNEL in local.resolve().parents:
        # A same-folder include must still name its folder.
        if "/" not in inc:
            return ("bare", local.resolve())
    for base in (KERNEL, ROOT):
        p = (base / inc).resolve()
        if p.exists() and KERNEL in p.parents:
            return ("ok", p)
    return None


def main():
    problems = []
    files = sorted(p for p in KERNEL.rglob("*") if p.suffix in (".c", ".h"))
    graph = {}
    for f in files:
        deps = []
        for inc in INC.findall(f.read_text()):
            r = resolve(f, inc)
            if not r:
                continue
            kind, target = r
            rel = f.relative_to(ROOT)
            if kind == "bare":
                problems.append(f"{rel}: #include \"{inc}\" does not name its folder")
            deps.append(target)
            a, b = layer(f), layer(target)
            if a == b:
                continue
            if b not in ONLY.get(a, {b}):
                problems.append(f"{rel}: {a}/ may not include {target.relative_to(ROOT)}")
            elif rank(b, target) > rank(a, f) or (rank(b, target) == rank(a, f) and a != b):
                problems.append(f"{rel}: {a}/ includes {target.relative_to(ROOT)}, "
                                f"which is not below it")
        graph[f.resolve()] = deps
    # Cycles (depth-first search, three colours).
    colour = {}
    stack = []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for d in graph.get(n, []):
            if colour.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                problems.append("include cycle: " + " -> ".join(
                    str(c.relative_to(ROOT)) for c in cyc))
            elif not colour.get(d):
                visit(d)
        stack.pop()
        colour[n] = 2

    for n in graph:
        if not colour.get(n):
            visit(n)
    for p in problems:
        print("check-layers: " + p)
    if problems:
        return 1
    print(f"check-layers: {len(files)} kernel files, dependencies run one way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
