/*
 * proto_keys.c - CURVE key files (ZPL), Z85 and secret files.
 *
 * The ZPL reader is ours (see the header for why); it understands exactly
 * what czmq writes and what RFC 4 allows around it, and says which line is
 * wrong. Whatever holds secret bytes (the file text, decoded keys) is wiped
 * with sodium_memzero before it goes out of scope.
 */
#include "proto/proto_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto_err.h"

/* czmq writes a few hundred bytes; metadata may add some. */
#define KEYFILE_MAX 16384

static const char z85_chars[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || why_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

int
proto_keys_z85_encode(const uint8_t *data, size_t n, char *out, size_t out_cap)
{
	size_t o = 0;

	if (n % 4 != 0)
		return PROTO_EINVAL;
	if (out_cap < n / 4 * 5 + 1)
		return PROTO_ESPACE;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
		             (uint32_t)data[i + 2] << 8 | data[i + 3];
		for (int j = 4; j >= 0; j--) {
			out[o + (size_t)j] = z85_chars[v % 85];
			v /= 85;
		}
		o += 5;
	}
	out[o] = '\0';
	return 0;
}

static int
z85_value(char c)
{
	const char *p = c != '\0' ? strchr(z85_chars, c) : NULL;

	return p != NULL ? (int)(p - z85_chars) : -1;
}

int
proto_keys_z85_decode(const char *text, size_t len, uint8_t *out, size_t out_cap)
{
	size_t o = 0;

	if (len % 5 != 0)
		return PROTO_EINVAL;
	if (out_cap < len / 5 * 4)
		return PROTO_ESPACE;
	for (size_t i = 0; i < len; i += 5) {
		uint64_t v = 0;
		for (size_t j = 0; j < 5; j++) {
			int d = z85_value(text[i + j]);
			if (d < 0)
				return PROTO_EINVAL;
			v = v * 85 + (uint64_t)d;
		}
		if (v > UINT32_MAX)
			return PROTO_EINVAL;
		out[o++] = (uint8_t)(v >> 24);
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	return 0;
}

bool
proto_keys_is_z85_key(const char *text)
{
	uint8_t k[PROTO_KEYS_LEN];
	bool ok = text != NULL && strlen(text) == PROTO_KEYS_Z85_LEN &&
	          proto_keys_z85_decode(text, PROTO_KEYS_Z85_LEN, k, sizeof(k)) == 0;

	sodium_memzero(k, sizeof(k));
	return ok;
}

/* ---- Permissions ---- */

/* The directory part of path ("." when there is none). */
static void
dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(dir, cap, ".");
		return;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= cap)
		n = cap - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
}

/* 0, or PROTO_EPERM with why, for a secret file someone else could read or
 * replace. */
static int
check_perms(const char *what, const char *path, const struct stat *st, char *why,
            size_t why_len)
{
	unsigned mode = (unsigned)st->st_mode & 07777;
	char dir[PATH_MAX];
	struct stat dst;

	if (mode & 044) {
		say(why, why_len, "%s '%s' has mode %04o; it must not be readable by group "
		    "or others (chmod 600)", what, path, mode);
		return PROTO_EPERM;
	}
	if (mode & 077) {
		say(why, why_len, "%s '%s' has mode %04o; group and others must have no "
		    "access to it (chmod 600)", what, path, mode);
		return PROTO_EPERM;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		say(why, why_len, "%s '%s' belongs to uid %u, not to this user (uid %u) "
		    "or root", what, path, (unsigned)st->st_uid, (unsigned)geteuid());
		return PROTO_EPERM;
	}
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &dst) == 0 && (dst.st_mode & S_IWOTH) && !(dst.st_mode & S_ISVTX)) {
		say(why, why_len, "%s '%s' is in directory '%s' that others may write "
		    "(mode %04o; chmod o-w)", what, path, dir, (unsigned)dst.st_mode & 07777);
		return PROTO_EPERM;
	}
	return 0;
}

