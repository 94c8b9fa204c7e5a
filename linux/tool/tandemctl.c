/*
 * tandemctl: Tandem from a Linux root cell, in the manner of `jailhouse`
 * and `xl`. The cell, information and Disable commands go through
 * tandem.ko (/dev/tandem, linux/include/tandem_ioctl.h); the hrt commands
 * need no driver: they issue the Palacios HVM downcall (0xf00d,
 * guest-abi/ABI.md 4.10) from this process, at CPL 3.
 *
 * Output and exit status are for scripts: 0 and the result on stdout on
 * success; on failure 1 and one line on stderr,
 *   tandemctl: <command>: <ERRNO NAME>: <why>
 * (2 for a usage error). See usage() for the commands.
 *
 * HRT pointers. As with Palacios, every pointer a 0xf00d request takes
 * (get state's event buffer, replace's image, invoke's call descriptor
 * and the result slots it names) is a virtual address of this process,
 * which Tandem reads and writes through the caller's page tables
 * (guest-abi/ABI.md 4.10). The HRT writes the result slots by physical
 * address after the invoke returned, so they live in a locked page.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <cpuid.h>

#include "tandem/cell_config.h"
#include "tandem/cpuid.h"
#include "tandem/hvm_call.h"
#include "tandem/hypercall.h"
#include "tandem/jailhouse.h"
#include "tandem_ioctl.h"
#include "tool.h"

#define EXIT_USAGE	2
#define HRT_SLOTS	64
#define HRT_SLOT_OFFSET 128
#define HRT_DONE_OFFSET 1024 /* the completion word, after the 64 slots */
#define HRT_UNSET	0x5555555555555555ull
#define HRT_CALL_MS	10000 /* one call until IDLE again (slow emulators) */
#define HRT_ACCEPT_MS	10000 /* a just (re)booted HRT until it takes invokes */
#define IMAGE_MAX	(64u << 20)
#define PAGE		4096u

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: tandemctl info\n"
	      "       tandemctl cell create CONFIG IMAGE[@ADDR]...\n"
	      "       tandemctl cell start|destroy NAME|ID\n"
	      "       tandemctl cell restart NAME|ID [ENTRY [EDI [ESI [EDX]]]]\n"
	      "       tandemctl cell list\n"
	      "       tandemctl cell stats NAME|ID\n"
	      "       tandemctl hrt state\n"
	      "       tandemctl hrt call [-n COUNT] FUNC [ARG...]\n"
	      "       tandemctl hrt parallel FUNC [ARG...]\n"
	      "       tandemctl hrt reboot\n"
	      "       tandemctl hrt replace IMAGE\n"
	      "       tandemctl ros reboot|reboot-both\n"
	      "       tandemctl disable\n"
	      "CONFIG: Tandem's configuration or a Jailhouse cell description.\n"
	      "IMAGE@ADDR loads IMAGE at cell-physical ADDR (default: the first\n"
	      "image at the configuration's reset_entry; with a Jailhouse\n"
	      "description every image at 0, as jailhouse cell load).\n"
	      "Numbers: C syntax.\n",
	      stderr);
	exit(EXIT_USAGE);
}

static uint64_t parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		fail(EINVAL, "%s '%s' is not a number", what, s);
	return v;
}

/* ---- detection (ABI section 1), from user mode ---- */

