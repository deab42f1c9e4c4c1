/* options.c - dnsfrag-responder's command line (see options.h). */
#include "options.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_IPV4_DF = 256,
	OPT_IPV6_FRAG,
	OPT_DELAY,
	OPT_RATE,
	OPT_BURST,
	OPT_SLIP,
	OPT_MAX_SIZE,
	OPT_NS,
	OPT_ALLOW_TTL,
};

static const char options_usage[] =
	"usage: dnsfrag-responder -z ZONE [options]\n"
	"A small authoritative DNS test server: DNS-OARC-compatible reply-size test\n"
	"(TXT rs.ZONE) and fixed-size answers (N.size.ZONE), over UDP and TCP.\n"
	"\n"
	"  -z, --zone ZONE          the zone to serve (required); anything else is REFUSED\n"
	"  -l, --listen ADDR        IPv4 or IPv6 address to listen on (repeatable;\n"
	"                           default 127.0.0.1 and ::1)\n"
	"  -p, --port PORT          UDP and TCP port (default 53)\n"
	"      --ipv4-df on|off     DF on IPv4 answers (default off: the kernel fragments)\n"
	"      --ipv6-frag min-mtu|pmtu|dont\n"
	"                           IPv6 answers: fragment at 1280, at the path MTU, or\n"
	"                           never (TC=1 instead) (default min-mtu)\n"
	"      --delay MS           send every answer MS milliseconds late (default 0)\n"
	"      --rate N             UDP answers a second per client, 0 for no limit (default 50)\n"
	"      --burst N            bucket size of the rate limit (default 4 x rate)\n"
	"      --slip N             over the limit, every N-th answer is TC=1, the rest\n"
	"                           dropped; 0: drop all (default 2)\n"
	"      --max-size N         ceiling of the reply-size search (default 4096)\n"
	"      --ns NAME            NS name of the zone (repeatable; default ns.ZONE)\n"
	"      --allow-ttl          honour ttlH labels (answers sent with hop limit H >= 1)\n"
	"                           and report the ICMP errors they draw (teID.size.ZONE)\n"
	"  -q, --quiet              no per-test log lines\n"
	"  -h, --help               this text\n"
	"  -V, --version            the version\n"
	"\n"
	"Names served: ZONE (SOA, NS); rs.ZONE TXT (reply-size test); N.size.ZONE\n"
	"(exactly N bytes, TC=1 above the query's UDP size); with --allow-ttl,\n"
	"ttlH.N.size.ZONE (the same, sent with IP TTL / hop limit H) and teID.size.ZONE\n"
	"TXT (the ICMP errors the answers with DNS id ID drew). See dnsfrag-responder(8).\n"
	"Exit status: 0 stopped by a signal, 3 usage error or sockets not set up.\n";

const char *responder_options_usage(void)
{
	return options_usage;
}

static int options_uint(const char *s, unsigned min, unsigned max, unsigned *v)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	unsigned long n = strtoul(s, &end, 10);
	if (*end || n < min || n > max)
		return -1;
	*v = (unsigned)n;
	return 0;
}

