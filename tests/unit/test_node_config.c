/*
 * test_node_config.c - the pdns-node config parser: a full valid file with
 * every field checked, the defaults, and every kind of error with its exact
 * message and line. Messages are compared as "LINE: key 'K': reason" with
 * the test directory written as DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/node_check.h"
#include "node/node_config.h"
#include "proto/proto_err.h"
#include "proto/proto_keys.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/test_node_config.XXXXXX";
static char node_pub[41], s1_pub[41], s2_pub[41], p1_pub[41], p2_pub[41];
static char node_sec[41];

#define MAX_ERRS 32

struct errs {
	char v[MAX_ERRS][1400];
	int n;
};

static const char *
path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
write_file(const char *p, const char *text, mode_t mode)
{
	FILE *f;

	unlink(p);
	if ((f = fopen(p, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

/* "DIR" in s becomes the test directory. */
static void
expand(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	while (*s != '\0' && o + 1 < cap) {
		if (strncmp(s, "DIR", 3) == 0) {
			o += (size_t)snprintf(out + o, cap - o, "%s", dir);
			s += 3;
		} else {
			out[o++] = *s++;
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
}

static void
collect(void *arg, const char *file, unsigned line, const char *key, const char *reason)
{
	struct errs *e = arg;

	(void)file;
	if (e->n < MAX_ERRS)
		snprintf(e->v[e->n++], sizeof(e->v[0]), "%u: key '%s': %s", line,
		         key != NULL ? key : "(file)", reason);
}

static int
parse(const char *text, unsigned flags, struct node_config **cfg, struct errs *e)
{
	char full[8192];

	expand(full, sizeof(full), text);
	write_file(path("t.conf"), full, 0644);
	e->n = 0;
	return node_config_parse(path("t.conf"), flags, cfg, collect, e);
}

/*
 * Parse text and expect exactly the errors given (NULL-terminated, each
 * "LINE: key 'K': reason" with DIR for the directory).
 */
static void __attribute__((sentinel))
expect(const char *name, const char *text, ...)
{
	struct node_config *cfg = NULL;
	struct errs e;
	const char *want[MAX_ERRS];
	int nwant = 0, err;
	va_list ap;

	va_start(ap, text);
	while (nwant < MAX_ERRS && (want[nwant] = va_arg(ap, const char *)) != NULL)
		nwant++;
	va_end(ap);
	err = parse(text, 0, &cfg, &e);
	is_int(err, nwant > 0 ? PROTO_EINVAL : 0, "%s: result", name);
	ok((cfg == NULL) == (nwant > 0), "%s: config only when valid", name);
	is_int(e.n, nwant, "%s: %d error(s)", name, nwant);
	for (int i = 0; i < nwant && i < e.n; i++) {
		char w[1400];
		expand(w, sizeof(w), want[i]);
		is_str(e.v[i], w, "%s: error %d", name, i + 1);
	}
	for (int i = nwant; i < e.n; i++)
		printf("#   extra: %s\n", e.v[i]);
	for (int i = 0; i < e.n; i++)
		ok(strstr(e.v[i], node_sec) == NULL, "%s: no secret in error %d", name, i + 1);
	node_config_free(&cfg);
}

static void
make_key(const char *name, char z85[41])
{
	char why[512];

	if (proto_keys_generate(path(name), z85, why, sizeof(why)) != 0) {
		printf("# %s\n", why);
		abort();
	}
}

static void
setup(void)
{
	char text[4096], *p, *q;
	FILE *f;
	size_t n;

	make_key("node", node_pub);
	make_key("s1", s1_pub);
	make_key("s2", s2_pub);
	make_key("p1", p1_pub);
	make_key("p2", p2_pub);
	/* The node's secret in Z85, to paste where it must be refused. */
	f = fopen(path("node.key"), "r");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = strstr(text, "secret-key = \"") + 14;
	q = strchr(p, '"');
	snprintf(node_sec, sizeof(node_sec), "%.*s", (int)(q - p), p);
	write_file(path("g1.secret"), "0123456789abcdef0123456789abcdef\n", 0600);
	write_file(path("g2.secret"), "fedcba9876543210fedcba9876543210\n", 0600);
	write_file(path("short.secret"), "tooshort", 0600);
	write_file(path("open.secret"), "0123456789abcdef0123456789abcdef\n", 0644);
	make_key("open", text);
	snprintf(text, sizeof(text), "curve\n    public-key = \"%s\"\n", p1_pub);
	write_file(path("pub600.key"), text, 0600);
	chmod(path("open.key"), 0644);
}

static const char *full_config =
	"# pdns-node test config\n"                                   /* 1 */
	"[node]\n"
	"name = cert-test\n"
	"store = store\n"
	"key-file = node.key\n"                                       /* 5 */
	"sensor-listen = tcp://127.0.0.1:7401, ipc:///tmp/pdns-test-sensors\n"
	"query-listen = tcp://[::1]:7402\n"
	"control = ipc:///tmp/pdns-test-control\n"
	"\n"
	"[group amber-a]\n"                                           /* 10 */
	"tlp = amber\n"
	"publish = tcp://*:7410\n"
	"pseudonym-secret-file = g1.secret\n"
	"[group green-all]\n"
	"  tlp = TLP:GREEN\n"                                         /* 15 */
	"publish = tcp://*:7411\n"
	"pseudonym-secret-file = DIR/g2.secret\n"
	"[sensor dmz1]\n"
	"public-key = s1.pub\n"
	"[sensor dmz2]\n"                                             /* 20 */
	"public-key = %S2% # unquoted, '#' after a blank\n"
	"; a peer\n"
	"[peer cert-b]\n"
	"public-key = p1.pub\n"
	"endpoint = tcp://198.51.100.7:7410\n"                        /* 25 */
	"endpoint = tcp://198.51.100.7:7411\n"
	"query-endpoint = tcp://198.51.100.7:7402\n"
	"accept = observations, queries\n"
	"groups = amber-a green-all\n"
	"rate = 5000	# per second\n"                                /* 30 */
	"query-rate = 20\n"
	"[peer cert-c]\n"
	"public-key = \"%P2%\"  # quoted\n"
	"accept = none\n"
	"groups = green-all\n"                                        /* 35 */
	"[export] # rules\n"
	"internal-zones = Corp.Example., lab.example\n"
	"internal-zones = corp.example\n"
	"suppress-special-use-names = no\n"
	"suppress-special-purpose-addresses = yes\n"                  /* 40 */
	"min-count = 3\n"
	"min-days = 2\n"
	"time-granularity = 1h\n"
	"[limits]\n"
	"max-message-size = 64k\n"                                    /* 45 */
	"max-future-skew = 10m\n"
	"[retention]\n"
	"own = 400d\n"
	"peers = 26w\n";

/* full_config with the two inline keys filled in. */
static void
full_text(char *out, size_t cap)
{
	char *s2, *p2;

	snprintf(out, cap, "%s", full_config);
	s2 = strstr(out, "%S2%");
	memmove(s2 + 40, s2 + 4, strlen(s2 + 4) + 1);
	memcpy(s2, s2_pub, 40);
	p2 = strstr(out, "%P2%");
	memmove(p2 + 40, p2 + 4, strlen(p2 + 4) + 1);
	memcpy(p2, p2_pub, 40);
}

static void
test_full(void)
{
	struct node_config *c = NULL;
	struct errs e;
	char text[8192], want[600];

	full_text(text, sizeof(text));
	is_int(parse(text, 0, &c, &e), 0, "full: parses");
	for (int i = 0; i < e.n; i++)
		printf("#   unexpected: %s\n", e.v[i]);
	if (c == NULL)
		return;
	is_str(c->file, path("t.conf"), "full: file");
	is_str(c->name, "cert-test", "full: name");
	is_str(c->store, path("store"), "full: store relative to the config");
	is_str(c->key_file, path("node.key"), "full: key-file relative to the config");
	is_str(c->public_key_z85, node_pub, "full: the node's public key from key-file");
	is_int(c->sensor_listen.n, 2, "full: two sensor-listen endpoints");
	is_str(c->sensor_listen.v[0], "tcp://127.0.0.1:7401", "full: sensor-listen 1");
	is_str(c->sensor_listen.v[1], "ipc:///tmp/pdns-test-sensors", "full: sensor-listen 2");
	is_int(c->query_listen.n, 1, "full: one query-listen");
	is_str(c->query_listen.v[0], "tcp://[::1]:7402", "full: query-listen");
	is_str(c->control, "ipc:///tmp/pdns-test-control", "full: control");

	is_int(c->n_groups, 2, "full: two groups");
	is_str(c->groups[0].name, "amber-a", "full: group 1 name");
	is_int(c->groups[0].line, 10, "full: group 1 line");
	is_int(c->groups[0].tlp, NODE_TLP_AMBER, "full: group 1 tlp");
	is_str(c->groups[0].publish, "tcp://*:7410", "full: group 1 publish");
	is_str(c->groups[0].pseudonym_secret_file, path("g1.secret"), "full: group 1 secret");
	is_int(c->groups[1].tlp, NODE_TLP_GREEN, "full: TLP:GREEN");
	is_str(c->groups[1].pseudonym_secret_file, path("g2.secret"), "full: absolute path");
	is_str(node_config_tlp_name(c->groups[1].tlp), "green", "full: tlp name");

	is_int(c->n_sensors, 2, "full: two sensors");
	is_str(c->sensors[0].name, "dmz1", "full: sensor 1 name");
	is_str(c->sensors[0].public_key_z85, s1_pub, "full: sensor 1 key from a .pub path");
	is_str(c->sensors[1].public_key_z85, s2_pub, "full: sensor 2 key from Z85 text");
	uint8_t raw[32];
	proto_keys_z85_decode(s2_pub, 40, raw, sizeof(raw));
	ok(memcmp(raw, c->sensors[1].public_key, 32) == 0, "full: sensor 2 key bytes");

	is_int(c->n_peers, 2, "full: two peers");
	const struct node_config_peer *p = &c->peers[0];
	is_str(p->name, "cert-b", "full: peer 1 name");
	is_int(p->line, 23, "full: peer 1 line");
	is_str(p->public_key_z85, p1_pub, "full: peer 1 key");
	is_int(p->endpoints.n, 2, "full: repeated endpoint keys add up");
	is_str(p->endpoints.v[1], "tcp://198.51.100.7:7411", "full: endpoint 2");
	is_int(p->query_endpoints.n, 1, "full: query-endpoint");
	ok(p->accept_observations && p->accept_queries, "full: accepts both");
	is_int(p->groups.n, 2, "full: peer 1 in two groups");
	is_int(p->group_index[0], 0, "full: amber-a resolved");
	is_int(p->group_index[1], 1, "full: green-all resolved");
	is_int(p->groups_line, 29, "full: groups line");
	is_int(p->rate, 5000, "full: rate");
	is_int(p->query_rate, 20, "full: query-rate");
	p = &c->peers[1];
	is_str(p->public_key_z85, p2_pub, "full: quoted Z85 key");
	ok(!p->accept_observations && !p->accept_queries, "full: accept = none");
	is_int(p->endpoints.n, 0, "full: no endpoint needed with accept = none");
	is_int(p->rate, 2000, "full: default rate");
	is_int(p->query_rate, 10, "full: default query-rate");

	is_int(c->export.internal_zones.n, 2, "full: zones (a repeat is dropped)");
	is_str(c->export.internal_zones.v[0], "corp.example", "full: zone lowercased, no dot");
	is_str(c->export.internal_zones.v[1], "lab.example", "full: zone 2");
	ok(!c->export.suppress_special_use_names, "full: special-use names off");
	ok(c->export.suppress_special_purpose_addresses, "full: special addresses on");
	is_int(c->export.min_count, 3, "full: min-count");
	is_int(c->export.min_days, 2, "full: min-days");
	is_int(c->export.time_granularity, 3600, "full: time-granularity 1h");
	is_int(c->limits.max_message_size, 65536, "full: 64k");
	is_int(c->limits.max_future_skew, 600, "full: 10m");
	is_int(c->retention.own, 400 * 86400, "full: own 400d");
	is_int(c->retention.peers, 26 * 7 * 86400, "full: peers 26w");
	node_config_free(&c);
	ok(c == NULL, "free NULLs the pointer");
	node_config_free(&c);
	ok(1, "free of NULL is fine");

	/* The same file with CRLF line ends. */
	char crlf[9000];
	size_t o = 0;
	for (const char *s = text; *s != '\0' && o + 2 < sizeof(crlf); s++) {
		if (*s == '\n')
			crlf[o++] = '\r';
		crlf[o++] = *s;
	}
	crlf[o] = '\0';
	is_int(parse(crlf, 0, &c, &e), 0, "full: CRLF line ends");
	node_config_free(&c);
	(void)want;
}

static void
test_defaults(void)
{
	struct node_config *c = NULL;
	struct errs e;

	is_int(parse("[node]\nname = n\nkey-file = node.key\n", 0, &c, &e), 0, "defaults: parses");
	if (c == NULL)
		return;
	is_str(c->store, "/var/lib/pdns-node/store", "defaults: store");
	is_int(c->sensor_listen.n, 1, "defaults: one sensor-listen");
	is_str(c->sensor_listen.v[0], "tcp://127.0.0.1:7301", "defaults: sensor-listen");
	is_str(c->query_listen.v[0], "tcp://127.0.0.1:7302", "defaults: query-listen");
	ok(c->control == NULL, "defaults: no control socket");
	is_int(c->n_groups + c->n_sensors + c->n_peers, 0, "defaults: no groups, sensors, peers");
	is_int(c->export.internal_zones.n, 0, "defaults: no internal zones");
	ok(c->export.suppress_special_use_names, "defaults: special-use names suppressed");
	ok(c->export.suppress_special_purpose_addresses, "defaults: special addresses suppressed");
	is_int(c->export.min_count, 1, "defaults: min-count 1");
	is_int(c->export.min_days, 1, "defaults: min-days 1");
	is_int(c->export.time_granularity, 0, "defaults: exact times");
	is_int(c->retention.own, 0, "defaults: no retention (own)");
	is_int(c->retention.peers, 0, "defaults: no retention (peers)");
	is_int(c->limits.max_message_size, 4 << 20, "defaults: max-message-size");
	is_int(c->limits.max_future_skew, 300, "defaults: max-future-skew");
	is_int(c->limits.max_snapshot_rows, 10000000, "defaults: max-snapshot-rows");
	node_config_free(&c);

	is_int(parse("[node]\nname = n\nkey-file = node.key\n[group g]\npublish = tcp://*:7410\n"
	             "pseudonym-secret-file = g1.secret\n[client c]\npublic-key = s2.pub\n"
	             "[client d]\npublic-key = p1.pub\ncontrol = yes\n", 0, &c, &e), 0,
	       "defaults: group and clients parse");
	if (c != NULL) {
		is_int(c->groups[0].replay_log, 256 << 20, "defaults: replay-log 256M");
		is_int(c->groups[0].heartbeat, 30, "defaults: heartbeat 30s");
		ok(!c->clients[0].control, "defaults: clients do not administer");
		ok(c->clients[1].control, "control = yes");
		node_config_free(&c);
	}
	is_int(parse("[node]\nname = n\nkey-file = node.key\n[peer p]\npublic-key = p1.pub\n"
	             "accept = queries\nquery-endpoint = tcp://x:1\n[peer q]\npublic-key = s1.pub\n"
	             "accept = none\nquery-endpoint = tcp://x:2\nforward = no\n", 0, &c, &e), 0,
	       "defaults: peers that only query and are asked");
	if (c != NULL) {
		ok(c->peers[0].forward, "defaults: queries are forwarded to a peer");
		ok(!c->peers[1].forward, "forward = no");
		ok(!c->peers[1].accept_observations, "a peer we only ask needs no endpoint");
		node_config_free(&c);
	}
	expect("peer without query-endpoint", "[node]\nname = n\nkey-file = node.key\n[peer p]\npublic-key = p1.pub\n"
	       "endpoint = tcp://x:1\n",
	       "4: key 'query-endpoint': missing: [peer p] accepts observations, and replays and "
	       "snapshots are asked for at its query endpoint", NULL);
	expect("replay-log and heartbeat ranges", "[node]\nname = n\nkey-file = node.key\n[group g]\npublish = tcp://*:7410\n"
	       "pseudonym-secret-file = g1.secret\nreplay-log = 1k\nheartbeat = 2h\n",
	       "7: key 'replay-log': 1024 bytes is out of range (1048576..68719476736)",
	       "8: key 'heartbeat': 7200 seconds is out of range (1..3600)", NULL);

	is_int(parse("[node]\nname = n\nkey-file = node.key\nsensor-listen = none\n"
	             "[export]\ntime-granularity = exact\n[retention]\nown = off\n", 0, &c, &e), 0,
	       "defaults: none, exact, off");
	if (c != NULL) {
		is_int(c->sensor_listen.n, 0, "defaults: sensor-listen = none is empty");
		is_int(c->query_listen.n, 1, "defaults: query-listen keeps its default");
	}
	node_config_free(&c);
}

#define NODE "[node]\nname = n\nkey-file = node.key\n" /* lines 1-3 */

static void
test_errors(void)
{
	char text[2048];

	expect("unknown key", NODE "stor = x\n",
	       "4: key 'stor': unknown key in [node] (did you mean 'store'?)", NULL);
	expect("misplaced key", NODE "min-count = 2\n",
	       "4: key 'min-count': unknown key in [node] (it belongs in [export])", NULL);
	expect("unknown key, no guess", NODE "colour = blue\n",
	       "4: key 'colour': unknown key in [node]", NULL);
	expect("unknown section", NODE "[sensors x]\npublic-key = y\n[export]\nmin-count = 2\n",
	       "4: key '[sensors x]': unknown section (expected [node], [export], [limits], "
	       "[retention], [group NAME], [sensor NAME], [peer NAME] or [client NAME])", NULL);
	expect("duplicate section", NODE "[export]\n[node]\nname = m\n",
	       "5: key '[node]': duplicate section (first at line 1)", NULL);
	expect("duplicate named section",
	       NODE "[sensor a]\npublic-key = s1.pub\n[sensor A]\npublic-key = s2.pub\n",
	       "6: key '[sensor A]': duplicate section (first at line 4)", NULL);
	expect("duplicate key", NODE "name = m\n",
	       "4: key 'name': given twice in [node] (first at line 2)", NULL);
	expect("section names", NODE "[node x]\n[peer]\n[group a b]\n[sensor -x]\n[peer\n",
	       "4: key '[node x]': [node] takes no name",
	       "5: key '[peer]': [peer] needs a name ([peer NAME])",
	       "6: key '[group a b]': not a group name (1..63 letters, digits, '.', '_', '-')",
	       "7: key '[sensor -x]': not a sensor name (1..63 letters, digits, '.', '_', '-')",
	       "8: key '[peer': a section header ends with ']'", NULL);
	expect("outside a section", "name = n\n" NODE,
	       "1: key 'name': key outside a section (start the file with [node])", NULL);
	expect("syntax", NODE "just words\n= x\nBad_Key = 1\nstore =\nstore = \"x\n",
	       "4: key 'just': expected 'key = value' or '[section]'",
	       "5: key '': not a key name (lowercase letters, digits and '-')",
	       "6: key 'Bad_Key': not a key name (lowercase letters, digits and '-')",
	       "7: key 'store': empty value",
	       "8: key 'store': unterminated quote", NULL);
	expect("quote", NODE "store = \"x\n", "4: key 'store': unterminated quote", NULL);
	expect("bad values", NODE "[export]\n"
	       "suppress-special-use-names = maybe\n"         /* 5 */
	       "min-count = 0\n"
	       "min-days = x\n"
	       "time-granularity = 2x\n"
	       "internal-zones = a..b, ., ok.example\n"
	       "[limits]\n"                                   /* 10 */
	       "max-message-size = 10\n"
	       "max-future-skew = 8d\n"
	       "[retention]\n"
	       "own = forever\n"
	       "peers = 5m\n",                                /* 15 */
	       "5: key 'suppress-special-use-names': expected yes or no",
	       "6: key 'min-count': 0 is out of range (1..4294967295)",
	       "7: key 'min-days': not a number",
	       "8: key 'time-granularity': not a duration (300, 5m, 1h30m, 2d, 1w) or exact",
	       "9: key 'internal-zones': 'a..b' is not a domain name",
	       "9: key 'internal-zones': the root zone would suppress every name",
	       "11: key 'max-message-size': 10 bytes is out of range (1024..4194304)",
	       "12: key 'max-future-skew': 691200 seconds is out of range (0..604800)",
	       "14: key 'own': not a duration (300, 5m, 1h30m, 2d, 1w) or off",
	       "15: key 'peers': 300 seconds is out of range (3600..3155760000)", NULL);
	expect("bad names and endpoints", "[node]\nname = -n\nkey-file = node.key\n"
	       "query-listen = tcp://::1:7000\n"              /* 4 */
	       "sensor-listen = udp://x:1 tcp://h:0 ipc://\n"
	       "control = tcp://127.0.0.1\n"
	       "[group g]\npublic = x\ntlp = purple\n"        /* 7-9 */
	       "publish = tcp://*:99999\npseudonym-secret-file = g1.secret\n"
	       "[peer p]\npublic-key = p1.pub\n"              /* 12-13 */
	       "endpoint = tcp://*:7410, tcp://a.example:7410, tcp://a.example:7410\n"
	       "accept = everything\n",
	       "2: key 'name': not a name (1..63 letters, digits, '.', '_', '-', starting with "
	       "a letter or digit)",
	       "4: key 'query-listen': 'tcp://::1:7000': an IPv6 address in an endpoint goes in "
	       "brackets ([::1]:7301)",
	       "5: key 'sensor-listen': 'udp://x:1': not an endpoint (tcp://HOST:PORT or ipc://PATH)",
	       "5: key 'sensor-listen': 'tcp://h:0': the port must be 1..65535 or *",
	       "5: key 'sensor-listen': 'ipc://': an ipc:// endpoint needs a path",
	       "6: key 'control': 'tcp://127.0.0.1': a tcp:// endpoint needs HOST:PORT",
	       "8: key 'public': unknown key in [group g] (did you mean 'publish'?)",
	       "9: key 'tlp': expected clear, green, amber, amber+strict or red",
	       "10: key 'publish': 'tcp://*:99999': the port must be 1..65535 or *",
	       "14: key 'endpoint': 'tcp://*:7410': a peer endpoint needs a host, not '*'",
	       "14: key 'endpoint': 'tcp://a.example:7410' is listed twice",
	       "15: key 'accept': 'everything': expected observations, queries or none", NULL);

	/* Secrets given inline. */
	snprintf(text, sizeof(text), NODE "key = %s\n[group g]\npublish = tcp://*:7410\n"
	         "secret = abc\npseudonym-secret-file = 0123456789abcdef0123456789abcdef\n"
	         "[peer p]\nendpoint = tcp://x:1\npublic-key = %s\nquery-endpoint = tcp://x:2\n", node_sec,
	         node_sec);
	expect("inline secrets", text,
	       "4: key 'key': secrets live in files of their own, never in the main config (use "
	       "key-file = PATH)",
	       "7: key 'secret': secrets live in files of their own, never in the main config "
	       "(use pseudonym-secret-file = PATH)",
	       "8: key 'pseudonym-secret-file': looks like an inline secret; secrets live in "
	       "files of their own, never in the main config: give the path of the file that "
	       "holds it",
	       "11: key 'public-key': this is the node's secret key (from key-file); secrets live "
	       "in files of their own: give the peer's public key", NULL);
	snprintf(text, sizeof(text), "[node]\nname = n\nkey-file = %s\n", node_sec);
	expect("inline key-file", text,
	       "3: key 'key-file': looks like an inline secret; secrets live in files of their "
	       "own, never in the main config: give the path of the file that holds it", NULL);
	snprintf(text, sizeof(text), NODE "[sensor s]\npublic-key = %.39s\n", node_sec);
	expect("mangled key not echoed", text,
	       "5: key 'public-key': not a public key: give 40 Z85 characters or the path of a "
	       ".pub file", NULL);

	/* Required keys and references. */
	expect("no [node]", "[export]\nmin-count = 1\n",
	       "1: key '[node]': missing section (name and key-file are required)", NULL);
	expect("missing keys", "[node]\nname = n\n[sensor s]\n[peer p]\nendpoint = tcp://x:1\n"
	       "query-endpoint = tcp://x:2\n",
	       "1: key 'key-file': missing (required in [node])",
	       "3: key 'public-key': missing (required in [sensor s])",
	       "4: key 'public-key': missing (required in [peer p])", NULL);
	expect("undefined group", NODE "[group g]\npublish = tcp://*:7410\n"
	       "pseudonym-secret-file = g1.secret\n[peer p]\npublic-key = p1.pub\n"
	       "endpoint = tcp://x:1\ngroups = g, nosuch\ngroups = g\nquery-endpoint = tcp://x:2\n",
	       "11: key 'groups': group 'g' is listed twice",
	       "11: key 'groups': group 'nosuch' is not defined (no [group nosuch])", NULL);
	expect("peer without endpoint", NODE "[peer p]\npublic-key = p1.pub\n",
	       "4: key 'endpoint': missing: [peer p] accepts observations but has no endpoint to "
	       "subscribe to (or set accept)", NULL);
	expect("none with others", NODE "[peer p]\npublic-key = p1.pub\naccept = none\n"
	       "accept = queries\nendpoint = none\nendpoint = tcp://x:1\nendpoint = none\n",
	       "7: key 'accept': 'none' must be the only value",
	       "9: key 'endpoint': 'none' must be the only value",
	       "10: key 'endpoint': 'none' must be the only value", NULL);

	/* Conflicts between keys. */
	expect("endpoint bound twice", NODE
	       "[group a]\npublish = tcp://127.0.0.1:7302\npseudonym-secret-file = g1.secret\n"
	       "[group b]\npublish = tcp://*:7410\npseudonym-secret-file = g2.secret\n"
	       "[group c]\npublish = tcp://*:7410\npseudonym-secret-file = g2.secret\n"
	       "[group d]\npublish = tcp://127.0.0.1:*\npseudonym-secret-file = g2.secret\n"
	       "[group e]\npublish = tcp://127.0.0.1:*\npseudonym-secret-file = g2.secret\n",
	       "11: key 'publish': 'tcp://*:7410' is also bound by 'publish' (line 8)",
	       "5: key 'publish': 'tcp://127.0.0.1:7302' is also bound by 'query-listen' (line 1, "
	       "its default)", NULL);
	expect("same public key twice", NODE "[sensor a]\npublic-key = s1.pub\n"
	       "[peer b]\npublic-key = s1.key\nendpoint = tcp://x:1\nquery-endpoint = tcp://x:2\n",
	       "7: key 'public-key': the same key as [sensor a] (line 5); each sensor, peer and "
	       "client needs its own", NULL);
	expect("client", NODE "[client c1]\npublic-key = s2.pub\n[client c2]\n",
	       "6: key 'public-key': missing (required in [client c2])", NULL);
	expect("client key twice", NODE "[sensor a]\npublic-key = s1.pub\n"
	       "[client b]\npublic-key = s1.pub\n",
	       "7: key 'public-key': the same key as [sensor a] (line 5); each sensor, peer and "
	       "client needs its own", NULL);
	expect("client duplicate", NODE "[client b]\npublic-key = s1.pub\n"
	       "[client b]\npublic-key = s2.pub\n",
	       "6: key '[client b]': duplicate section (first at line 4)", NULL);
	expect("node's own key", NODE "[sensor a]\npublic-key = node.pub\n",
	       "5: key 'public-key': this is the node's own public key (from key-file, line 3)",
	       NULL);

	/* Files the config names. */
	expect("key-file mode", "[node]\nname = n\nkey-file = open.key\n",
	       "3: key 'key-file': key file 'DIR/open.key' has mode 0644; it must not be readable "
	       "by group or others (chmod 600)", NULL);
	expect("key-file missing", "[node]\nname = n\nkey-file = nope.key\n",
	       "3: key 'key-file': cannot open key file 'DIR/nope.key': No such file or directory",
	       NULL);
	expect("key-file is a .pub", "[node]\nname = n\nkey-file = pub600.key\n",
	       "3: key 'key-file': key file 'DIR/pub600.key' has no curve/secret-key (is it a "
	       ".pub file?)", NULL);
	expect("public key missing", NODE "[sensor a]\npublic-key = nope.pub\n",
	       "5: key 'public-key': cannot open public key file 'DIR/nope.pub': No such file or "
	       "directory", NULL);
	expect("pseudonym secrets", NODE "[group a]\npublish = tcp://*:7410\n"
	       "pseudonym-secret-file = short.secret\n[group b]\npublish = tcp://*:7411\n"
	       "pseudonym-secret-file = open.secret\n",
	       "6: key 'pseudonym-secret-file': secret file 'DIR/short.secret' holds 8 bytes; a "
	       "pseudonym secret needs at least 32 (head -c 32 /dev/urandom > FILE)",
	       "9: key 'pseudonym-secret-file': secret file 'DIR/open.secret' has mode 0644; it "
	       "must not be readable by group or others (chmod 600)", NULL);

	/* Every error of a file, in line order within each pass. */
	expect("all errors collected", "[node]\nname = n\nkey-file = node.key\nstore = a\n"
	       "store = b\n[export]\nmin-days = 0\n[bogus]\nx = 1\n[limits]\nmax-message-size = "
	       "1T\n[peer p]\ngroups = nosuch\n",
	       "5: key 'store': given twice in [node] (first at line 4)",
	       "7: key 'min-days': 0 is out of range (1..2)",
	       "8: key '[bogus]': unknown section (expected [node], [export], [limits], "
	       "[retention], [group NAME], [sensor NAME], [peer NAME] or [client NAME])",
	       "11: key 'max-message-size': not a size (65536, 64k, 1M, 2G)",
	       "12: key 'public-key': missing (required in [peer p])",
	       "13: key 'groups': group 'nosuch' is not defined (no [group nosuch])",
	       "12: key 'endpoint': missing: [peer p] accepts observations but has no endpoint to "
	       "subscribe to (or set accept)", NULL);
}

static void
test_flags_and_files(void)
{
	struct node_config *c = NULL;
	struct errs e;
	char want[700];

	is_int(parse("[node]\nname = n\nkey-file = nope.key\n[sensor s]\npublic-key = x.pub\n",
	             NODE_CONFIG_NO_FILES, &c, &e), 0, "NO_FILES: files are not read");
	if (c != NULL) {
		is_str(c->key_file, path("nope.key"), "NO_FILES: the path is kept");
		is_str(c->sensors[0].public_key_z85, "", "NO_FILES: a path key stays empty");
	}
	node_config_free(&c);
	is_int(parse("[node]\nname = n\nkey-file = open.key\n", NODE_CONFIG_INSECURE_PERMS, &c, &e),
	       0, "INSECURE_PERMS: a 0644 key file is accepted");
	node_config_free(&c);

	e.n = 0;
	is_int(node_config_parse(path("missing.conf"), 0, &c, collect, &e), PROTO_ENOENT,
	       "missing config: PROTO_ENOENT");
	ok(c == NULL, "missing config: no struct");
	is_int(e.n, 1, "missing config: one error");
	is_str(e.v[0], "0: key '(file)': cannot read config: No such file or directory",
	       "missing config: file-level message");
	e.n = 0;
	is_int(node_config_parse(dir, 0, &c, collect, &e), PROTO_EINVAL, "directory: refused");
	is_str(e.v[0], "0: key '(file)': cannot read config: not a regular file",
	       "directory: message");

	/* A line too long, a NUL byte, a file too large. */
	char *big = malloc(NODE_CONFIG_MAX_SIZE + 2);
	memset(big, '#', NODE_CONFIG_MAX_SIZE + 1);
	big[NODE_CONFIG_MAX_SIZE + 1] = '\0';
	write_file(path("big.conf"), big, 0644);
	e.n = 0;
	is_int(node_config_parse(path("big.conf"), 0, &c, collect, &e), PROTO_EINVAL,
	       "too large: refused");
	snprintf(want, sizeof(want), "0: key '(file)': cannot read config: larger than %u bytes",
	         NODE_CONFIG_MAX_SIZE);
	is_str(e.v[0], want, "too large: message");
	memcpy(big, NODE, strlen(NODE));
	big[strlen(NODE) + 5000] = '\n';
	big[strlen(NODE) + 5001] = '\0';
	expect("long line", big, "4: key '': line longer than 4096 bytes", NULL);
	free(big);
	FILE *f = fopen(path("nul.conf"), "w");
	fwrite(NODE "store = a\0b\n", 1, strlen(NODE) + 12, f);
	fclose(f);
	e.n = 0;
	is_int(node_config_parse(path("nul.conf"), 0, &c, collect, &e), PROTO_EINVAL, "NUL: refused");
	is_str(e.v[0], "4: key '': NUL byte in the line", "NUL: message");

	/* Text in memory; the name is used in errors and for relative paths. */
	static const char mem[] = "[node]\nname = n\nkey-file = k.key\nbogus = 1";
	e.n = 0;
	is_int(node_config_parse_text(path("mem.conf"), mem, sizeof(mem) - 1, NODE_CONFIG_NO_FILES,
	                              &c, collect, &e), PROTO_EINVAL, "parse_text: an error");
	is_str(e.v[0], "4: key 'bogus': unknown key in [node]", "parse_text: its line");
	is_int(node_config_parse_text(path("mem.conf"), mem, sizeof(mem) - 11, NODE_CONFIG_NO_FILES,
	                              &c, collect, &e), 0, "parse_text: valid, no final newline");
	if (c != NULL)
		is_str(c->key_file, path("k.key"), "parse_text: relative to the name's directory");
	node_config_free(&c);

	/* '#' inside an unquoted Z85 key is not a comment. */
	is_int(parse(NODE "[sensor h]\npublic-key = 0000000000000000000000000000000000000#00 #c\n",
	             0, &c, &e), 0, "comment: '#' inside a key");
	if (c != NULL)
		is_str(c->sensors[0].public_key_z85, "0000000000000000000000000000000000000#00",
		       "comment: the key is whole");
	node_config_free(&c);

	/* The printer's format. */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	node_config_print_error(m, "a.conf", 7, "store", "empty value");
	node_config_print_error(m, "a.conf", 0, NULL, "cannot read config: gone");
	fclose(m);
	is_str(buf, "a.conf:7: key 'store': empty value\na.conf: cannot read config: gone\n",
	       "print_error: FILE:LINE: key 'NAME': reason");
	free(buf);
}

/* The example of doc/pdns-node.conf.md parses (its files are not here). */
static void
test_doc_example(void)
{
	char doc[512], text[8192], line[1024];
	struct node_config *c = NULL;
	struct errs e;
	size_t n = 0;
	int in = 0;
	FILE *f;

	snprintf(doc, sizeof(doc), "%s/doc/pdns-node.conf.md", PDNS_SOURCE_DIR);
	if ((f = fopen(doc, "r")) == NULL) {
		ok(0, "doc example: cannot open %s", doc);
		return;
	}
	/* The indented block after "## Example". */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strcmp(line, "## Example\n") == 0)
			in = 1;
		else if (in && strncmp(line, "## ", 3) == 0)
			break;
		else if (in && strncmp(line, "    ", 4) == 0 && n + strlen(line) < sizeof(text))
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", line + 4);
	}
	fclose(f);
	text[n] = '\0';
	ok(n > 500, "doc example: found");
	is_int(parse(text, NODE_CONFIG_NO_FILES, &c, &e), 0, "doc example: parses");
	for (int i = 0; i < e.n; i++)
		printf("#   %s\n", e.v[i]);
	if (c != NULL) {
		is_int(c->n_peers, 2, "doc example: two peers");
		is_str(c->key_file, path("node.key"), "doc example: comment after a value cut");
		ok(!c->peers[1].accept_observations, "doc example: accept = none # comment");
	}
	node_config_free(&c);
}

