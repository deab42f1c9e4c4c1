/* options.h - dnsfrag-responder's command line (see man/dnsfrag-responder.8). */
#ifndef DNSFRAG_RESPONDER_OPTIONS_H
#define DNSFRAG_RESPONDER_OPTIONS_H

#include <stdint.h>

#include "answer.h"
#include "server.h"

#define OPTIONS_LISTEN_MAX 16

typedef struct responder_options {
	responder_config_t cfg;
	server_config_t srv;
	const char *listen[OPTIONS_LISTEN_MAX];
	int help, version;
} responder_options_t;

/* Parse argv into o (defaults filled in). 0 on success, -1 with a message in
 * err on a usage error. Strings in o point into argv. Re-entrant for tests
 * (resets getopt). */
int responder_options_parse(int argc, char **argv, responder_options_t *o, char *err, size_t errlen);

/* The --help text. */
const char *responder_options_usage(void);

#endif /* DNSFRAG_RESPONDER_OPTIONS_H */