int responder_options_parse(int argc, char **argv, responder_options_t *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "ipv4-df", required_argument, NULL, OPT_IPV4_DF },
		{ "ipv6-frag", required_argument, NULL, OPT_IPV6_FRAG },
		{ "delay", required_argument, NULL, OPT_DELAY },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "slip", required_argument, NULL, OPT_SLIP },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "ns", required_argument, NULL, OPT_NS },
		{ "allow-ttl", no_argument, NULL, OPT_ALLOW_TTL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const default_listen[] = { "127.0.0.1", "::1" };
	unsigned v, burst_set = 0;
	int ch;

	memset(o, 0, sizeof(*o));
	o->cfg.rate = 50;
	o->cfg.slip = 2;
	o->cfg.oarc_max = 4096;
	o->srv.port = 53;
	o->srv.ipv6_frag = SERVER_V6FRAG_MIN_MTU;
	optind = 0; /* GNU: full re-initialisation, so tests can parse twice */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":z:l:p:qhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'z':
			o->cfg.zone = optarg;
			break;
		case 'l': {
			unsigned char buf[16];
			if (inet_pton(AF_INET, optarg, buf) != 1 && inet_pton(AF_INET6, optarg, buf) != 1) {
				snprintf(err, errlen, "--listen '%s': not an IPv4 or IPv6 address", optarg);
				return -1;
			}
			if (o->srv.nlisten >= OPTIONS_LISTEN_MAX) {
				snprintf(err, errlen, "at most %d --listen addresses", OPTIONS_LISTEN_MAX);
				return -1;
			}
			o->listen[o->srv.nlisten++] = optarg;
			break;
		}
		case 'p':
			if (options_uint(optarg, 1, 65535, &v) < 0) {
				snprintf(err, errlen, "--port '%s': not a port number (1-65535)", optarg);
				return -1;
			}
			o->srv.port = (uint16_t)v;
			break;
		case OPT_IPV4_DF:
			if (strcmp(optarg, "on") == 0)
				o->srv.ipv4_df = 1;
			else if (strcmp(optarg, "off") == 0)
				o->srv.ipv4_df = 0;
			else {
				snprintf(err, errlen, "--ipv4-df '%s': must be on or off", optarg);
				return -1;
			}
			break;
		case OPT_IPV6_FRAG:
			if (strcmp(optarg, "min-mtu") == 0)
				o->srv.ipv6_frag = SERVER_V6FRAG_MIN_MTU;
			else if (strcmp(optarg, "pmtu") == 0)
				o->srv.ipv6_frag = SERVER_V6FRAG_PMTU;
			else if (strcmp(optarg, "dont") == 0)
				o->srv.ipv6_frag = SERVER_V6FRAG_DONT;
			else {
				snprintf(err, errlen, "--ipv6-frag '%s': must be min-mtu, pmtu or dont", optarg);
				return -1;
			}
			break;
		case OPT_DELAY:
			if (options_uint(optarg, 0, 60000, &v) < 0) {
				snprintf(err, errlen, "--delay '%s': milliseconds, 0-60000", optarg);
				return -1;
			}
			o->srv.delay_ms = v;
			break;
		case OPT_RATE:
			if (options_uint(optarg, 0, 1000000, &v) < 0) {
				snprintf(err, errlen, "--rate '%s': answers a second, 0-1000000", optarg);
				return -1;
			}
			o->cfg.rate = v;
			break;
		case OPT_BURST:
			if (options_uint(optarg, 1, 1000000, &v) < 0) {
				snprintf(err, errlen, "--burst '%s': 1-1000000", optarg);
				return -1;
			}
			o->cfg.burst = v;
			burst_set = 1;
			break;
		case OPT_SLIP:
			if (options_uint(optarg, 0, 100, &v) < 0) {
				snprintf(err, errlen, "--slip '%s': 0-100", optarg);
				return -1;
			}
			o->cfg.slip = v;
			break;
		case OPT_MAX_SIZE:
			if (options_uint(optarg, 512, 65507, &v) < 0) {
				snprintf(err, errlen, "--max-size '%s': bytes, 512-65507", optarg);
				return -1;
			}
			o->cfg.oarc_max = v;
			break;
		case OPT_NS:
			if (o->cfg.nns >= RESPONDER_NS_MAX) {
				snprintf(err, errlen, "at most %d --ns names", RESPONDER_NS_MAX);
				return -1;
			}
			o->cfg.ns[o->cfg.nns++] = optarg;
			break;
		case OPT_ALLOW_TTL:
			o->cfg.allow_ttl = 1;
			break;
		case 'q':
			o->srv.quiet = 1;
			break;
		case 'h':
			o->help = 1;
			return 0;
		case 'V':
			o->version = 1;
			return 0;
		case ':':
			snprintf(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->cfg.zone) {
		snprintf(err, errlen, "no zone: give one with --zone ZONE");
		return -1;
	}
	if (!burst_set)
		o->cfg.burst = o->cfg.rate * 4 < 20 ? 20 : o->cfg.rate * 4;
	if (o->srv.nlisten == 0) {
		o->listen[0] = default_listen[0];
		o->listen[1] = default_listen[1];
		o->srv.nlisten = 2;
	}
	o->srv.listen = o->listen;
	return 0;
}
