; The Jailhouse-contract test inmate and its generated cell descriptions
; (cells/jh/jh.mk: build/cells/jh/), embedded for ros/checks_jh_cells.c.
; ros/ros.mk assembles this file with -I build/cells/jh/.

%macro blob 2
global ros_jh_%1
global ros_jh_%1_end
align 16
ros_jh_%1:
	incbin %2
ros_jh_%1_end:
%endmacro

section .rodata
blob image, "jhtest.bin"
blob jhtest_cell, "jhtest.cell"
blob jhsmp_cell, "jhsmp.cell"
blob jhrev_cell, "jhrev.cell"
