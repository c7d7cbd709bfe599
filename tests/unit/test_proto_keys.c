/*
 * test_proto_keys.c - CURVE key files, Z85 and secret files.
 *
 * Key files are checked against czmq itself (zcert reads ours, we read
 * zcert's) and Z85 against libzmq's codec, so the formats cannot drift.
 */
#include <czmq.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/proto_err.h"
#include "proto/proto_keys.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/test_proto_keys.XXXXXX";

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
	f = fopen(p, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static size_t
read_file(const char *p, char *buf, size_t cap)
{
	FILE *f = fopen(p, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static unsigned
mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (unsigned)st.st_mode & 07777 : 0xffff;
}

static void
test_z85(void)
{
	static const uint8_t hello[8] = { 0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B };
	uint8_t data[32], back[32];
	char ours[41], theirs[41];

	is_int(proto_keys_z85_encode(hello, 8, ours, sizeof(ours)), 0, "z85: encode RFC 32 vector");
	is_str(ours, "HelloWorld", "z85: HelloWorld");
	is_int(proto_keys_z85_decode("HelloWorld", 10, back, sizeof(back)), 0, "z85: decode");
	ok(memcmp(back, hello, 8) == 0, "z85: decode gives the vector back");
	int same = 0;
	for (int round = 0; round < 100; round++) {
		randombytes_buf(data, sizeof(data));
		proto_keys_z85_encode(data, 32, ours, sizeof(ours));
		zmq_z85_encode(theirs, data, 32);
		same += strcmp(ours, theirs) == 0 &&
		        proto_keys_z85_decode(ours, 40, back, sizeof(back)) == 0 &&
		        memcmp(back, data, 32) == 0;
	}
	is_int(same, 100, "z85: 100 random keys encode as libzmq does and round-trip");
	is_int(proto_keys_z85_encode(hello, 7, ours, sizeof(ours)), PROTO_EINVAL,
	       "z85: encode length not a multiple of 4");
	is_int(proto_keys_z85_encode(hello, 8, ours, 10), PROTO_ESPACE, "z85: encode no room");
	is_int(proto_keys_z85_decode("Hello", 4, back, sizeof(back)), PROTO_EINVAL,
	       "z85: decode length not a multiple of 5");
	is_int(proto_keys_z85_decode("Hell\"", 5, back, sizeof(back)), PROTO_EINVAL,
	       "z85: character outside the alphabet");
	is_int(proto_keys_z85_decode("#####", 5, back, sizeof(back)), PROTO_EINVAL,
	       "z85: a group above 2^32-1 (libzmq wraps it)");
	is_int(proto_keys_z85_decode("%nSc0", 5, back, sizeof(back)), 0,
	       "z85: 2^32-1 itself decodes");
	ok(back[0] == 0xff && back[3] == 0xff, "z85: ... to ff ff ff ff");
	is_int(proto_keys_z85_decode("HelloWorld", 10, back, 4), PROTO_ESPACE, "z85: decode no room");
	ok(proto_keys_is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"), "is_z85_key: a key");
	ok(!proto_keys_is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"), "is_z85_key: 39 chars");
	ok(!proto_keys_is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7x"), "is_z85_key: 41");
	ok(!proto_keys_is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y f7"), "is_z85_key: space");
	ok(!proto_keys_is_z85_key(NULL), "is_z85_key: NULL");
}

static void
test_generate_and_load(void)
{
	char z85[41], why[1024], before[1024], after[1024], text[1024];
	uint8_t pub[32], sec[32], derived[32], pub2[32];
	mode_t old;

	old = umask(0);
	is_int(proto_keys_generate(path("a"), z85, why, sizeof(why)), 0, "generate: umask 0");
	umask(old);
	is_int(mode_of(path("a.key")), 0600, "generate: .key is 0600 with umask 0");
	is_int(mode_of(path("a.pub")), 0644, "generate: .pub is 0644 with umask 0");
	is_int(strlen(z85), 40, "generate: 40 Z85 characters returned");
	old = umask(0777);
	is_int(proto_keys_generate(path("b"), z85, why, sizeof(why)), 0, "generate: umask 0777");
	umask(old);
	is_int(mode_of(path("b.key")), 0600, "generate: .key is 0600 with umask 0777");
	is_int(mode_of(path("b.pub")), 0644, "generate: .pub is 0644 with umask 0777");

	why[0] = 'x';
	is_int(proto_keys_load_secret(path("b.key"), 0, pub, sec, why, sizeof(why)), 0,
	       "load_secret: a generated key");
	is_str(why, "", "load_secret: no warning");
	crypto_scalarmult_base(derived, sec);
	ok(memcmp(derived, pub, 32) == 0, "load_secret: the secret belongs to the public key");
	proto_keys_z85_encode(pub, 32, text, sizeof(text));
	is_str(text, z85, "load_secret: the public key is the one printed");

	memset(pub2, 0, sizeof(pub2));
	is_int(proto_keys_load_public(z85, pub2, why, sizeof(why)), 0, "load_public: Z85 text");
	ok(memcmp(pub2, pub, 32) == 0, "load_public: Z85 text gives the key");
	memset(pub2, 0, sizeof(pub2));
	is_int(proto_keys_load_public(path("b.pub"), pub2, why, sizeof(why)), 0,
	       "load_public: a .pub path");
	ok(memcmp(pub2, pub, 32) == 0, "load_public: .pub gives the key");
	memset(pub2, 0, sizeof(pub2));
	is_int(proto_keys_load_public(path("b.key"), pub2, why, sizeof(why)), 0,
	       "load_public: a .key path");
	ok(memcmp(pub2, pub, 32) == 0, "load_public: .key gives its public key");
	is_int(proto_keys_load_public(path("nope.pub"), pub2, why, sizeof(why)), PROTO_ENOENT,
	       "load_public: missing file");
	snprintf(text, sizeof(text), "cannot open public key file '%s': No such file or directory",
	         path("nope.pub"));
	is_str(why, text, "load_public: the message names the file");
	is_int(proto_keys_load_public("", pub2, why, sizeof(why)), PROTO_EINVAL,
	       "load_public: empty");

	/* Never overwrite. */
	read_file(path("b.key"), before, sizeof(before));
	errno = 0;
	is_int(proto_keys_generate(path("b"), z85, why, sizeof(why)), PROTO_EIO,
	       "generate: existing pair refused");
	is_int(errno, EEXIST, "generate: errno EEXIST");
	snprintf(text, sizeof(text), "cannot create '%s': File exists", path("b.key"));
	is_str(why, text, "generate: the message names the file");
	read_file(path("b.key"), after, sizeof(after));
	is_str(after, before, "generate: the existing .key is unchanged");
	is_int(mode_of(path("b.key")), 0600, "generate: ... and its mode too");

	write_file(path("c.pub"), "mine\n", 0644);
	is_int(proto_keys_generate(path("c"), z85, why, sizeof(why)), PROTO_EIO,
	       "generate: an existing .pub alone is refused");
	snprintf(text, sizeof(text), "cannot create '%s': File exists", path("c.pub"));
	is_str(why, text, "generate: names the .pub");
	ok(access(path("c.key"), F_OK) != 0, "generate: the .key it made is removed again");
	read_file(path("c.pub"), after, sizeof(after));
	is_str(after, "mine\n", "generate: the existing .pub is unchanged");
	is_int(proto_keys_generate(path("nodir/x"), z85, why, sizeof(why)), PROTO_EIO,
	       "generate: missing directory");
	is_int(proto_keys_generate("", z85, why, sizeof(why)), PROTO_EINVAL,
	       "generate: empty prefix");
}

static void
test_permissions(void)
{
	char why[1024], want[1024];
	uint8_t pub[32], sec[32], buf[64];
	size_t n;
	char z85[41];

	proto_keys_generate(path("p"), z85, why, sizeof(why));
	chmod(path("p.key"), 0644);
	sec[0] = 1;
	is_int(proto_keys_load_secret(path("p.key"), 0, pub, sec, why, sizeof(why)), PROTO_EPERM,
	       "perms: 0644 refused");
	snprintf(want, sizeof(want), "key file '%s' has mode 0644; it must not be readable by "
	         "group or others (chmod 600)", path("p.key"));
	is_str(why, want, "perms: the message names the file and its mode");
	ok(sec[0] == 0 && memcmp(sec, sec + 1, 31) == 0, "perms: sec is wiped on failure");
	chmod(path("p.key"), 0640);
	is_int(proto_keys_load_secret(path("p.key"), 0, pub, sec, why, sizeof(why)), PROTO_EPERM,
	       "perms: 0640 refused");
	ok(strstr(why, "has mode 0640;") != NULL, "perms: says 0640");
	chmod(path("p.key"), 0604);
	is_int(proto_keys_load_secret(path("p.key"), 0, pub, sec, why, sizeof(why)), PROTO_EPERM,
	       "perms: 0604 refused");
	chmod(path("p.key"), 0620);
	is_int(proto_keys_load_secret(path("p.key"), 0, pub, sec, why, sizeof(why)), PROTO_EPERM,
	       "perms: 0620 (group may write) refused");
	snprintf(want, sizeof(want), "key file '%s' has mode 0620; group and others must have no "
	         "access to it (chmod 600)", path("p.key"));
	is_str(why, want, "perms: group-writable message");
	chmod(path("p.key"), 0644);
	is_int(proto_keys_load_secret(path("p.key"), PROTO_KEYS_INSECURE_OK, pub, sec, why,
	                              sizeof(why)), 0, "perms: INSECURE_OK loads");
	ok(strstr(why, "has mode 0644") != NULL, "perms: INSECURE_OK leaves the warning in why");
	chmod(path("p.key"), 0400);
	is_int(proto_keys_load_secret(path("p.key"), 0, pub, sec, why, sizeof(why)), 0,
	       "perms: 0400 is fine");

	/* A directory anyone may write (without the sticky bit). */
	mkdir(path("open"), 0777);
	chmod(path("open"), 0777);
	proto_keys_generate(path("open/k"), z85, why, sizeof(why));
	is_int(proto_keys_load_secret(path("open/k.key"), 0, pub, sec, why, sizeof(why)),
	       PROTO_EPERM, "perms: directory 0777 refused");
	ok(strstr(why, "others may write (mode 0777") != NULL, "perms: says why");
	chmod(path("open"), 01777);
	is_int(proto_keys_load_secret(path("open/k.key"), 0, pub, sec, why, sizeof(why)), 0,
	       "perms: directory 1777 (sticky) is fine");

	if (geteuid() == 0) {
		chown(path("p.key"), 12345, 12345);
		is_int(proto_keys_load_secret(path("p.key"), 0, pub, sec, why, sizeof(why)),
		       PROTO_EPERM, "perms: owned by another user refused");
		ok(strstr(why, "belongs to uid 12345, not to this user (uid 0)") != NULL,
		   "perms: names the owner");
		chown(path("p.key"), 0, 0);
	} else {
		ok(1, "# SKIP owner check needs root");
		ok(1, "# SKIP owner check needs root");
	}

	is_int(proto_keys_load_secret(path("none.key"), 0, pub, sec, why, sizeof(why)),
	       PROTO_ENOENT, "load_secret: missing file");
	is_int(proto_keys_load_secret(dir, 0, pub, sec, why, sizeof(why)), PROTO_EFORMAT,
	       "load_secret: a directory");

	write_file(path("s.secret"), "0123456789abcdef0123456789abcdef", 0600);
	is_int(proto_keys_read_secret_file(path("s.secret"), 0, buf, sizeof(buf), &n, why,
	                                   sizeof(why)), 0, "secret file: read");
	is_int(n, 32, "secret file: 32 bytes");
	is_int(proto_keys_read_secret_file(path("s.secret"), 0, buf, 16, &n, why, sizeof(why)),
	       PROTO_ESPACE, "secret file: larger than the buffer");
	chmod(path("s.secret"), 0644);
	is_int(proto_keys_read_secret_file(path("s.secret"), 0, buf, sizeof(buf), &n, why,
	                                   sizeof(why)), PROTO_EPERM, "secret file: 0644 refused");
	snprintf(want, sizeof(want), "secret file '%s' has mode 0644; it must not be readable by "
	         "group or others (chmod 600)", path("s.secret"));
	is_str(why, want, "secret file: the message");
}

static void
bad_file(const char *name, const char *text, int want_err, const char *want_why)
{
	char why[1024], want[1024];
	uint8_t pub[32], sec[32];

	write_file(path(name), text, 0600);
	is_int(proto_keys_load_secret(path(name), 0, pub, sec, why, sizeof(why)), want_err,
	       "zpl: %s refused", name);
	/* want_why has one %s for the path (not a format: keys hold '%'). */
	const char *at = strstr(want_why, "%s");
	snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - want_why), want_why, path(name),
	         at + 2);
	is_str(why, want, "zpl: %s message", name);
	ok(strstr(why, "rq:rM") == NULL && strstr(why, "JTKVSB") == NULL,
	   "zpl: %s message holds no key", name);
}

#define PUB "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define SEC "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

static void
test_zpl(void)
{
	char why[1024];
	uint8_t pub[32], sec[32];

	/* The server key pair of the libzmq test suite, bare values, CRLF. */
	write_file(path("ok.key"), "# comment\r\nmetadata\r\n    name = x\r\ncurve\r\n"
	           "    public-key = " PUB "\r\n    secret-key = '" SEC "'  # trailing\r\n", 0600);
	is_int(proto_keys_load_secret(path("ok.key"), 0, pub, sec, why, sizeof(why)), 0,
	       "zpl: bare and single-quoted values, CRLF, comments");
	bad_file("pub.key", "curve\n    public-key = \"" PUB "\"\n", PROTO_EFORMAT,
	         "key file '%s' has no curve/secret-key (is it a .pub file?)");
	bad_file("nopub.key", "curve\n    secret-key = \"" SEC "\"\n", PROTO_EFORMAT,
	         "key file '%s' has no curve/public-key");
	bad_file("tab.key", "curve\n\tpublic-key = \"" PUB "\"\n", PROTO_EFORMAT,
	         "key file '%s' line 2: tab in the indentation (ZPL indents with 4 spaces)");
	bad_file("indent.key", "curve\n  public-key = \"" PUB "\"\n", PROTO_EFORMAT,
	         "key file '%s' line 2: bad indentation (ZPL indents each level by 4 spaces)");
	bad_file("deep.key", "curve\n        public-key = \"" PUB "\"\n", PROTO_EFORMAT,
	         "key file '%s' line 2: bad indentation (ZPL indents each level by 4 spaces)");
	bad_file("quote.key", "curve\n    public-key = \"" PUB "\n", PROTO_EFORMAT,
	         "key file '%s' line 2: unterminated quote");
	bad_file("short.key", "curve\n    public-key = \"" PUB "\"\n    secret-key = \"abc\"\n",
	         PROTO_EFORMAT, "key file '%s' line 3: curve/secret-key is not 40 Z85 characters");
	bad_file("twice.key", "curve\n    public-key = \"" PUB "\"\n    public-key = \"" PUB "\"\n",
	         PROTO_EFORMAT, "key file '%s' line 3: curve/public-key given twice");
	bad_file("junk.key", "curve\n    public-key = \"" PUB "\" junk\n", PROTO_EFORMAT,
	         "key file '%s' line 2: unexpected text after the value");
	bad_file("noname.key", "curve\n    = \"" PUB "\"\n", PROTO_EFORMAT,
	         "key file '%s' line 2: expected a name");
	bad_file("badz85.key", "curve\n    public-key = \"" PUB "\"\n    secret-key = '"
	         "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh\"'\n", PROTO_EFORMAT,
	         "key file '%s' line 3: curve/secret-key is not a Z85 key");
	bad_file("other.key", "curve\n    public-key = \"" PUB "\"\n    secret-key = \""
	         "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs\"\n", PROTO_EFORMAT,
	         "key file '%s': secret-key does not belong to public-key");
	{
		FILE *f = fopen(path("bin.key"), "w");
		fwrite("curve\n\0\n", 1, 8, f);
		fclose(f);
		chmod(path("bin.key"), 0600);
		is_int(proto_keys_load_secret(path("bin.key"), 0, pub, sec, why, sizeof(why)),
		       PROTO_EFORMAT, "zpl: a NUL byte refused");
		ok(strstr(why, "is not a ZPL certificate (binary data)") != NULL, "zpl: NUL message");
	}
	/* A public-key elsewhere than under curve is not the key. */
	bad_file("elsewhere.key", "metadata\n    public-key = \"" PUB "\"\n", PROTO_EFORMAT,
	         "key file '%s' has no curve/public-key");
}

static void
test_czmq(void)
{
	char z85[41], why[1024];
	uint8_t pub[32], sec[32];
	zcert_t *c;

	/* czmq reads ours. */
	proto_keys_generate(path("ours"), z85, why, sizeof(why));
	c = zcert_load(path("ours.key"));
	ok(c != NULL, "czmq: zcert_load reads our .key");
	if (c != NULL) {
		is_str(zcert_public_txt(c), z85, "czmq: same public key");
		proto_keys_load_secret(path("ours.key"), 0, pub, sec, why, sizeof(why));
		ok(memcmp(zcert_secret_key(c), sec, 32) == 0, "czmq: same secret key");
		zcert_destroy(&c);
	}
	c = zcert_load(path("ours.pub"));
	ok(c != NULL, "czmq: zcert_load reads our .pub");
	if (c != NULL) {
		is_str(zcert_public_txt(c), z85, "czmq: .pub public key");
		zcert_destroy(&c);
	}
	/* We read czmq's, metadata included. */
	c = zcert_new();
	zcert_set_meta(c, "name", "a node");
	zcert_save_secret(c, path("theirs.key"));
	zcert_save_public(c, path("theirs.pub"));
	is_int(proto_keys_load_secret(path("theirs.key"), 0, pub, sec, why, sizeof(why)), 0,
	       "czmq: we read zcert_save_secret's file");
	ok(memcmp(pub, zcert_public_key(c), 32) == 0 && memcmp(sec, zcert_secret_key(c), 32) == 0,
	   "czmq: same keys");
	is_int(proto_keys_load_public(path("theirs.pub"), pub, why, sizeof(why)), 0,
	       "czmq: we read zcert_save_public's file");
	ok(memcmp(pub, zcert_public_key(c), 32) == 0, "czmq: same public key");
	zcert_destroy(&c);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL || sodium_init() < 0)
		return 1;
	test_z85();
	test_generate_and_load();
	test_permissions();
	test_zpl();
	test_czmq();
	if (tap_fail == 0) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
