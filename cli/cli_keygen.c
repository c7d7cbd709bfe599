/* cli_keygen.c - pdns keygen PREFIX. */
#include "cli/cli_keygen.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto_err.h"
#include "proto/proto_keys.h"

#define PROG "pdns keygen"

enum { EXIT_USAGE = 64, EXIT_CANTCREAT = 73, EXIT_IOERR = 74 };

static void
usage(FILE *f)
{
	fprintf(f, "usage: pdns keygen PREFIX\n\n"
	           "Make a CURVE key pair: PREFIX.key (secret key, mode 0600) and PREFIX.pub\n"
	           "(public key, mode 0644), czmq's ZPL certificate format. Existing files are\n"
	           "never overwritten. Prints the Z85 public key on standard output.\n"
	           "\nexit: 0 ok, 64 usage, 73 cannot create a file (it exists...), 74 output error\n");
}

static int
bad_usage(const char *msg)
{
	fprintf(stderr, "%s: %s (see pdns keygen --help)\n", PROG, msg);
	return EXIT_USAGE;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
cli_keygen_main(int argc, char **argv)
{
	char pub[PROTO_KEYS_Z85_LEN + 1], why[4200];
	const char *prefix;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2)
		return bad_usage(argc < 2 ? "give a PREFIX" : "give exactly one PREFIX");
	prefix = argv[1];
	if (prefix[0] == '-')
		return bad_usage("PREFIX must not start with '-' (use ./-name)");
	if (prefix[0] == '\0' || ends_with(prefix, "/"))
		return bad_usage("PREFIX must name a file (PREFIX.key and PREFIX.pub are written)");
	if (ends_with(prefix, ".key") || ends_with(prefix, ".pub"))
		return bad_usage("PREFIX is without .key or .pub (give 'node' for node.key and "
		                 "node.pub)");
	why[0] = '\0';
	int err = proto_keys_generate(prefix, pub, why, sizeof(why));
	if (err == PROTO_EINVAL)
		return bad_usage(why);
	if (err != 0) {
		fprintf(stderr, "%s: %s%s\n", PROG, why,
		        errno == EEXIST ? " (not overwriting)" : "");
		return EXIT_CANTCREAT;
	}
	errno = 0;
	if (printf("%s\n", pub) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write standard output: %s\n", PROG,
		        strerror(errno ? errno : EIO));
		return EXIT_IOERR;
	}
	return 0;
}