/*
 * Read the whole file into buf (at most cap bytes). secret: apply the
 * permission rules. On failure buf is wiped.
 */
static int
read_file(const char *what, const char *path, bool secret, unsigned flags, uint8_t *buf,
          size_t cap, size_t *len, char *why, size_t why_len)
{
	struct stat st;
	size_t n = 0;
	int fd, err = 0, perm = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		say(why, why_len, "cannot open %s '%s': %s", what, path, strerror(e));
		return e == ENOENT || e == ENOTDIR ? PROTO_ENOENT :
		       e == EACCES || e == EPERM ? PROTO_EPERM : PROTO_EIO;
	}
	if (fstat(fd, &st) != 0) {
		say(why, why_len, "cannot read %s '%s': %s", what, path, strerror(errno));
		err = PROTO_EIO;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		say(why, why_len, "%s '%s' is not a regular file", what, path);
		err = PROTO_EFORMAT;
		goto fail;
	}
	if (secret && (perm = check_perms(what, path, &st, why, why_len)) != 0 &&
	    !(flags & PROTO_KEYS_INSECURE_OK)) {
		err = perm;
		goto fail;
	}
	/* Read to EOF rather than trusting st_size: the file may change. */
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			say(why, why_len, "cannot read %s '%s': %s", what, path, strerror(errno));
			err = PROTO_EIO;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			uint8_t extra;
			if (read(fd, &extra, 1) == 0)
				break;
			say(why, why_len, "%s '%s' is larger than %zu bytes", what, path, cap);
			err = PROTO_ESPACE;
			goto fail;
		}
	}
	close(fd);
	if (perm == 0 && why != NULL && why_len > 0)
		why[0] = '\0';
	*len = n;
	return 0;
fail:
	close(fd);
	sodium_memzero(buf, cap);
	return err;
}

int
proto_keys_read_secret_file(const char *path, unsigned flags, uint8_t *buf, size_t cap,
                            size_t *len, char *why, size_t why_len)
{
	return read_file("secret file", path, true, flags, buf, cap, len, why, why_len);
}

/* ---- ZPL ---- */

struct zpl_keys {
	char pub[PROTO_KEYS_Z85_LEN + 1];
	char sec[PROTO_KEYS_Z85_LEN + 1];
	bool has_pub, has_sec;
};

static bool
zpl_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("$-_@.&+/", c) != NULL;
}

/*
 * One line (without its newline) of a ZPL file. depth is the level of the
 * previous entry (-1 before the first), top the name of the current
 * level-0 entry. Values of curve/public-key and curve/secret-key go to k.
 */
