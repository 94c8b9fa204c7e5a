#!/usr/bin/env python3
"""Copy an HRT image with other flags and max_mem_to_map in its HRT tag.

    hrt_tag_patch.py IN OUT FLAGS MAX_MEM

The tag (Multiboot2 header tag type 0xf00d, tandem/hvm.h) must be in the
first 32 KiB, as the loader looks for it there. Used to build a boot
scenario whose HRT Tandem accepts but cannot build page tables for.
"""
import struct
import sys


def main():
    src, dst, flags, max_mem = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4], 0)
    data = bytearray(open(src, "rb").read())
    head = struct.pack("<HHI", 0xF00D, 0, 56)
    at = data.find(head, 0, 32768)
    if at < 0 or at % 8:
        sys.exit(f"{src}: no HRT tag in the first 32 KiB")
    struct.pack_into("<QQ", data, at + 8, flags, max_mem)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
