/*
 * fuzz_pdns_conf.c - libFuzzer target: arbitrary bytes as pdns.conf
 * (cli/pdns_conf.c), handed to pdns_conf_load through a memfd so the
 * parser reads it exactly as it reads a file. Aborts when a load
 * - fails without a PROTO_E* code and a one-line printable reason, or
 *   succeeds with a reason written;
 * - succeeds with a provider that has no type, a URL that is neither
 *   https:// nor http://, or limits outside the documented ranges;
 * or when pdns_conf_free leaves anything behind (LeakSanitizer).
 * Seeds (tests/fuzz/corpus/pdns_conf): the configs of test_pdns_conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/pdns_conf.h"
#include "proto/proto_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdns_conf c;
	char path[64], why[256];
	int fd = memfd_create("pdns.conf", MFD_CLOEXEC), rc;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	why[0] = '\0';
	rc = pdns_conf_load(&c, path, why, sizeof why);
	close(fd);
	if (rc != 0) {
		if (rc > 0 || rc < PROTO_ERR_MIN_ || why[0] == '\0' || strchr(why, '\n'))
			abort();
		return 0;
	}
	if (why[0])
		abort();
	for (size_t i = 0; i < c.n_providers; i++) {
		const struct pdns_conf_provider *p = &c.providers[i];
		if (!p->def || !p->url || (strncmp(p->url, "https://", 8) && strncmp(p->url, "http://", 7)) ||
		    p->limit < 1 || p->timeout_s < 1 || p->max_pages < 1 || !p->name[0])
			abort();
	}
	if (c.deadline_s < 1 || c.hop_limit > 8)
		abort();
	pdns_conf_free(&c);
	return 0;
}
