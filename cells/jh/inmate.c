/* The inmate library (cells/jh/inmate.h). */
#include "inmate.h"

/* Jailhouse's .cmdline: the root writes the words here before Cell Start. */
/* Not const: the compiler must not fold its reads to the empty string. */
char cmdline[JHT_CMDLINE_SIZE] __attribute__((section(".cmdline"))) = "";

static uint16_t uart_port;
static volatile uint32_t print_lock;

/* ---- output ---- */

#define UART_THR 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20

void uart_init(const struct jh_console *con)
{
	uint16_t p;

	if (con->type != JH_CON_TYPE_8250 || (con->flags & JH_CON_ACCESS_MMIO) ||
	    (con->flags & JH_CON_REGDIST_4) || !con->address ||
	    con->address > 0xfff8)
		return;
	p = (uint16_t)con->address;
	outb(p + UART_IER, 0);
	outb(p + UART_LCR, 0x80); /* divisor latch */
	outb(p + UART_DLL, (uint8_t)(con->divider ? con->divider : 1));
	outb(p + UART_DLM, (uint8_t)((con->divider ? con->divider : 1) >> 8));
	outb(p + UART_LCR, 0x03); /* 8N1 */
	outb(p + UART_FCR, 0);
	outb(p + UART_MCR, 0x03);
	uart_port = p;
}

static void uart_putc(char c)
{
	for (unsigned i = 0;
	     i < 100000 && !(inb(uart_port + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(uart_port + UART_THR, (uint8_t)c);
}

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

/* One formatted line (kernel/lib/printf.c), its characters to @out, one
 * CPU at a time. */
static void print_line(void (*out)(char), const char *fmt, va_list ap)
{
	char buf[160];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	lock();
	for (int i = 0; i < n; i++)
		out(buf[i]);
	unlock();
}

static void uart_out(char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

static void putc_out(char c)
{
	hypercall(8, (unsigned char)c); /* Debug Console Putc */
}

void printk(const char *fmt, ...)
{
	va_list ap;

	if (!uart_port)
		return;
	va_start(ap, fmt);
	print_line(uart_out, fmt, ap);
	va_end(ap);
}

void hc_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line(putc_out, fmt, ap);
	va_end(ap);
}

/* ---- command line ---- */

/* The value after "name=" of the word @name, "" for a bare word, NULL if
 * the word is not there. */
static const char *cmdline_find(const char *name)
{
	size_t n = strlen(name);
	const char *p = cmdline, *end = cmdline + JHT_CMDLINE_SIZE;

	while (p < end && *p) {
		const char *w = p;
		size_t i = 0;

		while (p < end && *p && *p != ' ')
			p++;
		while (i < n && w + i < p && w[i] == name[i])
			i++;
		if (i == n && (w + n == p || w[n] == '='))
			return w + n == p ? "" : w + n + 1;
		while (p < end && *p == ' ')
			p++;
	}
	return NULL;
}

long long cmdline_int(const char *name, long long dflt)
{
	const char *v = cmdline_find(name);
	long long r = 0;
	unsigned base = 10;
	bool any = false;

	if (!v)
		return dflt;
	if (v[0] == '0' && v[1] == 'x') {
		base = 16;
		v += 2;
	}
	for (;; v++, any = true) {
		unsigned d;

		if (*v >= '0' && *v <= '9')
			d = (unsigned)(*v - '0');
		else if (base == 16 && *v >= 'a' && *v <= 'f')
			d = (unsigned)(*v - 'a' + 10);
		else
			break;
		r = r * base + d;
	}
	return any ? r : dflt;
}

bool cmdline_bool(const char *name)
{
	return cmdline_find(name) != NULL;
}

/* ---- hypercalls ---- */

bool hc_is_amd(void)
{
	uint32_t a = 0, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	/* "AuthenticAMD", "HygonGenuine": EBX "Auth" / "Hygo" */
	return b == 0x68747541 || b == 0x6f677948;
}

long hypercall(unsigned long code, unsigned long arg1)
{
	static int amd = -1;
	long r;

	if (amd < 0)
		amd = hc_is_amd();
	if (amd)
		__asm__ volatile("vmmcall"
				 : "=a"(r)
				 : "a"(code), "D"(arg1)
				 : "memory");
	else
		__asm__ volatile("vmcall"
				 : "=a"(r)
				 : "a"(code), "D"(arg1)
				 : "memory");
	return r;
}

/* ---- time ---- */

uint32_t pm_timer_read(void)
{
	return inl(comm_region()->pm_timer_address) & 0xffffff;
}

uint32_t pm_timer_since(uint32_t from, uint32_t now)
{
	return (now - from) & 0xffffff;
}

/* By the PM timer, as Jailhouse's inmates wait; bounded by the TSC too
 * (twice as long, when the comm region gives its rate), so that a PM timer
 * that does not count cannot keep the cell from its message loop. */
void delay_us(unsigned us)
{
	uint64_t counts = (uint64_t)us * PM_TIMER_HZ / 1000000, done = 0;
	uint64_t khz = comm_region()->tsc_khz, t0 = rdtsc();
	uint64_t bound = khz ? 2 * (uint64_t)us * khz / 1000 + khz : ~0ull;
	uint32_t last = pm_timer_read();

	while (done < counts && rdtsc() - t0 < bound) {
		uint32_t now = pm_timer_read();

		done += pm_timer_since(last, now);
		last = now;
		cpu_relax();
	}
}

/* ---- IDT ---- */

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

void jh_timer_isr(void);

void idt_init(void)
{
	uint64_t a = (uint64_t)(uintptr_t)jh_timer_isr;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uintptr_t)idt };

	idt[JHT_TIMER_VECTOR] = (struct idt_gate){
		.off0 = (uint16_t)a,
		.sel = 0x18,  /* CS64 */
		.type = 0x8e, /* present, interrupt gate */
		.off1 = (uint16_t)(a >> 16),
		.off2 = (uint32_t)(a >> 32),
	};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* ---- other CPUs ---- */

extern void (*volatile ap_entry)(void);
extern volatile uint64_t ap_stack;

static uint8_t ap_stacks[JHT_MAX_CPUS][4096] __attribute__((aligned(16)));
static unsigned ap_next;

#define ICR_INIT   (5u << 8)
#define ICR_SIPI   (6u << 8)
#define ICR_ASSERT (1u << 14)

void smp_start_cpu(uint32_t apic_id, void (*entry)(void))
{
	uint64_t dest = (uint64_t)apic_id << 32 | ICR_ASSERT;

	ap_stack = (uint64_t)(uintptr_t)ap_stacks[ap_next++ % JHT_MAX_CPUS] +
		   4096;
	ap_entry = entry;
	wrmsr(X2APIC_ICR, dest | ICR_INIT);
	delay_us(10000);
	wrmsr(X2APIC_ICR, dest | ICR_SIPI); /* vector 0: back to 0:0 */
	delay_us(200);
	wrmsr(X2APIC_ICR, dest | ICR_SIPI);
	for (unsigned i = 0; i < 2000 && ap_stack; i++)
		delay_us(1000);
}
