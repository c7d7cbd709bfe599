/*
 * sensor_file.h - capture files: classic pcap and pcapng.
 *
 * A reader of its own rather than libpcap's, because pcapng files may mix
 * link types and timestamp resolutions across interfaces (libpcap refuses
 * the first), and because a truncated file must still yield what was read
 * before the error. Classic pcap: micro- and nanosecond magics, both byte
 * orders. pcapng: several sections and interfaces, if_tsresol (10^-n and
 * 2^-n) and if_tsoffset, enhanced, simple and obsolete packet blocks.
 * Every length is checked before use; records are bounded in size.
 */
#ifndef SENSOR_FILE_H
#define SENSOR_FILE_H

#include <stddef.h>
#include <stdint.h>

/* One frame. Return 0 to go on, a negative PROTO_E* to stop reading. */
typedef int (*sensor_file_fn)(void *arg, int linktype, const uint8_t *data,
                              size_t caplen, size_t wirelen, int64_t ts_sec,
                              uint32_t ts_nsec);

/*
 * Read every frame of the capture at path ("-" is standard input) in file
 * order. Returns 0, or: PROTO_ENOENT / PROTO_EPERM / PROTO_EIO when the file
 * cannot be opened or read, PROTO_EFORMAT when it is not a capture,
 * PROTO_ENOTSUP for a link type the sensor does not decode, PROTO_ETRUNC
 * when it ends inside a record (frames before that were delivered), or the
 * callback's error. `why` receives a one-line explanation on error.
 */
int sensor_file_read(const char *path, sensor_file_fn fn, void *arg, char *why,
                     size_t whylen);

#endif
