/* proto_err.c - descriptions of the project's error codes. */
#include "proto/proto_err.h"

const char *
proto_strerror(int err)
{
	switch (err) {
	case PROTO_OK: return "success";
	case PROTO_EINVAL: return "invalid argument";
	case PROTO_ENOMEM: return "out of memory";
	case PROTO_ESPACE: return "result too long";
	case PROTO_ETRUNC: return "truncated";
	case PROTO_EPTR: return "bad compression pointer";
	case PROTO_ELABEL: return "bad label";
	case PROTO_ENAMELEN: return "name too long";
	case PROTO_ERDATA: return "rdata inconsistent with its type";
	case PROTO_EIO: return "input/output error";
	case PROTO_ENOTSUP: return "not supported";
	case PROTO_EFORMAT: return "unrecognised format";
	case PROTO_ENOENT: return "not found";
	case PROTO_EPERM: return "permission denied";
	case PROTO_EBUSY: return "in use by another process";
	}
	return "unknown error";
}
