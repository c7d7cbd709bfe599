/*
 * test_pdns_conf.c - pdns.conf and its secrets file (cli/pdns_conf.c), and
 * the provider request builders (cli/prov_<name>.c, cli/prov_req.c).
 *
 * Config: defaults, every key, type aliases, relative paths, each error
 * with its file:line; secrets: refused when group/others may read them,
 * never quoted in an error, wiped by pdns_conf_free. Requests: the exact
 * path, query string and headers each provider is sent for rrset, rdata
 * and address queries, percent-encoding, 360's md5 token, and "cannot"
 * for the kinds a provider does not answer.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_query.h"
#include "cli/pdns_conf.h"
#include "cli/prov.h"
#include "cli/prov_state.h"
#include "proto/proto_err.h"
#include "tap.h"

#define CANARY "CANARY-9f8e7d"

static char dir[256];

static void
put(const char *name, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	fchmod(fd, mode);
	close(fd);
}

static int
load(struct pdns_conf *c, const char *conf_text, char *why, size_t whylen)
{
	char path[512];

	put("pdns.conf", conf_text, 0644);
	snprintf(path, sizeof path, "%s/pdns.conf", dir);
	return pdns_conf_load(c, path, why, whylen);
}

/* The config must be refused with a why containing want. */
static void
refused(const char *text, const char *want)
{
	struct pdns_conf c;
	char why[256] = "";
	int rc = load(&c, text, why, sizeof why);

	ok(rc == PROTO_EFORMAT && strstr(why, want) != NULL, "refused: %s", want);
	if (rc == 0)
		pdns_conf_free(&c);
	else if (!strstr(why, want))
		printf("#   why: %s\n", why);
}

static void
test_defaults(void)
{
	struct pdns_conf c;
	char why[256], path[512];

	snprintf(path, sizeof path, "%s/none.conf", dir);
	is_int(pdns_conf_load(&c, path, why, sizeof why), PROTO_ENOENT, "a named missing config");
	ok(strstr(why, "none.conf") != NULL, "its name in the reason");
	setenv("XDG_CONFIG_HOME", dir, 1); /* no pdns/pdns.conf below it */
	is_int(pdns_conf_load(&c, NULL, why, sizeof why), 0, "the default config may be absent");
	ok(c.file == NULL && c.n_providers == 0 && c.deadline_s == 30 && c.hop_limit == 1 &&
	   c.cache_ttl == 86400, "defaults");
	pdns_conf_free(&c);
}

