/*
 * proto_err.h - the project's one error convention.
 *
 * Fallible functions return 0 or a negative PROTO_E* code; data never shares
 * the return value. proto_strerror() gives a short lowercase reason that fits
 * in a one-line message ("what, where, why"). Thread-safe, no allocation.
 */
#ifndef PROTO_ERR_H
#define PROTO_ERR_H

enum proto_err {
	PROTO_OK = 0,
	PROTO_EINVAL = -1,    /* bad argument or unparsable text */
	PROTO_ENOMEM = -2,    /* allocation failed */
	PROTO_ESPACE = -3,    /* output would exceed its bound */
	PROTO_ETRUNC = -4,    /* input ends before a declared length or count */
	PROTO_EPTR = -5,      /* compression pointer loops or points forward */
	PROTO_ELABEL = -6,    /* label longer than 63 or of a reserved type */
	PROTO_ENAMELEN = -7,  /* name longer than 255 octets */
	PROTO_ERDATA = -8,    /* rdata inconsistent with its type */
	PROTO_EIO = -9,       /* read or write failed (errno has more) */
	PROTO_ENOTSUP = -10,  /* valid but not supported */
	PROTO_EFORMAT = -11,  /* not a file of the expected format */
	PROTO_ENOENT = -12,   /* no such file, interface or record */
	PROTO_EPERM = -13,    /* permission denied */
	PROTO_EBUSY = -14,    /* held by another process */
	PROTO_ERR_MIN_ = -14
};

/* Short description of a PROTO_E* code; never NULL. */
const char *proto_strerror(int err);

#endif
