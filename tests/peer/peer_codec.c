/*
 * peer_codec.c - the C side of the peer protocol interop test
 * (tests/peer/peer_interop.py), and the generator of the document's
 * example bytes.
 *
 *   peer_codec decode         hex messages on stdin, one per line; prints
 *                             the canonical text of each (peer_test.h), or
 *                             "ERR <code> <field>: <why>" when refused
 *   peer_codec gen SEED N     N random valid messages: "<hex>\t<text>"
 *   peer_codec examples       the documented examples as Markdown blocks
 *
 * Exit: 0, 64 usage, 70 internal error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/peer/peer_test.h"

static void
print_hex(const uint8_t *p, size_t n, bool dump)
{
	for (size_t i = 0; i < n; i++) {
		if (dump)
			printf("%s%02x", i == 0 ? "" : i % 16 == 0 ? "\n" : " ", p[i]);
		else
			printf("%02x", p[i]);
	}
}

static int
text_of(const struct proto_peer_msg *m, char *store, size_t cap)
{
	struct proto_buf b;

	proto_buf_init(&b, store, cap);
	if (peer_text(m, &b) != 0 || b.err != 0)
		return -1;
	return 0;
}

static int
run_decode(void)
{
	static struct proto_peer_row rows[PROTO_PEER_ROWS_MAX];
	size_t tcap = 4 * PROTO_PEER_MSG_MAX, lcap = 0;
	char *text = malloc(tcap), *line = NULL;
	uint8_t *msg = malloc(PROTO_PEER_MSG_MAX + 1);
	ssize_t got;

	if (text == NULL || msg == NULL)
		return 70;
	while ((got = getline(&line, &lcap, stdin)) >= 0) {
		struct proto_peer_msg m;
		long n;
		int err;

		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		n = pt_unhex(line, msg, PROTO_PEER_MSG_MAX + 1);
		if (n < 0) {
			printf("ERR bad hex line\n");
			continue;
		}
		/* Both ways of getting rows must agree; print the array's. */
		err = proto_peer_decode(&m, msg, (size_t)n, rows, PROTO_PEER_ROWS_MAX);
		if (err != 0) {
			printf("ERR %d %s: %s\n", err, m.field, m.why);
			continue;
		}
		if (text_of(&m, text, tcap) != 0)
			return 70;
		printf("%s\n", text);
	}
	free(line);
	free(text);
	free(msg);
	return 0;
}

static int
run_gen(uint64_t seed, unsigned long count)
{
	static struct proto_peer_row rows[64];
	size_t acap = 8u << 20, tcap = 4 * PROTO_PEER_MSG_MAX;
	struct pt_arena a = { malloc(acap), acap, 0 };
	uint8_t *buf = malloc(PROTO_PEER_MSG_MAX);
	char *text = malloc(tcap);

	if (a.p == NULL || buf == NULL || text == NULL)
		return 70;
	pt_seed(seed);
	for (unsigned long i = 0; i < count; i++) {
		struct proto_peer_msg m;
		size_t len;

		a.used = 0;
		/* Every type in turn; now and then rdata over 64 KiB. */
		peer_random(&m, (unsigned)(i % PROTO_PEER_TYPE_MAX) + 1, rows, 12,
		            i % 25 == 24, &a);
		if (proto_peer_encode(&m, buf, PROTO_PEER_MSG_MAX, &len) != 0 ||
		    text_of(&m, text, tcap) != 0) {
			fprintf(stderr, "peer_codec: cannot encode random message %lu\n", i);
			return 70;
		}
		print_hex(buf, len, false);
		printf("\t%s\n", text);
	}
	free(a.p);
	free(buf);
	free(text);
	return 0;
}

static int
run_examples(void)
{
	uint8_t buf[4096];
	char text[8192];

	for (unsigned i = 0; i < PT_EXAMPLES; i++) {
		struct proto_peer_msg m;
		size_t len;

		peer_example(i, &m);
		if (proto_peer_encode(&m, buf, sizeof(buf), &len) != 0 ||
		    text_of(&m, text, sizeof(text)) != 0)
			return 70;
		printf("```hex %s\n", pt_example_names[i]);
		print_hex(buf, len, true);
		printf("\n```\n\n    %s\n\n", text);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "decode") == 0)
		return run_decode();
	if (argc == 2 && strcmp(argv[1], "examples") == 0)
		return run_examples();
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return run_gen(strtoull(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: peer_codec decode | gen SEED N | examples\n");
	return 64;
}