static bool tandem_present(char sig[13])
{
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	bool hv = c >> TANDEM_CPUID_HV_PRESENT_BIT & 1;

	__cpuid(TANDEM_CPUID_BASE, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '.';
	return hv && b == TANDEM_SIGNATURE_EBX && c == TANDEM_SIGNATURE_ECX &&
	       d == TANDEM_SIGNATURE_EDX && a >= TANDEM_CPUID_MAX;
}

static void need_tandem(void)
{
	char sig[13];

	if (!tandem_present(sig))
		fail(ENODEV,
		     "no Tandem hypervisor (CPUID 0x40000000 reads \"%s\", not \"%s\")",
		     sig, TANDEM_SIGNATURE);
}

/* ---- the driver ---- */

static int dev_open(void)
{
	int fd = open(TANDEM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		/* No devtmpfs: make the node from sysfs. */
		unsigned int maj, min;
		FILE *f = fopen("/sys/class/misc/tandem/dev", "r");

		if (f && fscanf(f, "%u:%u", &maj, &min) == 2)
			mknod(TANDEM_DEVICE, S_IFCHR | 0600, makedev(maj, min));
		if (f)
			fclose(f);
		fd = open(TANDEM_DEVICE, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0) {
		need_tandem();
		fail(ENODEV, "cannot open %s (%s): is tandem.ko loaded?",
		     TANDEM_DEVICE, strerror(errno));
	}
	return fd;
}

/* An ioctl whose struct has err and msg (tandem_ioctl.h). */
static void dev_ioctl(unsigned long nr, void *req, const int32_t *err,
		      const char *msg)
{
	int fd = dev_open();

	if (ioctl(fd, nr, req) < 0)
		fail(errno, "ioctl: %s", strerror(errno));
	close(fd);
	if (*err)
		fail(*err, "%s", msg[0] ? msg : strerror(*err));
}

static void get_list(struct tandem_ioc_list *l)
{
	memset(l, 0, sizeof(*l));
	dev_ioctl(TANDEM_IOC_CELL_LIST, l, &l->err, l->msg);
}

/* A cell's id from NAME or ID; ENOENT when neither is listed. */
static const struct tandem_ioc_cell_entry *find_cell(const char *arg,
						     struct tandem_ioc_list *l)
{
	char *end;
	long id = strtol(arg, &end, 0);
	bool numeric = *arg && !*end;

	get_list(l);
	for (uint32_t i = 0; i < l->count; i++)
		if ((numeric && l->cells[i].id == id) ||
		    (!numeric && !strcmp(l->cells[i].name, arg)))
			return &l->cells[i];
	fail(ENOENT, "no cell '%s'", arg);
}

/* The id for start/restart/destroy: a number is passed to Tandem as it is
 * (so that its own error shows), a name must be listed. */
static uint32_t cell_id_arg(const char *arg)
{
	struct tandem_ioc_list l;
	char *end;
	unsigned long id = strtoul(arg, &end, 0);

	if (*arg && !*end)
		return (uint32_t)id;
	return (uint32_t)find_cell(arg, &l)->id;
}

/* Cell Get State in the numbering of the cell's format (ABI 4.6, 12.4). */
static const char *state_token(int32_t st, uint32_t format)
{
	if (format == TANDEM_IOC_FMT_JAILHOUSE) {
		switch (st) {
		case JH_CELL_RUNNING:
			return "running";
		case JH_CELL_RUNNING_LOCKED:
			return "running-locked";
		case JH_CELL_SHUT_DOWN:
			return "shut-down";
		case JH_CELL_FAILED:
			return "failed";
		case JH_CELL_FAILED_COMM_REV:
			return "failed-comm-rev";
		default:
			return "invalid";
		}
	}
	switch (st) {
	case TANDEM_CELL_RUNNING:
		return "running";
	case TANDEM_CELL_SHUT_DOWN:
		return "shut-down";
	case TANDEM_CELL_FAILED:
		return "failed";
	default:
		return "invalid";
	}
}

static void print_cpus(uint64_t set)
{
	bool first = true;

	if (!set) {
		fputs("-", stdout);
		return;
	}
	for (int cpu = 0; cpu < 64; cpu++) {
		if (!(set >> cpu & 1))
			continue;
		int last = cpu;

		while (last < 63 && (set >> (last + 1) & 1))
			last++;
		printf(first ? "%d" : ",%d", cpu);
		if (last > cpu)
			printf("-%d", last);
		first = false;
		cpu = last;
	}
}

/* ---- commands ---- */

static int64_t get_info(uint64_t type)
{
	struct tandem_ioc_query q = { .a1 = type };

	dev_ioctl(TANDEM_IOC_GET_INFO, &q, &q.err, q.msg);
	return q.value;
}

static int cmd_info(void)
{
	unsigned int a, b, c, d;

	need_tandem();
	__cpuid(TANDEM_CPUID_VERSION, a, b, c, d);
	(void)b, (void)c, (void)d;
	printf("tandem %u.%u\n", a >> 16, a & 0xffff);
	printf("mem_pool_pages %" PRId64 "\n",
	       get_info(TANDEM_INFO_MEM_POOL_PAGES));
	printf("mem_pool_used %" PRId64 "\n",
	       get_info(TANDEM_INFO_MEM_POOL_USED));
	printf("remap_pool_pages %" PRId64 "\n",
	       get_info(TANDEM_INFO_REMAP_POOL_PAGES));
	printf("remap_pool_used %" PRId64 "\n",
	       get_info(TANDEM_INFO_REMAP_POOL_USED));
	printf("cells %" PRId64 "\n", get_info(TANDEM_INFO_NUM_CELLS));
	printf("image 0x%" PRIx64 " size 0x%" PRIx64 "\n",
	       get_info(TANDEM_INFO_IMAGE_BASE),
	       get_info(TANDEM_INFO_IMAGE_SIZE));
	printf("hv_mem 0x%" PRIx64 " size 0x%" PRIx64 "\n",
	       get_info(TANDEM_INFO_HV_MEM_BASE),
	       get_info(TANDEM_INFO_HV_MEM_SIZE));
	printf("hrt_mem 0x%" PRIx64 " size 0x%" PRIx64 "\n",
	       get_info(TANDEM_INFO_HRT_MEM_BASE),
	       get_info(TANDEM_INFO_HRT_MEM_SIZE));
	return 0;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf;

	if (!f)
		fail(errno, "cannot open '%s': %s", path, strerror(errno));
	buf = malloc(cap);
	for (;;) {
		if (!buf)
			fail(ENOMEM, "reading '%s'", path);
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= IMAGE_MAX)
			fail(E2BIG, "'%s' is larger than %u bytes", path,
			     IMAGE_MAX);
		cap *= 2;
		buf = realloc(buf, cap);
	}
	if (ferror(f))
		fail(EIO, "cannot read '%s'", path);
	fclose(f);
	*size = n;
	return buf;
}

static int cmd_cell_create(int argc, char **argv)
{
	struct tandem_ioc_image images[TANDEM_IOC_MAX_IMAGES];
	struct tandem_ioc_create req = { 0 };
	struct tandem_cell_desc desc;
	size_t size;
	void *cfg;
	bool jh;

	if (argc < 1)
		usage();
	if (argc - 1 > TANDEM_IOC_MAX_IMAGES)
		fail(E2BIG, "%d images, at most %d", argc - 1,
		     TANDEM_IOC_MAX_IMAGES);
	cfg = read_file(argv[0], &size);
	if (size > TANDEM_CELL_CONFIG_MAX)
		fail(E2BIG, "'%s' is %zu bytes, a configuration at most %d",
		     argv[0], size, TANDEM_CELL_CONFIG_MAX);
	memset(&desc, 0, sizeof(desc));
	memcpy(&desc, cfg, size < sizeof(desc) ? size : sizeof(desc));
	/* Checked by the driver and Tandem; here only where images go. */
	jh = size >= sizeof(JH_CELL_SIGNATURE) - 1 &&
	     !memcmp(cfg, JH_CELL_SIGNATURE, sizeof(JH_CELL_SIGNATURE) - 1);
	for (int i = 1; i < argc; i++) {
		char *path = strdup(argv[i]);
		char *at = strrchr(path, '@');
		struct tandem_ioc_image *img = &images[i - 1];
		size_t isz;

		if (at)
			*at = 0;
		if (at)
			img->addr = parse_num(at + 1, "load address");
		else if (jh)
			img->addr = 0; /* jailhouse cell load's default */
		else if (i == 1)
			img->addr = desc.reset_entry;
		else
			fail(EINVAL,
			     "image '%s' needs @ADDR (only the first loads at reset_entry)",
			     path);
		img->data = (uintptr_t)read_file(path, &isz);
		img->size = isz;
	}
	req.config = (uintptr_t)cfg;
	req.config_size = (uint32_t)size;
	req.num_images = (uint32_t)(argc - 1);
	req.images = (uintptr_t)images;
	dev_ioctl(TANDEM_IOC_CELL_CREATE, &req, &req.err, req.msg);
	printf("%d\n", req.id);
	return 0;
}

static int cmd_cell_simple(unsigned long nr, int argc, char **argv)
{
	struct tandem_ioc_cell req = { 0 };

	if (argc < 1 || (nr != TANDEM_IOC_CELL_RESTART && argc != 1) || argc > 5)
		usage();
	req.id = cell_id_arg(argv[0]);
	if (argc > 1)
		req.entry = parse_num(argv[1], "entry");
	for (int i = 2; i < argc; i++)
		req.args[i - 2] = parse_num(argv[i], "value");
	dev_ioctl(nr, &req, &req.err, req.msg);
	return 0;
}

static int cmd_cell_list(void)
{
	struct tandem_ioc_list l;

	get_list(&l);
	printf("ID NAME STATE CPUS\n");
	for (uint32_t i = 0; i < l.count; i++) {
		printf("%d %s %s ", l.cells[i].id, l.cells[i].name,
		       state_token(l.cells[i].state, l.cells[i].format));
		print_cpus(l.cells[i].cpu_set);
		putchar('\n');
	}
	return 0;
}

static int64_t cpu_state(uint32_t cpu, uint32_t type)
{
	struct tandem_ioc_query q = { .a1 = cpu, .a2 = type };

	dev_ioctl(TANDEM_IOC_CPU_STATE, &q, &q.err, q.msg);
	return q.value;
}

static int cmd_cell_stats(const char *arg)
{
	static const char *const names[] = { "exits", "hypercall", "cpuid",
					     "msr",   "io",	   "npf",
					     "hlt",   "irq",	   "other" };
	struct tandem_ioc_list l;
	const struct tandem_ioc_cell_entry *e = find_cell(arg, &l);

	if (!e->cpu_set)
		fail(ENOENT, "cell '%s' has no CPU the driver knows of", arg);
	for (uint32_t cpu = 0; cpu < 64; cpu++) {
		if (!(e->cpu_set >> cpu & 1))
			continue;
		printf("cpu %u state %s", cpu,
		       cpu_state(cpu, TANDEM_CPU_INFO_STATE) == TANDEM_CPU_FAILED ?
			       "failed" :
			       "running");
		for (uint32_t k = 0;
		     k <= TANDEM_CPU_STAT_LAST - TANDEM_CPU_STAT_TOTAL; k++)
			printf(" %s %" PRId64, names[k],
			       cpu_state(cpu, TANDEM_CPU_STAT_TOTAL + k));
		putchar('\n');
	}
	return 0;
}

static int cmd_disable(void)
{
	struct tandem_ioc_disable req = { 0 };

	dev_ioctl(TANDEM_IOC_DISABLE, &req, &req.err, req.msg);
	printf("disabled\n");
	return 0;
}

/* ---- HRT: 0xf00d from user mode, no driver ---- */

static const char *hrt_state_name(long st)
{
	static const char *const n[] = { "IDLE",      "CALL",	"PARCALL",
					 "SYNCSETUP", "SYNC",	"SYNCTEARDOWN",
					 "MERGE",     "GDTSYNC" };

	return st >= 0 && st < 8 ? n[st] : "?";
}

static const char *event_name(uint32_t t)
{
	static const char *const n[] = {
		"NONE",		 "ROS_PAGE_FAULT",  "ROS_SYSCALL",
		"HRT_EXCEPTION", "HRT_THREAD_EXIT", "ROS_DONE"
	};

	return t < 6 ? n[t] : "?";
}

static void hrt_init(void)
{
	need_tandem();
	tool_amd = tool_cpu_is_amd();
	if (hvm(TANDEM_HVM_GET_STATE, 0, 0) < 0)
		fail(ENODEV, "no HRT (the get-state request returns -1)");
}

/* Get state with the event copied to a buffer of this process (a virtual
 * address, as Palacios reads it). */
static long hrt_get_state(struct tandem_ros_event *ev)
{
	long st;

	memset(ev, 0xff, sizeof(*ev));
	st = hvm(TANDEM_HVM_GET_STATE, (uintptr_t)ev, 0);
	if (st < 0)
		fail(EFAULT,
		     "get state refused the event buffer at virtual address %p (Tandem does not read 0xf00d pointers through the caller's page tables?)",
		     (void *)ev);
	return st;
}

static int cmd_hrt_state(void)
{
	struct tandem_ros_event ev;
	long st;

	hrt_init();
	st = hrt_get_state(&ev);
	printf("state %s event %s", hrt_state_name(st),
	       event_name(ev.event_type));
	if (ev.event_type == TANDEM_HRT_EXCEPTION)
		printf(" rip 0x%" PRIx64 " vector %" PRIu64, ev.excp.rip,
		       ev.excp.vector);
	putchar('\n');
	return 0;
}

struct hrt_page {
	struct tandem_hrt_call *call;
	volatile uint64_t *slots;
	volatile uint64_t *done; /* the invoke's completion word (RSI) */
};

static void hrt_page_get(struct hrt_page *hp)
{
	uint8_t *page = aligned_alloc(PAGE, PAGE);

	if (!page)
		fail(ENOMEM, "no memory for the call page");
	memset(page, 0, PAGE);
	if (mlock(page, PAGE))
		fail(errno, "cannot lock the call page: %s", strerror(errno));
	hp->call = (struct tandem_hrt_call *)page;
	hp->slots = (volatile uint64_t *)(page + HRT_SLOT_OFFSET);
	hp->done = (volatile uint64_t *)(page + HRT_DONE_OFFSET);
}

/* One invoke (@request 0x20 or 0x21) of @func: waits on the completion
 * word (the invoke is the call's only exit; guest-abi/ABI.md 4.10), then
 * checks the event; returns how many slots were written. */
static unsigned int hrt_invoke(struct hrt_page *hp, uint64_t request,
			       uint64_t func, const uint64_t *args,
			       unsigned int nargs)
{
	struct tandem_ros_event ev;
	uint64_t t0 = now_ms();
	unsigned int n = 0;
	long rc, st;

	memset(hp->call, 0, sizeof(*hp->call));
	hp->call->func = func;
	hp->call->result_gpa = (uintptr_t)hp->slots;
	for (unsigned int i = 0; i < nargs; i++)
		hp->call->args[i] = args[i];
	for (unsigned int i = 0; i < HRT_SLOTS; i++)
		hp->slots[i] = HRT_UNSET;

	/* Refused while HRT cores have not started yet (ABI 4.10): retry. */
	*hp->done = 0;
	while ((rc = hvm(request, (uintptr_t)hp->call, (uintptr_t)hp->done)) !=
	       0) {
		st = hvm(TANDEM_HVM_GET_STATE, 0, 0);
		if (now_ms() - t0 > HRT_ACCEPT_MS)
			fail(EBUSY,
			     "the %s was refused for %d ms (state %s; HRT not ready, or Tandem refused the descriptor or result slots)",
			     request == TANDEM_HVM_INVOKE ? "invoke" :
							    "parallel invoke",
			     HRT_ACCEPT_MS, hrt_state_name(st));
		usleep(1000);
	}
	t0 = now_ms();
	while (!__atomic_load_n(hp->done, __ATOMIC_ACQUIRE)) {
		if (now_ms() - t0 > HRT_CALL_MS)
			fail(ETIMEDOUT,
			     "the call did not finish within %d ms (state %s)",
			     HRT_CALL_MS,
			     hrt_state_name(hvm(TANDEM_HVM_GET_STATE, 0, 0)));
		__asm__ volatile("pause" ::: "memory");
	}
	if (*hp->done != TANDEM_HRT_COMPLETED) {
		hrt_get_state(&ev);
		if (ev.event_type == TANDEM_HRT_EXCEPTION)
			fail(EIO,
			     "the HRT failed during the call (rip 0x%" PRIx64
			     " vector %" PRIu64 ")",
			     ev.excp.rip, ev.excp.vector);
		fail(EIO,
		     "the call was aborted (completion word %" PRIu64
		     ", event %s)",
		     *hp->done, event_name(ev.event_type));
	}
	while (n < HRT_SLOTS && hp->slots[n] != HRT_UNSET)
		n++;
	if (n == 0)
		fail(EIO, "the HRT wrote no result");
	return n;
}

static int cmd_hrt_call(int argc, char **argv, bool parallel)
{
	uint64_t args[8], count = 1, func, t0;
	struct hrt_page hp;
	unsigned int nargs, n = 0;

	if (!parallel && argc >= 2 && !strcmp(argv[0], "-n")) {
		count = parse_num(argv[1], "count");
		argc -= 2, argv += 2;
	}
	if (argc < 1 || argc > 9 || count == 0)
		usage();
	func = parse_num(argv[0], "function");
	nargs = (unsigned int)argc - 1;
	for (unsigned int i = 0; i < nargs; i++)
		args[i] = parse_num(argv[i + 1], "argument");
	hrt_init();
	hrt_page_get(&hp);
	t0 = now_ms();
	for (uint64_t i = 0, first = 0; i < count; i++) {
		n = hrt_invoke(&hp,
			       parallel ? TANDEM_HVM_PAR_INVOKE :
					  TANDEM_HVM_INVOKE,
			       func, args, nargs);
		if (i == 0)
			first = hp.slots[0];
		else if (hp.slots[0] != first)
			fail(EIO,
			     "call %" PRIu64 " returned %" PRIu64
			     ", call 1 %" PRIu64,
			     i + 1, hp.slots[0], first);
	}
	if (count > 1)
		printf("calls %" PRIu64 " ms %" PRIu64 "\n", count,
		       now_ms() - t0);
	if (parallel)
		for (unsigned int i = 0; i < n; i++)
			printf("core %u result %" PRIu64 "\n", i, hp.slots[i]);
	else
		printf("result %" PRIu64 "\n", hp.slots[0]);
	return 0;
}

static int cmd_hrt_simple(uint64_t request, const char *path)
{
	void *img = NULL;
	size_t size = 0;
	long rc;

	hrt_init();
	if (path) {
		img = read_file(path, &size);
		if (mlock(img, size))
			fail(errno, "cannot lock the image: %s", strerror(errno));
	}
	/* replace: RDX = the image's virtual address in this process. */
	rc = hvm(request, (uintptr_t)img, size);
	if (rc != 0)
		fail(request == TANDEM_HVM_REPLACE_HRT ? EINVAL : EIO,
		     "%s refused by Tandem (-1; its log says why)",
		     request == TANDEM_HVM_REPLACE_HRT ? "replace" : "reboot");
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	static char name[64];

	tool_prog = "tandemctl";
	tool_what = "tandemctl";
	if (argc < 2)
		usage();
	snprintf(name, sizeof(name), "%s%s%s", argv[1], argc > 2 ? " " : "",
		 argc > 2 ? argv[2] : "");
	tool_what = name;
	if (!strcmp(argv[1], "info") && argc == 2)
		return cmd_info();
	if (!strcmp(argv[1], "disable") && argc == 2)
		return cmd_disable();
	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "cell")) {
		const char *c = argv[2];

		if (!strcmp(c, "create"))
			return cmd_cell_create(argc - 3, argv + 3);
		if (!strcmp(c, "start"))
			return cmd_cell_simple(TANDEM_IOC_CELL_START, argc - 3,
					       argv + 3);
		if (!strcmp(c, "restart"))
			return cmd_cell_simple(TANDEM_IOC_CELL_RESTART,
					       argc - 3, argv + 3);
		if (!strcmp(c, "destroy"))
			return cmd_cell_simple(TANDEM_IOC_CELL_DESTROY,
					       argc - 3, argv + 3);
		if (!strcmp(c, "list") && argc == 3)
			return cmd_cell_list();
		if (!strcmp(c, "stats") && argc == 4)
			return cmd_cell_stats(argv[3]);
	} else if (!strcmp(argv[1], "hrt")) {
		const char *c = argv[2];

		if (!strcmp(c, "state") && argc == 3)
			return cmd_hrt_state();
		if (!strcmp(c, "call"))
			return cmd_hrt_call(argc - 3, argv + 3, false);
		if (!strcmp(c, "parallel"))
			return cmd_hrt_call(argc - 3, argv + 3, true);
		if (!strcmp(c, "reboot") && argc == 3)
			return cmd_hrt_simple(TANDEM_HVM_REBOOT_HRT, NULL);
		if (!strcmp(c, "replace") && argc == 4)
			return cmd_hrt_simple(TANDEM_HVM_REPLACE_HRT, argv[3]);
	} else if (!strcmp(argv[1], "ros") && argc == 3) {
		/* On success Linux starts again and nothing returns. */
		if (!strcmp(argv[2], "reboot"))
			return cmd_hrt_simple(TANDEM_HVM_REBOOT_ROS, NULL);
		if (!strcmp(argv[2], "reboot-both"))
			return cmd_hrt_simple(TANDEM_HVM_REBOOT_BOTH, NULL);
	}
	usage();
}
