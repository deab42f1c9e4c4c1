/* fuzz_profile.c - dnsfrag-probe's profile parser over arbitrary text, then the
 * settings it produced finished as the probe does. */
#include <stdint.h>

#include "../../probe/config.c"
#include "../../probe/profile.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static probe_cfg_t cfg;
	char err[512];
	probe_cfg_default(&cfg);
	if (profile_parse((const char *)data, size, "fuzz.conf", &cfg, err, sizeof err) == 0)
		probe_cfg_finish(&cfg, err, sizeof err);
	return 0;
}
