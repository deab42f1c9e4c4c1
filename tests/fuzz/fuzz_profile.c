/* fuzz_profile.c - dnsfrag-probe's profile parser over arbitrary text, then the
 * settings it produced finished as the probe does.
 * Invariants: a parse error names the file and the line ("fuzz.conf:N: ...")
 * and is terminated; a profile never holds more sets, names, sizes or servers
 * than the limits. */
#include <stdint.h>
#include <string.h>

#include "../../probe/config.c"
#include "../../probe/profile.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static probe_cfg_t cfg;
	char err[512];
	probe_cfg_default(&cfg);
	memset(err, 'x', sizeof err);
	if (profile_parse((const char *)data, size, "fuzz.conf", &cfg, err, sizeof err) != 0) {
		if (!memchr(err, 0, sizeof err) || strncmp(err, "fuzz.conf:", 10) != 0)
			__builtin_trap();
		return 0;
	}
	if (probe_cfg_finish(&cfg, err, sizeof err) != 0 && !memchr(err, 0, sizeof err))
		__builtin_trap();
	if (cfg.nsets > PROBE_MAX_SETS || cfg.nservers > PROBE_MAX_SERVERS)
		__builtin_trap();
	for (uint32_t i = 0; i < cfg.nsets; i++)
		if (cfg.sets[i].nnames > PROBE_MAX_NAMES || cfg.sets[i].nsizes > PROBE_MAX_SIZES)
			__builtin_trap();
	return 0;
}