static int
zpl_line(const char *what, const char *path, unsigned lineno, const char *s, size_t n,
         int *depth, char top[32], struct zpl_keys *k, char *why, size_t why_len)
{
	size_t i = 0, spaces, name_at, name_len, val_at = 0, val_len = 0;
	bool has_val = false;

	while (i < n && s[i] == ' ')
		i++;
	spaces = i;
	if (i < n && s[i] == '\t') {
		say(why, why_len, "%s '%s' line %u: tab in the indentation (ZPL indents with "
		    "4 spaces)", what, path, lineno);
		return PROTO_EFORMAT;
	}
	if (i == n || s[i] == '#')
		return 0;
	if (spaces % 4 != 0 || (int)(spaces / 4) > *depth + 1) {
		say(why, why_len, "%s '%s' line %u: bad indentation (ZPL indents each level "
		    "by 4 spaces)", what, path, lineno);
		return PROTO_EFORMAT;
	}
	name_at = i;
	while (i < n && zpl_name_char(s[i]))
		i++;
	name_len = i - name_at;
	if (name_len == 0) {
		say(why, why_len, "%s '%s' line %u: expected a name", what, path, lineno);
		return PROTO_EFORMAT;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '=') {
		has_val = true;
		i++;
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			char q = s[i++];
			val_at = i;
			while (i < n && s[i] != q)
				i++;
			if (i == n) {
				say(why, why_len, "%s '%s' line %u: unterminated quote", what, path,
				    lineno);
				return PROTO_EFORMAT;
			}
			val_len = i - val_at;
			i++;
		} else {
			val_at = i;
			while (i < n && s[i] != ' ' && s[i] != '#')
				i++;
			val_len = i - val_at;
		}
		while (i < n && s[i] == ' ')
			i++;
	}
	if (i < n && s[i] != '#') {
		say(why, why_len, "%s '%s' line %u: unexpected text after the %s", what, path,
		    lineno, has_val ? "value" : "name");
		return PROTO_EFORMAT;
	}
	*depth = (int)(spaces / 4);
	if (*depth == 0) {
		size_t c = name_len < 31 ? name_len : 31;
		memcpy(top, s + name_at, c);
		top[c] = '\0';
		return 0;
	}
	if (*depth != 1 || strcmp(top, "curve") != 0)
		return 0;
	char *dst;
	bool *seen;
	const char *key;
	if (name_len == 10 && memcmp(s + name_at, "public-key", 10) == 0) {
		dst = k->pub, seen = &k->has_pub, key = "public-key";
	} else if (name_len == 10 && memcmp(s + name_at, "secret-key", 10) == 0) {
		dst = k->sec, seen = &k->has_sec, key = "secret-key";
	} else {
		return 0;
	}
	if (*seen) {
		say(why, why_len, "%s '%s' line %u: curve/%s given twice", what, path, lineno,
		    key);
		return PROTO_EFORMAT;
	}
	if (val_len != PROTO_KEYS_Z85_LEN) {
		say(why, why_len, "%s '%s' line %u: curve/%s is not 40 Z85 characters", what,
		    path, lineno, key);
		return PROTO_EFORMAT;
	}
	memcpy(dst, s + val_at, val_len);
	dst[val_len] = '\0';
	if (!proto_keys_is_z85_key(dst)) {
		say(why, why_len, "%s '%s' line %u: curve/%s is not a Z85 key", what, path,
		    lineno, key);
		return PROTO_EFORMAT;
	}
	*seen = true;
	return 0;
}

static int
zpl_parse(const char *what, const char *path, const char *text, size_t n,
          struct zpl_keys *k, char *why, size_t why_len)
{
	char top[32] = "";
	unsigned lineno = 0;
	int depth = -1, err;
	size_t at = 0;

	memset(k, 0, sizeof(*k));
	if (memchr(text, '\0', n) != NULL) {
		say(why, why_len, "%s '%s' is not a ZPL certificate (binary data)", what, path);
		return PROTO_EFORMAT;
	}
	while (at < n) {
		const char *nl = memchr(text + at, '\n', n - at);
		size_t len = nl != NULL ? (size_t)(nl - (text + at)) : n - at;
		size_t use = len > 0 && text[at + len - 1] == '\r' ? len - 1 : len;
		lineno++;
		err = zpl_line(what, path, lineno, text + at, use, &depth, top, k, why, why_len);
		if (err != 0)
			return err;
		at += len + (nl != NULL);
	}
	if (!k->has_pub) {
		say(why, why_len, "%s '%s' has no curve/public-key", what, path);
		return PROTO_EFORMAT;
	}
	return 0;
}

/* ---- Key files ---- */

