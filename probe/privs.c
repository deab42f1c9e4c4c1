/* privs.c - drop privileges (see privs.h). */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int privs_user_lookup(const char *user, privs_user_t *u, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		char *end;
		unsigned long id = strtoul(user, &end, 10);
		if (*user && *end == '\0')
			pw = getpwuid((uid_t)id);
	}
	if (!pw)
		return snprintf(err, errlen, "-Z %s: no such user", user), -1;
	if (pw->pw_uid == 0)
		return snprintf(err, errlen, "-Z %s: that is root; name an unprivileged user", user), -1;
	snprintf(u->name, sizeof u->name, "%s", pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

int privs_drop(const privs_user_t *u, char *err, size_t errlen)
{
	if (setgroups(1, &u->gid) < 0)
		return snprintf(err, errlen, "setgroups: %s", strerror(errno)), -1;
	if (setgid(u->gid) < 0)
		return snprintf(err, errlen, "setgid(%u): %s", (unsigned)u->gid, strerror(errno)), -1;
	if (setuid(u->uid) < 0)
		return snprintf(err, errlen, "setuid(%u): %s", (unsigned)u->uid, strerror(errno)), -1;
	if (setuid(0) == 0 || geteuid() == 0)
		return snprintf(err, errlen, "privileges could be regained after dropping them"), -1;
	return 0;
}
