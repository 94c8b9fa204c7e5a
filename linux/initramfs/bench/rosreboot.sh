#!/bin/sh
# Hand test of reboot ROS / reboot both (not committed).
say() { echo "rosreboot: $*"; }
req=$(sed -n 's/.*tinit\.rr=\([a-z-]*\).*/\1/p' /proc/cmdline)
ko=$(find / -xdev -name tandem.ko 2>/dev/null | head -n 1)
[ -e /dev/tandem ] || insmod "$ko"
say "boot at uptime $(cut -d' ' -f1 /proc/uptime), hrt function 7: $(tandemctl hrt call 7)"
say "hrt state: $(tandemctl hrt state)"
say "issuing ros ${req:-reboot}"
tandemctl ros "${req:-reboot}"
say "returned $?"
