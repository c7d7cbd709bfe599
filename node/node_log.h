/*
 * node_log.h - pdns-node's log: one line per event on standard error.
 *
 * Every line is "pdns-node: " and the message; each call writes one whole
 * line under the stdio lock, so threads (the ZAP handler, the main loop)
 * never interleave inside a line. Secrets are never passed here.
 */
#ifndef NODE_LOG_H
#define NODE_LOG_H

void node_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