static void
test_full(void)
{
	struct pdns_conf c;
	const struct pdns_conf_provider *p;
	char why[256] = "", want[512];
	int rc;

	put("secrets",
	    "# provider secrets\n"
	    "[dnsdb]\napi-key = " CANARY "\n"
	    "[pt]\nuser = analyst@example.org\napi-key = \"" CANARY "\"\n"
	    "[cn]\napi-id = id360\napi-key = k#360\n", 0600);
	rc = load(&c,
	          "[pdns]\n"
	          "sources = local,dnsdb   # the default\n"
	          "deadline = 2m\nhop-limit = 3\ncache = none\ncache-ttl = 2h\n"
	          "ca-file = ca.pem\nstate = ~/st\n"
	          "[provider dnsdb]\nurl = https://127.0.0.1:1/x/\nlimit = 50\nmax-pages = 3\n"
	          "timeout = 7\ndaily-budget = 9\ncache-ttl = 1d\n"
	          "[provider pt]\n"
	          "[provider cn]\ntype = 360\nca-file = /etc/other.pem\n"
	          "[provider vt]\n",
	          why, sizeof why);
	is_int(rc, 0, "a full config loads (%s)", why);
	if (rc)
		return;
	is_str(c.sources, "local,dnsdb", "sources, comment cut");
	ok(c.deadline_s == 120 && c.hop_limit == 3 && c.cache_dir == NULL &&
	   c.cache_ttl == 7200, "deadline 2m, hop-limit, cache none, cache-ttl 2h");
	snprintf(want, sizeof want, "%s/ca.pem", dir);
	is_str(c.ca_file, want, "ca-file relative to the config");
	snprintf(want, sizeof want, "%s/secrets", dir);
	is_str(c.secrets_file, want, "secrets beside the config");
	snprintf(want, sizeof want, "%s/st", dir);
	is_str(c.state_file, want, "state = ~/st is below $HOME");
	is_int(c.n_providers, 4, "four providers");
	p = pdns_conf_provider(&c, "dnsdb");
	ok(p && strcmp(p->def->name, "dnsdb") == 0 && strcmp(p->url, "https://127.0.0.1:1/x") == 0 &&
	   p->limit == 50 && p->max_pages == 3 && p->timeout_s == 7 && p->daily_budget == 9 &&
	   p->cache_ttl == 86400, "[provider dnsdb]: every key, url without its '/'");
	ok(p && p->key && strcmp(p->key, CANARY) == 0 && !p->user, "dnsdb's key");
	p = pdns_conf_provider(&c, "pt");
	ok(p && strcmp(p->def->name, "passivetotal") == 0 && p->user && p->key &&
	   strcmp(p->key, CANARY) == 0 && strcmp(p->url, "https://api.passivetotal.org") == 0,
	   "pt: the passivetotal alias, the real URL, user and quoted key");
	p = pdns_conf_provider(&c, "cn");
	ok(p && strcmp(p->def->name, "360") == 0 && p->key_id && strcmp(p->key, "k#360") == 0 &&
	   strcmp(p->ca_file, "/etc/other.pem") == 0, "type = 360, '#' kept in a secret");
	p = pdns_conf_provider(&c, "vt");
	ok(p && strcmp(p->def->name, "virustotal") == 0 && !p->key && p->timeout_s == 20 &&
	   p->max_pages == 10 && p->limit == 1000 && p->cache_ttl == -1,
	   "vt: the alias, no secrets, the defaults");
	pdns_conf_free(&c);
	ok(c.providers == NULL && c.secret_mem == NULL, "freed");
}

static void
test_errors(void)
{
	struct pdns_conf c;
	char why[256] = "";
	int rc;

	refused("[pdns]\nfoo = 1\n", "pdns.conf:2: key 'foo': unknown key in [pdns]");
	refused("[pdns]\ndeadline = soon\n", ":2: key 'deadline'");
	refused("[pdns]\nhop-limit = 9\n", ":2: key 'hop-limit'");
	refused("[pdns]\ndeadline = h\n", ":2: key 'deadline'"); /* found by fuzz_pdns_conf */
	refused("[pdns]\ncache-ttl = 1ms\n", ":2: key 'cache-ttl'");
	refused("deadline = 3\n", ":1: a key before any section");
	refused("[pdns\n", ":1: not '[section]'");
	refused("[pdns]\n[pdns]\n", ":2: a second [pdns]");
	refused("[peer x]\n", ":1: unknown section");
	refused("[provider]\n", ":1: [provider NAME]");
	refused("[provider local]\n", "not local, peers");
	refused("[provider a]\ntype = dnsdb\n[provider A]\ntype = vt\n", ":3: provider 'A' is defined twice");
	refused("[provider mine]\n", ":1: provider 'mine': no 'type'");
	refused("[provider mine]\ntype = farsight\n", ":2: key 'type': 'farsight' is not");
	refused("[provider dnsdb]\nurl = ftp://x\n", ":2: key 'url'");
	refused("[provider dnsdb]\nlimit = 0\n", ":2: key 'limit'");
	refused("[provider dnsdb]\ntimeout = -1\n", ":2: key 'timeout'");
	refused("[provider dnsdb]\nkey = x\n", ":2: key 'key': unknown key in [provider dnsdb]");

	/* secrets: errors name the line, never the value */
	put("secrets", "[dnsdb]\n" CANARY "\n", 0600);
	refused("[provider dnsdb]\n", "secrets:2: not '[NAME]'");
	put("secrets", "[dnsdb]\napi-key = " CANARY "\napi-key = " CANARY "\n", 0600);
	refused("[provider dnsdb]\n", "secrets:3: a second value");
	put("secrets", "[nope]\napi-key = " CANARY "\n", 0600);
	refused("[provider dnsdb]\n", "secrets:1: the section names no");
	put("secrets", "[dnsdb]\ntoken = " CANARY "\n", 0600);
	refused("[provider dnsdb]\n", "secrets:2: unknown key");
	put("secrets", "[dnsdb]\napi-key = \"a " CANARY "\"\n", 0600);
	refused("[provider dnsdb]\n", "secrets:2: a secret may hold only printable");
	put("secrets", "[dnsdb]\napi-key = " CANARY "\n", 0600);
	refused("[provider dnsdb]\nurl = http://127.0.0.1:8080\n", "clear text");

	/* like ssh: group or others may not read the secrets */
	put("secrets", "[dnsdb]\napi-key = " CANARY "\n", 0640);
	rc = load(&c, "[provider dnsdb]\n", why, sizeof why);
	ok(rc == PROTO_EPERM && strstr(why, "mode 0640") && !strstr(why, CANARY),
	   "secrets readable by the group: refused, '%s'", why);
	put("secrets", "[dnsdb]\napi-key = " CANARY "\n", 0604);
	rc = load(&c, "[provider dnsdb]\n", why, sizeof why);
	ok(rc == PROTO_EPERM, "secrets readable by others: refused");
	put("secrets", "[dnsdb]\napi-key = " CANARY "\n", 0620);
	rc = load(&c, "[provider dnsdb]\n", why, sizeof why);
	ok(rc == PROTO_EPERM, "secrets writable by the group: refused");
	/* a missing secrets file is no error: the provider then says what it needs */
	{
		char path[512];
		snprintf(path, sizeof path, "%s/secrets", dir);
		unlink(path);
	}
	rc = load(&c, "[provider dnsdb]\n", why, sizeof why);
	ok(rc == 0 && c.providers[0].key == NULL, "no secrets file: providers without keys");
	if (rc == 0)
		pdns_conf_free(&c);
}

