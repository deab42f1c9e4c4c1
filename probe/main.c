/* main.c - dnsfrag-probe: active EDNS size and fragment measurement.
 *
 * Not built yet (issue 6): this program only answers --help and --version and
 * otherwise says so, with exit 3 (UNKNOWN), so no monitoring system mistakes it
 * for a measurement.
 */
#include <stdio.h>
#include <string.h>

#include "exitcode.h"
#include "version.h"

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("dnsfrag-probe " DNSFRAG_VERSION "\n");
		return EXIT_HEALTH_OK;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: dnsfrag-probe [OPTIONS]\n"
		       "Active probing is not implemented in this version; use dnsfrag-analyze on a capture.\n");
		return EXIT_HEALTH_OK;
	}
	fprintf(stderr, "dnsfrag-probe: active probing is not implemented in this version "
	                "(use dnsfrag-analyze on a capture)\n");
	return EXIT_HEALTH_UNKNOWN;
}
