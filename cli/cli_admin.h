/*
 * cli_admin.h - `pdns status`, `pdns peers`, `pdns purge`: administration.
 *
 * With --node ENDPOINT (the node's `control` socket), --node-key PUB and
 * --key FILE (a [client] with control = yes) the request goes to the
 * running node, which is its store's only writer. `pdns purge --origin PEER
 * --store DIR` opens the store directly, and only when no node holds it.
 * The report goes to standard output; errors are one line on standard
 * error. Exit codes: 0, 64 usage, 66 no such origin, 69 node unreachable or
 * store held by a running node, 74 store error, 77 key file permissions
 * or our key refused.
 */
#ifndef CLI_ADMIN_H
#define CLI_ADMIN_H

#include <stdbool.h>

/* Is argv[1] an administrative command? */
bool cli_admin_is_command(const char *word);
/* argv[0] is the command. Returns the exit status. */
int cli_admin_main(int argc, char **argv);

#endif