/* ---- request builders -------------------------------------------------- */

static const struct prov_creds creds = {"analyst@example.org", CANARY, "id360"};

static int
build(const char *prov, const char *opt, const char *arg, uint64_t limit,
      const struct prov_cursor *cur, struct prov_request *r, char *why)
{
	const struct prov_def *d = prov_find(prov);
	struct proto_query q;
	struct prov_cursor c0;
	bool typed;
	char qwhy[128];

	proto_query_init(&q);
	if (opt[0] == 'r' && cli_query_rrset(&q, arg, &typed, qwhy, sizeof qwhy) != 0)
		return -100;
	if (opt[0] == 'n' && cli_query_rdata_name(&q, arg, &typed, qwhy, sizeof qwhy) != 0)
		return -100;
	if (opt[0] == 'i' && cli_query_ip(&q, arg, qwhy, sizeof qwhy) != 0)
		return -100;
	if (opt[0] == 'A') { /* rrset with fences */
		cli_query_rrset(&q, arg, &typed, qwhy, sizeof qwhy);
		q.fences = PROTO_F_FIRST_AFTER | PROTO_F_LAST_BEFORE;
		q.first_after = 1600000000;
		q.last_before = 1700000000;
	}
	if (!cur) {
		memset(&c0, 0, sizeof c0);
		cur = &c0;
	}
	why[0] = '\0';
	return d->request(&q, limit, cur, &creds, r, why, 200);
}

static bool
has_header(const struct prov_request *r, const char *h)
{
	for (unsigned i = 0; i < r->n_headers; i++)
		if (strcmp(r->headers[i], h) == 0)
			return true;
	return false;
}