int
proto_keys_load_secret(const char *path, unsigned flags, uint8_t pub[PROTO_KEYS_LEN],
                       uint8_t sec[PROTO_KEYS_LEN], char *why, size_t why_len)
{
	uint8_t text[KEYFILE_MAX], derived[PROTO_KEYS_LEN];
	struct zpl_keys k;
	size_t n = 0;
	int err;

	memset(&k, 0, sizeof(k));
	if (sodium_init() < 0) {
		say(why, why_len, "libsodium cannot initialise");
		return PROTO_EIO;
	}
	err = read_file("key file", path, true, flags, text, sizeof(text), &n, why, why_len);
	if (err != 0)
		goto done;
	/* why may hold a PROTO_KEYS_INSECURE_OK warning; the parser writes it
	 * only on failure. */
	if ((err = zpl_parse("key file", path, (const char *)text, n, &k, why, why_len)) != 0)
		goto done;
	if (!k.has_sec) {
		say(why, why_len, "key file '%s' has no curve/secret-key (is it a .pub file?)",
		    path);
		err = PROTO_EFORMAT;
		goto done;
	}
	if (proto_keys_z85_decode(k.pub, PROTO_KEYS_Z85_LEN, pub, PROTO_KEYS_LEN) != 0 ||
	    proto_keys_z85_decode(k.sec, PROTO_KEYS_Z85_LEN, sec, PROTO_KEYS_LEN) != 0) {
		say(why, why_len, "key file '%s' has a bad key", path);
		err = PROTO_EFORMAT;
		goto done;
	}
	if (crypto_scalarmult_base(derived, sec) != 0 ||
	    sodium_memcmp(derived, pub, PROTO_KEYS_LEN) != 0) {
		say(why, why_len, "key file '%s': secret-key does not belong to public-key",
		    path);
		err = PROTO_EFORMAT;
		goto done;
	}
done:
	if (err != 0)
		sodium_memzero(sec, PROTO_KEYS_LEN);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(derived, sizeof(derived));
	return err;
}

int
proto_keys_load_public(const char *text_or_path, uint8_t pub[PROTO_KEYS_LEN], char *why,
                       size_t why_len)
{
	uint8_t text[KEYFILE_MAX];
	struct zpl_keys k;
	size_t n = 0;
	int err;

	if (text_or_path == NULL || text_or_path[0] == '\0') {
		say(why, why_len, "empty public key");
		return PROTO_EINVAL;
	}
	/* '/' and '.' are Z85 characters, so a 40-character path such as
	 * /tmp/pdns-abuse-q4jcthnu/keys/sensor.pub is also a valid key: an
	 * existing .pub or .key file wins. */
	if (strlen(text_or_path) == PROTO_KEYS_Z85_LEN && proto_keys_is_z85_key(text_or_path) &&
	    !proto_keys_is_key_path(text_or_path))
		return proto_keys_z85_decode(text_or_path, PROTO_KEYS_Z85_LEN, pub,
		                             PROTO_KEYS_LEN);
	err = read_file("public key file", text_or_path, false, 0, text, sizeof(text), &n,
	                why, why_len);
	if (err == 0)
		err = zpl_parse("public key file", text_or_path, (const char *)text, n, &k, why,
		                why_len);
	if (err == 0)
		err = proto_keys_z85_decode(k.pub, PROTO_KEYS_Z85_LEN, pub, PROTO_KEYS_LEN);
	/* A .key file holds the secret too. */
	sodium_memzero(text, sizeof(text));
	sodium_memzero(&k, sizeof(k));
	return err;
}

bool
proto_keys_is_key_path(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && (strcmp(path + n - 4, ".pub") == 0 || strcmp(path + n - 4, ".key") == 0) &&
	       access(path, F_OK) == 0;
}

/* ---- Generation ---- */

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Create path with O_EXCL and exactly mode (whatever the umask). */
static int
create_excl(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	              mode);

	if (fd >= 0 && fchmod(fd, mode) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	return fd;
}

