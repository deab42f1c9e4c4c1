/* profile.h - profiles: small INI-like files naming what a probe run measures.
 *
 *   # a comment (a line starting with # or ;)
 *   description = IPv4 and IPv6 fragments from the lab's NSD
 *   server = 203.0.113.2 2001:db8:4::2
 *   timeout = 1
 *   [query]                   each [query] section adds a set of questions
 *   name = 1473.size.lab 3000.size.lab
 *   type = TXT
 *   sizes = 4096
 *
 * Keys are those of config.h (dnsfrag-probe(8) lists them); outside a [query]
 * section the query keys are defaults for every set. [probe] returns to the
 * top level. Every error names the file and the line: "FILE:LINE: ...".
 */
#ifndef DNSFRAG_PROBE_PROFILE_H
#define DNSFRAG_PROBE_PROFILE_H

#include <stddef.h>

#include "config.h"

#define PROFILE_MAX_BYTES 65536
#define PROFILE_MAX_LINE 1024

/* Parse len bytes of profile text (need not be NUL-terminated) into cfg, on top
 * of what cfg holds. fname only names the source in errors. Pure: no I/O.
 * Returns 0, or -1 with "FNAME:LINE: why" in err. */
int profile_parse(const char *text, size_t len, const char *fname, probe_cfg_t *cfg, char *err, size_t errlen);

/* Find a profile: a path (anything with a '/' or ending in ".conf"), else NAME
 * looked up as NAME.conf in $DNSFRAG_PROFILE_DIR, <program dir>/../profiles,
 * <program dir>/../share/dnsfrag/profiles (make install's PREFIX),
 * /usr/local/share/dnsfrag/profiles, /usr/share/dnsfrag/profiles.
 * Writes the file found into path. Returns 0 or -1 with err. */
int profile_find(const char *name_or_path, char *path, size_t pathlen, char *err, size_t errlen);

/* Read and parse the file at path (at most PROFILE_MAX_BYTES). */
int profile_load(const char *path, probe_cfg_t *cfg, char *err, size_t errlen);

#endif /* DNSFRAG_PROBE_PROFILE_H */
