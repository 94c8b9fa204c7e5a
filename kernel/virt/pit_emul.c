/* The emulated 8254 PIT and port B (virt/pit_emul.h). Each counter is
 * kept as the count it counts (n), the PIT clock it was loaded at and the
 * clocks counted since (acc); what a guest reads is computed from those
 * at the time of the read. Datasheet references: Intel 8254, 231164. */
#include "virt/pit_emul.h"

#define ACCESS_LATCH 0 /* control word RW bits 00: counter latch command */
#define ACCESS_LSB   1
#define ACCESS_MSB   2
#define ACCESS_WORD  3

/* PIT clocks since the reset, never going back (the HRT's cores may read
 * slightly different TSCs). q and r keep the product below 2^64. */
static uint64_t pit_now(struct pit *p, uint64_t tsc)
{
	uint64_t d = tsc > p->origin_tsc ? tsc - p->origin_tsc : 0;
	uint64_t t = d / p->tsc_hz * PIT_HZ + d % p->tsc_hz * PIT_HZ / p->tsc_hz;

	if (t < p->last)
		t = p->last;
	p->last = t;
	return t;
}

static uint32_t modulus(const struct pit_counter *c)
{
	return c->bcd ? 10000u : 65536u;
}

/* Does the counting element take clocks now? Modes 1 and 5 count
 * whatever GATE does; the others only while it is high. */
static bool counting(const struct pit_counter *c)
{
	return c->running && (c->mode == 1 || c->mode == 5 || c->gate);
}

/* Count the clocks up to @t. The clock that loads the count is not a
 * decrement, so mark starts one past the write. */
static void sync(struct pit_counter *c, uint64_t t)
{
	if (t <= c->mark)
		return;
	if (counting(c))
		c->acc += t - c->mark;
	c->mark = t;
}

static void load(struct pit_counter *c, uint64_t t)
{
	c->n = c->cr;
	c->running = true;
	c->pending = false;
	c->acc = 0;
	c->load_at = c->mark = t + 1;
}

static bool output(const struct pit_counter *c)
{
	uint64_t p;

	if (!c->running) /* waiting for a count or a trigger */
		return c->mode != 0;
	switch (c->mode) {
	case 0:
	case 1:
		return c->acc >= c->n;
	case 2:
		return !c->gate || c->acc % c->n != c->n - 1;
	case 3:
		p = c->acc % c->n;
		return !c->gate || p < (c->n + 1) / 2;
	default: /* 4, 5: low for the one clock at 0 */
		return c->acc != c->n;
	}
}

/* The counting element in binary (see pit_count()). */
static uint32_t element(const struct pit_counter *c)
{
	uint32_t m = modulus(c);
	uint64_t p, half, len, q, v;

	if (!c->running)
		return 0;
	switch (c->mode) {
	case 2:
		return c->n - (uint32_t)(c->acc % c->n);
	case 3: /* by two through each half period */
		p = c->acc % c->n;
		half = (c->n + 1) / 2;
		len = p < half ? half : c->n - half;
		q = p < half ? p : p - half;
		v = 2 * (len - q);
		return (uint32_t)(v > c->n ? c->n : v);
	default: /* 0, 1, 4, 5: down through 0, wrapping */
		return (uint32_t)((c->n + m - c->acc % m - 1) % m + 1);
	}
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)(v % 10 | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
			  (v / 1000 % 10) << 12);
}

/* What a read of the counter gives: the element modulo 2^16 (10^4). */
static uint16_t visible(const struct pit_counter *c)
{
	uint32_t v = element(c) % modulus(c);

	return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static uint8_t status(const struct pit_counter *c, uint64_t t)
{
	bool null = !c->running || c->pending || t < c->load_at;

	return (uint8_t)(output(c) << 7 | null << 6 | c->access << 4 |
			 c->mode_bits << 1 | c->bcd);
}

static void latch_count(struct pit_counter *c)
{
	if (c->count_latched) /* the first latch holds until read */
		return;
	c->latch = visible(c);
	c->count_latched = true;
	c->read_msb = false;
}

static void latch_status(struct pit_counter *c, uint64_t t)
{
	if (c->status_latched)
		return;
	c->status = status(c, t);
	c->status_latched = true;
}

static void control_word(struct pit *p, uint8_t v, uint64_t t)
{
	unsigned int sel = v >> 6, access = (v >> 4) & 3;
	struct pit_counter *c;

	if (sel == 3) { /* read-back: bit 5 clear latches counts, bit 4 status */
		for (unsigned int i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			sync(&p->c[i], t);
			if (!(v & 0x20))
				latch_count(&p->c[i]);
			if (!(v & 0x10))
				latch_status(&p->c[i], t);
		}
		return;
	}
	c = &p->c[sel];
	sync(c, t);
	if (access == ACCESS_LATCH) {
		latch_count(c);
		return;
	}
	c->access = (uint8_t)access;
	c->mode_bits = (v >> 1) & 7;
	c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
	c->bcd = v & 1;
	c->have_count = c->pending = c->running = false;
	c->write_msb = c->read_msb = false;
	c->count_latched = c->status_latched = false;
	c->load_at = c->mark = t;
	c->acc = 0;
}

static uint32_t from_bcd(uint16_t v)
{
	return (v & 0xf) + (v >> 4 & 0xf) * 10 + (v >> 8 & 0xf) * 100 +
	       (v >> 12 & 0xf) * 1000;
}

static void count_written(struct pit_counter *c, uint16_t raw, uint64_t t)
{
	uint32_t n = c->bcd ? from_bcd(raw) : raw;

	/* 0 is the largest count; BCD digits above 9 are taken at their
	 * value, and a count above 10000 that gives counts 10000. */
	c->cr = n && n <= modulus(c) ? n : modulus(c);
	c->have_count = true;
	if (c->mode == 1 || c->mode == 5) {
		c->pending = true; /* loaded at the next GATE edge */
		return;
	}
	load(c, t);
}

static void counter_write(struct pit_counter *c, uint8_t v, uint64_t t)
{
	sync(c, t);
	switch (c->access) {
	case ACCESS_LSB:
		count_written(c, v, t);
		break;
	case ACCESS_MSB:
		count_written(c, (uint16_t)(v << 8), t);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			if (c->mode == 0) /* the first byte stops mode 0 */
				c->running = false;
			return;
		}
		c->write_msb = false;
		count_written(c, (uint16_t)(v << 8 | c->write_lsb), t);
	}
}

