/*
 * proto_keys.h - CURVE key files and other secret files.
 *
 * Every program (pdns-sensor, pdns-node, pdns) authenticates with a CURVE
 * key pair kept in czmq's ZPL certificate format (ZeroMQ RFC 4):
 *
 *     PREFIX.key (mode 0600)            PREFIX.pub (mode 0644)
 *     metadata                          metadata
 *     curve                             curve
 *         public-key = "<40 Z85>"           public-key = "<40 Z85>"
 *         secret-key = "<40 Z85>"
 *
 * czmq's zcert_load() reads both files, and this module reads files written
 * by zcert_save_secret()/zcert_save_public(). The ZPL subset is read by our
 * own strict parser (comments, blank lines, 4-space indentation, quoted or
 * bare values): zcert_load() would first try "PATH_secret", accepts any
 * indentation and cannot tell us which line is wrong. Keys are made with
 * libsodium's crypto_box_keypair (Curve25519, what CURVE uses); Z85 is our
 * own codec, identical to zmq_z85_encode() but strict on decoding.
 *
 * Secret files (key files, pseudonym secrets, later HTTP and provider API
 * keys) are refused when group or others have any access to them, when they
 * belong to another user (but root), or when they sit in a directory anyone
 * may write without the sticky bit.
 *
 * Nothing here prints or logs; `why` texts name files and modes, never key
 * material. Secret bytes read through a temporary buffer are wiped.
 * Thread-safe (no global state but libsodium's idempotent initialisation).
 * Errors: 0 or a negative PROTO_E* code; `why` (may be NULL) gets one line.
 */
#ifndef PROTO_KEYS_H
#define PROTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_KEYS_LEN 32     /* bytes in a CURVE public or secret key */
#define PROTO_KEYS_Z85_LEN 40 /* Z85 characters for one key, without NUL */

/* Flags for the loaders. */
enum {
	/* Permission problems (mode, owner, directory) do not fail: the load
	 * succeeds and `why` holds the problem, for a warning. */
	PROTO_KEYS_INSECURE_OK = 1u << 0,
};

/*
 * Z85 (ZeroMQ RFC 32) of n bytes (n a multiple of 4) into out, NUL
 * terminated; out_cap must hold n / 4 * 5 + 1. PROTO_EINVAL for a bad n,
 * PROTO_ESPACE when out is too small.
 */
int proto_keys_z85_encode(const uint8_t *data, size_t n, char *out, size_t out_cap);
/*
 * Decode len Z85 characters (len a multiple of 5) into len / 5 * 4 bytes of
 * out. PROTO_EINVAL for a character outside the alphabet or a group above
 * 2^32 - 1 (zmq_z85_decode wraps those silently), PROTO_ESPACE when out_cap
 * is too small.
 */
int proto_keys_z85_decode(const char *text, size_t len, uint8_t *out, size_t out_cap);
/* Whether text is exactly 40 Z85 characters that decode to a key. */
bool proto_keys_is_z85_key(const char *text);

/*
 * Make a key pair and write PREFIX.key (ZPL, public and secret key, mode
 * 0600 whatever the umask) and PREFIX.pub (public key only, mode 0644). Both
 * are created with O_EXCL: when either exists nothing is written or changed
 * (PROTO_EIO, errno EEXIST). On any failure the files this call created are
 * removed. pub_z85 gets the public key in Z85 (41 bytes with the NUL).
 * PROTO_EINVAL for an empty prefix or one too long for a path.
 */
int proto_keys_generate(const char *prefix, char pub_z85[PROTO_KEYS_Z85_LEN + 1],
                        char *why, size_t why_len);

/*
 * Read a secret key file: the public and secret keys (the secret must
 * produce the public key). Refused with PROTO_EPERM, and a why such as
 * "key file 'PATH' has mode 0644; it must not be readable by group or
 * others (chmod 600)", when group or others have any access, when another
 * user (but root) owns it, or its directory is writable by others without
 * the sticky bit; flags may relax that (PROTO_KEYS_INSECURE_OK).
 * PROTO_ENOENT when missing, PROTO_EFORMAT with the line for bad ZPL or a
 * missing secret-key, PROTO_EIO for read errors. sec is wiped on failure.
 */
int proto_keys_load_secret(const char *path, unsigned flags, uint8_t pub[PROTO_KEYS_LEN],
                           uint8_t sec[PROTO_KEYS_LEN], char *why, size_t why_len);

/*
 * A public key from text: exactly 40 Z85 characters are the key itself;
 * anything else is the path of a .pub or .key file (its public-key; the
 * secret-key of a .key file is neither kept nor checked). A path that is
 * itself 40 Z85 characters must be written differently (./PATH).
 */
/* Does path name an existing .pub or .key file? (Such a path can also be
 * valid Z85 text; callers taking "Z85 or a path" try the file first.) */
bool proto_keys_is_key_path(const char *path);

int proto_keys_load_public(const char *text_or_path, uint8_t pub[PROTO_KEYS_LEN],
                           char *why, size_t why_len);

/*
 * Read a whole secret file (a pseudonym key, an API key...) into buf of
 * cap bytes, with the permission rules of proto_keys_load_secret (named
 * "secret file" in why). *len gets the size. PROTO_ESPACE when the file is
 * larger than cap; buf is wiped on failure.
 */
int proto_keys_read_secret_file(const char *path, unsigned flags, uint8_t *buf, size_t cap,
                                size_t *len, char *why, size_t why_len);

#endif