/* Write, sync and close; -1 with errno on failure (fd closed either way). */
static int
finish(int fd, const char *s, size_t n)
{
	int e = 0;

	if (write_all(fd, s, n) != 0 || fsync(fd) != 0)
		e = errno ? errno : EIO;
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

int
proto_keys_generate(const char *prefix, char pub_z85[PROTO_KEYS_Z85_LEN + 1], char *why,
                    size_t why_len)
{
	char key_path[PATH_MAX], pub_path[PATH_MAX], stamp[32];
	char sec_z85[PROTO_KEYS_Z85_LEN + 1], key_text[1024], pub_text[1024];
	uint8_t pub[PROTO_KEYS_LEN], sec[PROTO_KEYS_LEN];
	int kfd = -1, pfd = -1, err = 0, e;
	bool made_key = false, made_pub = false;
	time_t now = time(NULL);
	struct tm tm;

	if (prefix == NULL || prefix[0] == '\0') {
		say(why, why_len, "empty key file prefix");
		return PROTO_EINVAL;
	}
	if ((size_t)snprintf(key_path, sizeof(key_path), "%s.key", prefix) >= sizeof(key_path) ||
	    (size_t)snprintf(pub_path, sizeof(pub_path), "%s.pub", prefix) >= sizeof(pub_path)) {
		say(why, why_len, "key file prefix is too long for a path");
		return PROTO_EINVAL;
	}
	if (sodium_init() < 0) {
		say(why, why_len, "libsodium cannot initialise");
		return PROTO_EIO;
	}
	crypto_box_keypair(pub, sec);
	proto_keys_z85_encode(pub, sizeof(pub), pub_z85, PROTO_KEYS_Z85_LEN + 1);
	proto_keys_z85_encode(sec, sizeof(sec), sec_z85, sizeof(sec_z85));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", &tm);
	/* The layout czmq's zcert_save_secret/zcert_save_public write. */
	snprintf(key_text, sizeof(key_text),
	         "#   ****  Generated on %s by pdns keygen  ****\n"
	         "#   ZeroMQ CURVE **Secret** Certificate\n"
	         "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
	         "\n"
	         "metadata\n"
	         "curve\n"
	         "    public-key = \"%s\"\n"
	         "    secret-key = \"%s\"\n", stamp, pub_z85, sec_z85);
	snprintf(pub_text, sizeof(pub_text),
	         "#   ****  Generated on %s by pdns keygen  ****\n"
	         "#   ZeroMQ CURVE Public Certificate\n"
	         "#   Exchange securely, or use a secure mechanism to verify the contents\n"
	         "#   of this file after exchange.\n"
	         "\n"
	         "metadata\n"
	         "curve\n"
	         "    public-key = \"%s\"\n", stamp, pub_z85);

	if ((kfd = create_excl(key_path, 0600)) < 0) {
		e = errno;
		say(why, why_len, "cannot create '%s': %s", key_path, strerror(e));
		goto fail;
	}
	made_key = true;
	if ((pfd = create_excl(pub_path, 0644)) < 0) {
		e = errno;
		say(why, why_len, "cannot create '%s': %s", pub_path, strerror(e));
		goto fail;
	}
	made_pub = true;
	e = 0;
	if (finish(kfd, key_text, strlen(key_text)) != 0) {
		e = errno;
		say(why, why_len, "cannot write '%s': %s", key_path, strerror(e));
	}
	kfd = -1;
	if (finish(pfd, pub_text, strlen(pub_text)) != 0 && e == 0) {
		e = errno;
		say(why, why_len, "cannot write '%s': %s", pub_path, strerror(e));
	}
	pfd = -1;
	if (e != 0)
		goto fail;
	goto done;
fail:
	err = PROTO_EIO;
	if (kfd >= 0)
		close(kfd);
	if (pfd >= 0)
		close(pfd);
	/* Only what this call created with O_EXCL is removed. */
	if (made_key)
		unlink(key_path);
	if (made_pub)
		unlink(pub_path);
	pub_z85[0] = '\0';
	errno = e;
done:
	sodium_memzero(sec, sizeof(sec));
	sodium_memzero(sec_z85, sizeof(sec_z85));
	sodium_memzero(key_text, sizeof(key_text));
	return err;
}