static uint8_t counter_read(struct pit_counter *c, uint64_t t)
{
	uint16_t v;
	bool msb;

	sync(c, t);
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : visible(c);
	msb = c->access == ACCESS_MSB ||
	      (c->access == ACCESS_WORD && c->read_msb);
	if (c->access == ACCESS_WORD)
		c->read_msb = !c->read_msb;
	if (c->count_latched && (c->access != ACCESS_WORD || msb))
		c->count_latched = false; /* read whole: released */
	return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void gate2(struct pit *p, bool high, uint64_t t)
{
	struct pit_counter *c = &p->c[2];
	bool rising = high && !c->gate;

	sync(c, t);
	c->gate = high;
	if (!rising || !c->have_count)
		return;
	/* Modes 1 and 5 trigger, 2 and 3 restart; 0 and 4 resume. */
	if (c->mode == 1 || c->mode == 5 || c->mode == 2 || c->mode == 3)
		load(c, t);
}

void pit_reset(struct pit *p, uint64_t now, uint64_t tsc_hz)
{
	*p = (struct pit){
		.origin_tsc = now,
		.tsc_hz = tsc_hz ? tsc_hz : PIT_HZ,
	};
	for (unsigned int i = 0; i < 3; i++) {
		struct pit_counter *c = &p->c[i];

		c->gate = i != 2;
		control_word(p, (uint8_t)(i << 6 | ACCESS_WORD << 4 | 3 << 1), 0);
		count_written(c, 0, 0);
	}
}

bool pit_owns_port(uint16_t port)
{
	return (port >= PIT_PORT_COUNTER(0) && port <= PIT_PORT_CONTROL) ||
	       port == PIT_PORT_B;
}

uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now)
{
	uint64_t t = pit_now(p, now);

	if (port >= PIT_PORT_COUNTER(0) && port <= PIT_PORT_COUNTER(2))
		return counter_read(&p->c[port - PIT_PORT_COUNTER(0)], t);
	if (port == PIT_PORT_B) {
		sync(&p->c[2], t);
		return (uint8_t)((p->port_b & PIT_B_WRITABLE) |
				 (t / PIT_REFRESH_CLOCKS & 1 ? PIT_B_REFRESH : 0) |
				 (output(&p->c[2]) ? PIT_B_OUT2 : 0));
	}
	return 0xff; /* the control word cannot be read back */
}

void pit_write(struct pit *p, uint16_t port, uint8_t val, uint64_t now)
{
	uint64_t t = pit_now(p, now);

	if (port >= PIT_PORT_COUNTER(0) && port <= PIT_PORT_COUNTER(2))
		counter_write(&p->c[port - PIT_PORT_COUNTER(0)], val, t);
	else if (port == PIT_PORT_CONTROL)
		control_word(p, val, t);
	else if (port == PIT_PORT_B) {
		p->port_b = val & PIT_B_WRITABLE;
		gate2(p, val & PIT_B_GATE2, t);
	}
}

uint32_t pit_count(struct pit *p, unsigned int n, uint64_t now)
{
	uint64_t t = pit_now(p, now);

	if (n > 2)
		return 0;
	sync(&p->c[n], t);
	return element(&p->c[n]);
}

bool pit_output(struct pit *p, unsigned int n, uint64_t now)
{
	uint64_t t = pit_now(p, now);

	if (n > 2)
		return false;
	sync(&p->c[n], t);
	return output(&p->c[n]);
}
