/* privs.h - dropping root after the capture is open (-Z USER): supplementary
 * groups, then the group, then the user, and a check that root cannot be
 * regained. The probe's UDP/TCP sockets need no privilege; the capture (and,
 * with probe/craft.c, raw sockets) must be opened before the drop.
 */
#ifndef DNSFRAG_PROBE_PRIVS_H
#define DNSFRAG_PROBE_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct privs_user {
	char name[64];
	uid_t uid;
	gid_t gid;
} privs_user_t;

/* Look USER up (a name, or a numeric uid). Returns 0 or -1 with err. */
int privs_user_lookup(const char *user, privs_user_t *u, char *err, size_t errlen);

/* setgroups(1, gid), setgid, setuid; then setuid(0) must fail. 0 or -1 with err. */
int privs_drop(const privs_user_t *u, char *err, size_t errlen);

#endif /* DNSFRAG_PROBE_PRIVS_H */
