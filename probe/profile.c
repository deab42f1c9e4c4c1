/* profile.c - the profile parser and where profiles are found (see profile.h). */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct profile_line {
	char key[64];
	char value[PROFILE_MAX_LINE];
	char section[64];
	int kind; /* LINE_* */
} profile_line_t;

enum { LINE_EMPTY, LINE_SECTION, LINE_KEY };

static const char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Classify one line (already NUL-terminated, without its newline). */
static int profile_line_split(char *raw, profile_line_t *out, char *why, size_t whylen)
{
	const char *s = trim(raw);
	out->kind = LINE_EMPTY;
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		size_t n = strlen(s);
		if (s[n - 1] != ']' || n < 3 || n - 2 >= sizeof out->section)
			return snprintf(why, whylen, "a section is [NAME]"), -1;
		memcpy(out->section, s + 1, n - 2);
		out->section[n - 2] = '\0';
		out->kind = LINE_SECTION;
		return 0;
	}
	const char *eq = strchr(s, '=');
	if (!eq)
		return snprintf(why, whylen, "expected 'key = value', a [section] or a # comment"), -1;
	size_t klen = (size_t)(eq - s);
	while (klen && isspace((unsigned char)s[klen - 1]))
		klen--;
	if (klen == 0 || klen >= sizeof out->key)
		return snprintf(why, whylen, "a key is missing or too long before '='"), -1;
	for (size_t i = 0; i < klen; i++)
		if (!(islower((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
			return snprintf(why, whylen, "a key is lower-case letters, '-' and '_'"), -1;
	memcpy(out->key, s, klen);
	out->key[klen] = '\0';
	char *v = (char *)eq + 1;
	const char *value = trim(v);
	size_t vlen = strlen(value);
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') { /* "a quoted value" */
		value++;
		vlen -= 2;
	}
	if (vlen == 0)
		return snprintf(why, whylen, "key '%s' has no value", out->key), -1;
	memcpy(out->value, value, vlen);
	out->value[vlen] = '\0';
	out->kind = LINE_KEY;
	return 0;
}

int profile_parse(const char *text, size_t len, const char *fname, probe_cfg_t *cfg, char *err, size_t errlen)
{
	char raw[PROFILE_MAX_LINE + 1], why[384];
	profile_line_t line;
	probe_qset_t *set = NULL; /* NULL: the top level */
	size_t pos = 0;
	unsigned lineno = 0;
	if (len > PROFILE_MAX_BYTES)
		return snprintf(err, errlen, "%s: longer than %d bytes", fname, PROFILE_MAX_BYTES), -1;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		size_t n = end - pos;
		if (n && text[end - 1] == '\r')
			n--; /* CRLF files */
		if (n > PROFILE_MAX_LINE)
			return snprintf(err, errlen, "%s:%u: line longer than %d characters", fname, lineno,
			                PROFILE_MAX_LINE), -1;
		if (memchr(text + pos, '\0', n))
			return snprintf(err, errlen, "%s:%u: a NUL byte (not a text file?)", fname, lineno), -1;
		memcpy(raw, text + pos, n);
		raw[n] = '\0';
		pos = end + 1;
		if (profile_line_split(raw, &line, why, sizeof why) < 0)
			return snprintf(err, errlen, "%s:%u: %s", fname, lineno, why), -1;
		if (line.kind == LINE_SECTION) {
			if (strcmp(line.section, "query") == 0) {
				set = probe_cfg_add_set(cfg);
				if (!set)
					return snprintf(err, errlen, "%s:%u: more than %d [query] sections", fname, lineno,
					                PROBE_MAX_SETS), -1;
			} else if (strcmp(line.section, "probe") == 0) {
				set = NULL;
			} else {
				return snprintf(err, errlen, "%s:%u: unknown section [%s] (sections: [probe], [query])", fname,
				                lineno, line.section), -1;
			}
		} else if (line.kind == LINE_KEY) {
			if (probe_cfg_set(cfg, set, line.key, line.value, why, sizeof why) < 0)
				return snprintf(err, errlen, "%s:%u: %s", fname, lineno, why), -1;
		}
	}
	return 0;
}

static int file_readable(const char *path)
{
	return access(path, R_OK) == 0;
}

int profile_find(const char *name, char *path, size_t pathlen, char *err, size_t errlen)
{
	size_t n = strlen(name);
	if (strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".conf") == 0)) {
		if (!file_readable(name))
			return snprintf(err, errlen, "%s: %s", name, strerror(errno)), -1;
		snprintf(path, pathlen, "%s", name);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_'))
			return snprintf(err, errlen, "profile name '%s': letters, digits, '-' and '_' (or give a path)", name),
			       -1;
	char dirs[5][PROFILE_MAX_LINE];
	int ndirs = 0;
	const char *env = getenv("DNSFRAG_PROFILE_DIR");
	if (env && *env)
		snprintf(dirs[ndirs++], sizeof dirs[0], "%s", env);
	char exe[PROFILE_MAX_LINE - 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dirs[ndirs++], sizeof dirs[0], "%s/../profiles", exe);
			/* make install PREFIX=...: PREFIX/bin and PREFIX/share/dnsfrag/profiles */
			snprintf(dirs[ndirs++], sizeof dirs[0], "%s/../share/dnsfrag/profiles", exe);
		}
	}
	snprintf(dirs[ndirs++], sizeof dirs[0], "/usr/local/share/dnsfrag/profiles");
	snprintf(dirs[ndirs++], sizeof dirs[0], "/usr/share/dnsfrag/profiles");
	for (int i = 0; i < ndirs; i++) {
		snprintf(path, pathlen, "%s/%s.conf", dirs[i], name);
		if (file_readable(path))
			return 0;
	}
	return snprintf(err, errlen, "no profile '%s' (looked for %s.conf in $DNSFRAG_PROFILE_DIR, "
	                             "the program's ../profiles and ../share/dnsfrag/profiles, and /usr/{local/,}share/dnsfrag/profiles)",
	                name, name), -1;
}

int profile_load(const char *path, probe_cfg_t *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
	char *buf = malloc(PROFILE_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return snprintf(err, errlen, "%s: out of memory", path), -1;
	}
	size_t n = fread(buf, 1, PROFILE_MAX_BYTES + 1, f);
	int bad = ferror(f);
	fclose(f);
	int rc = -1;
	if (bad)
		snprintf(err, errlen, "%s: read error", path);
	else
		rc = profile_parse(buf, n, path, cfg, err, errlen);
	free(buf);
	return rc;
}
