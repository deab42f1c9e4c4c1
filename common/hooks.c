/* hooks.c - fan-out of the pipeline's hooks to several consumers (hooks.h). */
#include "hooks.h"

#include <string.h>

void hooks_fanout_init(hooks_fanout_t *f)
{
	memset(f, 0, sizeof *f);
}

int hooks_fanout_add(hooks_fanout_t *f, const pipeline_hooks_t *h)
{
	if (f->n >= HOOKS_FANOUT_MAX)
		return -1;
	f->h[f->n++] = *h;
	return 0;
}

static void fan_packet(void *ctx, const pkt_t *pkt)
{
	hooks_fanout_t *f = ctx;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->h[i].packet)
			f->h[i].packet(f->h[i].ctx, pkt);
}

static void fan_reasm(void *ctx, const reasm_event_t *ev, uint32_t point)
{
	hooks_fanout_t *f = ctx;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->h[i].reasm)
			f->h[i].reasm(f->h[i].ctx, ev, point);
}

static void fan_dns(void *ctx, const dns_msg_t *msg)
{
	hooks_fanout_t *f = ctx;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->h[i].dns)
			f->h[i].dns(f->h[i].ctx, msg);
}

static void fan_icmp(void *ctx, const pkt_t *pkt, const l4_icmp_t *icmp)
{
	hooks_fanout_t *f = ctx;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->h[i].icmp)
			f->h[i].icmp(f->h[i].ctx, pkt, icmp);
}

static void fan_tcp(void *ctx, const tcps_event_t *ev, uint32_t point)
{
	hooks_fanout_t *f = ctx;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->h[i].tcp)
			f->h[i].tcp(f->h[i].ctx, ev, point);
}

pipeline_hooks_t hooks_fanout_hooks(hooks_fanout_t *f)
{
	pipeline_hooks_t out;
	memset(&out, 0, sizeof out);
	out.ctx = f;
	for (uint32_t i = 0; i < f->n; i++) {
		if (f->h[i].packet)
			out.packet = fan_packet;
		if (f->h[i].reasm)
			out.reasm = fan_reasm;
		if (f->h[i].dns)
			out.dns = fan_dns;
		if (f->h[i].icmp)
			out.icmp = fan_icmp;
		if (f->h[i].tcp)
			out.tcp = fan_tcp;
	}
	return out;
}