/* node_check_config_main with stderr captured. */
static int
check_main(const char *conf, char *out, size_t cap)
{
	int saved = dup(2), fd = open(path("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int code;
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	code = node_check_config_main(conf);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(path("stderr.txt"), "r");
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
	return code;
}

static void
test_check_main(void)
{
	char text[8192], out[4096], want[2048];

	full_text(text, sizeof(text));
	char full[8192];
	expand(full, sizeof(full), text);
	write_file(path("good.conf"), full, 0644);
	is_int(check_main(path("good.conf"), out, sizeof(out)), 0, "check-config: valid exits 0");
	is_str(out, "", "check-config: valid prints nothing");

	write_file(path("bad.conf"), NODE "stor = x\n[peer p]\n", 0644);
	is_int(check_main(path("bad.conf"), out, sizeof(out)), 78, "check-config: invalid exits 78");
	snprintf(want, sizeof(want),
	         "%s:4: key 'stor': unknown key in [node] (did you mean 'store'?)\n"
	         "%s:5: key 'public-key': missing (required in [peer p])\n"
	         "%s:5: key 'endpoint': missing: [peer p] accepts observations but has no "
	         "endpoint to subscribe to (or set accept)\n",
	         path("bad.conf"), path("bad.conf"), path("bad.conf"));
	is_str(out, want, "check-config: FILE:LINE: key 'NAME': reason per error");
	is_int(check_main(path("none.conf"), out, sizeof(out)), 78, "check-config: missing file 78");
	snprintf(want, sizeof(want), "%s: cannot read config: No such file or directory\n",
	         path("none.conf"));
	is_str(out, want, "check-config: missing file message");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	setup();
	test_full();
	test_defaults();
	test_errors();
	test_flags_and_files();
	test_check_main();
	test_doc_example();
	if (tap_fail == 0) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
