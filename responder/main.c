/* main.c - dnsfrag-responder: a small authoritative DNS test server
 * (DNS-OARC-compatible reply-size test, fixed-size answers). See
 * man/dnsfrag-responder.8. Only this file exits; exit codes are
 * common/exitcode.h's: 0 after SIGINT/SIGTERM, 3 on a usage error or when the
 * sockets cannot be set up.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "answer.h"
#include "exitcode.h"
#include "options.h"
#include "server.h"
#include "version.h"

static volatile sig_atomic_t main_stop;

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

int main(int argc, char **argv)
{
	responder_options_t opt;
	responder_t r;
	char err[512];

	if (responder_options_parse(argc, argv, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsfrag-responder: %s\nTry 'dnsfrag-responder --help' for more information.\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}
	if (opt.help) {
		fputs(responder_options_usage(), stdout);
		return EXIT_HEALTH_OK;
	}
	if (opt.version) {
		printf("dnsfrag-responder %s\n", DNSFRAG_VERSION);
		return EXIT_HEALTH_OK;
	}
	/* The NS name in the zone resolves to the addresses listened on (not wildcards). */
	for (unsigned i = 0; i < opt.srv.nlisten && opt.cfg.nns_addr < RESPONDER_NS_ADDR_MAX; i++)
		if (strcmp(opt.listen[i], "0.0.0.0") != 0 && strcmp(opt.listen[i], "::") != 0)
			opt.cfg.ns_addr[opt.cfg.nns_addr++] = opt.listen[i];
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	if (responder_init(&r, &opt.cfg, seed, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsfrag-responder: %s\nTry 'dnsfrag-responder --help' for more information.\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int rc = server_run(&r, &opt.srv, &main_stop, err, sizeof(err));
	responder_free(&r);
	if (rc < 0) {
		fprintf(stderr, "dnsfrag-responder: %s\n", err);
		return EXIT_HEALTH_UNKNOWN;
	}
	return EXIT_HEALTH_OK;
}