static void
test_requests(void)
{
	struct prov_request r;
	struct prov_cursor cur;
	char why[200];

	is_int(build("dnsdb", "r", "www.example.com/A", 10, NULL, &r, why), 0, "dnsdb rrset");
	is_str(r.path, "/dnsdb/v2/lookup/rrset/name/www.example.com/A?limit=10", "dnsdb path");
	ok(has_header(&r, "X-API-Key: " CANARY) && has_header(&r, "Accept: application/x-ndjson"),
	   "dnsdb headers");
	build("dnsdb", "r", "*.example.com", 5, NULL, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rrset/name/%2A.example.com?limit=5", "dnsdb left wildcard");
	build("dnsdb", "r", "www.example.*", 5, NULL, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rrset/name/www.example.%2A?limit=5", "dnsdb right wildcard");
	build("dnsdb", "r", "example.com/ANY/example.com", 5, NULL, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rrset/name/example.com/ANY/example.com?limit=5",
	       "dnsdb bailiwick without a type");
	build("dnsdb", "i", "93.184.216.0/24", 5, NULL, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rdata/ip/93.184.216.0,24?limit=5", "dnsdb CIDR");
	build("dnsdb", "i", "2001:db8::1", 5, NULL, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rdata/ip/2001:db8::1?limit=5", "dnsdb IPv6 address");
	build("dnsdb", "n", "ns1.example.net/NS", 5, NULL, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rdata/name/ns1.example.net/NS?limit=5", "dnsdb rdata name");
	memset(&cur, 0, sizeof cur);
	cur.offset = 20;
	build("dnsdb", "A", "example.com", 10, &cur, &r, why);
	is_str(r.path, "/dnsdb/v2/lookup/rrset/name/example.com?limit=10&offset=20"
	       "&time_first_after=1600000000&time_last_before=1700000000", "dnsdb offset and fences");
	build("dnsdb", "r", "a b.example", 5, NULL, &r, why);
	prov_request_wipe(&r);
	ok(r.n_headers == 0 && r.headers[1][0] == '\0', "wiped");

	is_int(build("circl", "r", "example.com", 50, NULL, &r, why), 0, "circl rrset");
	ok(strcmp(r.path, "/pdns/query/example.com") == 0 && r.basic_auth &&
	   has_header(&r, "dribble-paginate-count: 50") && !has_header(&r, "Authorization: " CANARY),
	   "circl path, Basic auth, page size");
	strcpy(cur.token, "100");
	build("circl", "i", "192.0.2.1", 50, &cur, &r, why);
	ok(strcmp(r.path, "/pdns/query/192.0.2.1") == 0 &&
	   has_header(&r, "dribble-paginate-cursor: 100"), "circl address and cursor");
	is_int(build("circl", "i", "192.0.2.0/24", 50, NULL, &r, why), PROTO_ENOTSUP, "circl: no CIDR");
	ok(strstr(why, "CIRCL cannot") != NULL, "  %s", why);
	is_int(build("circl", "r", "*.example.com", 50, NULL, &r, why), PROTO_ENOTSUP,
	       "circl: no wildcard");

	build("virustotal", "r", "example.com", 100, NULL, &r, why);
	ok(strcmp(r.path, "/api/v3/domains/example.com/resolutions?limit=40") == 0 &&
	   has_header(&r, "x-apikey: " CANARY), "vt domain, limit capped at 40");
	strcpy(cur.token, "eyJ=+/");
	build("virustotal", "i", "93.184.216.34", 10, &cur, &r, why);
	is_str(r.path, "/api/v3/ip_addresses/93.184.216.34/resolutions?limit=10&cursor=eyJ%3D%2B%2F",
	       "vt address, escaped cursor");
	is_int(build("virustotal", "n", "example.com", 10, NULL, &r, why), PROTO_ENOTSUP,
	       "vt: no rdata name");
	is_int(build("virustotal", "r", "example.com/MX", 10, NULL, &r, why), PROTO_ENOTSUP,
	       "vt: no MX");

	build("passivetotal", "r", "example.com", 10, NULL, &r, why);
	ok(strcmp(r.path, "/v2/dns/passive?query=example.com") == 0 && r.basic_auth, "pt");
	is_int(build("passivetotal", "n", "example.com", 10, NULL, &r, why), PROTO_ENOTSUP,
	       "pt: no rdata name");

	cur.offset = 25;
	build("mnemonic", "r", "example.com/A,AAAA", 5000, &cur, &r, why);
	is_str(r.path, "/pdns/v3/example.com?limit=1000&offset=25&rrType=a&rrType=aaaa",
	       "mnemonic: limit cap, offset, types");
	ok(has_header(&r, "Argus-API-Key: " CANARY), "mnemonic key header");

	build("360", "r", "example.com", 100, NULL, &r, why);
	is_str(r.path, "/api/rrset/keyword/example.com/count/100/", "360 rrset");
	/* md5("/api/rrset/keyword/example.com/count/100/" CANARY) by python's hashlib */
	ok(has_header(&r, "X-BashTokid: id360") &&
	   has_header(&r, "X-BashToken: 93bc6a3057430c23a8a11a559d18d51c"),
	   "360 token = md5(path + key)");
	ok(!has_header(&r, "X-BashToken: " CANARY) && !strstr(r.path, CANARY),
	   "360: the key itself is not sent");
	build("360", "i", "192.0.2.1", 10, NULL, &r, why);
	is_str(r.path, "/api/rdata/keyword/192.0.2.1/count/10/", "360 rdata");
	{
		struct prov_creds none = {NULL, NULL, NULL};
		struct proto_query q;
		bool typed;
		proto_query_init(&q);
		cli_query_rrset(&q, "example.com", &typed, why, sizeof why);
		is_int(prov_find("dnsdb")->request(&q, 10, &cur, &none, &r, why, sizeof why),
		       PROTO_EINVAL, "dnsdb without a key");
		ok(strstr(why, "needs api-key in the secrets file") != NULL, "  %s", why);
	}
	for (const struct prov_def *d = prov_table; d->name; d++) {
		struct proto_query q;
		proto_query_init(&q);
		q.kind = PROTO_Q_NXDOMAIN;
		ok(d->request(&q, 10, &cur, &creds, &r, why, sizeof why) == PROTO_ENOTSUP,
		   "%s: NXDOMAIN unsupported", d->name);
	}
}

/* ---- the backoff and budget state -------------------------------------- */

static void
test_state(void)
{
	struct prov_state st[2] = {{.name = "vt"}, {.name = "dnsdb"}};
	char path[512], why[200];
	int64_t now = 1764000000;
	struct stat sb;

	snprintf(path, sizeof path, "%s/cache/pdns/prov-state", dir);
	is_int(prov_state_load(path, st, 2, now, why, sizeof why), 0, "state: none yet");
	ok(st[0].retry_at == 0 && st[0].requests == 0, "state: zeroes");
	st[0].requests = 3;
	st[0].quota = true;
	st[0].retry_at = now + 60;
	st[1].requests = 1;
	st[1].answered = true;
	is_int(prov_state_update(path, st, 2, now, why, sizeof why), 0, "state: written (%s)", why);
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "state: mode 0600, directories made");
	st[0].requests = 2; /* a second run adds */
	st[0].retry_at = now + 30; /* an earlier end never shortens the backoff */
	prov_state_update(path, st, 1, now, why, sizeof why);
	prov_state_load(path, st, 2, now, why, sizeof why);
	ok(st[0].requests == 5 && st[0].retry_at == now + 60 && st[0].strikes == 2 &&
	   st[1].requests == 1 && st[1].strikes == 0, "state: requests add up, strikes count");
	prov_state_load(path, st, 2, now + 86400, why, sizeof why);
	ok(st[0].requests == 0 && st[0].retry_at == now + 60, "state: a new UTC day, a new budget");
	put("cache/pdns/prov-state", "# x\nvt 12 x\ndnsdb -1 2 3 4\nvt 7 20416 9 1 extra\n"
	    "circl 5 20416 2 0\n", 0644);
	is_int(prov_state_load(path, st, 2, now, why, sizeof why), 0, "state: damaged lines");
	ok(st[0].retry_at == 0 && st[1].retry_at == 0, "state: damaged lines are ignored");
	st[0].requests = 1;
	st[0].quota = false;
	st[0].answered = true;
	prov_state_update(path, st, 1, now, why, sizeof why);
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "state: mode put back to 0600");
}

int
main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_pdns_conf.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0700);
	setenv("HOME", dir, 1);
	test_defaults();
	test_full();
	test_errors();
	test_requests();
	test_state();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
