/* proto_obs.c - section names. */
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_obs.h"

static const char *const names[] = {
	[PROTO_SEC_ANSWER] = "answer",
	[PROTO_SEC_AUTHORITY] = "authority",
	[PROTO_SEC_ADDITIONAL] = "additional",
	[PROTO_SEC_NXDOMAIN] = "nxdomain",
};

const char *
proto_section_name(unsigned section)
{
	return section >= PROTO_SEC_ANSWER && section <= PROTO_SEC_NXDOMAIN
	       ? names[section] : NULL;
}

int
proto_section_parse(const char *text, unsigned *section)
{
	for (unsigned i = PROTO_SEC_ANSWER; i <= PROTO_SEC_NXDOMAIN; i++) {
		if (strcmp(text, names[i]) == 0) {
			*section = i;
			return 0;
		}
	}
	return PROTO_EINVAL;
}
