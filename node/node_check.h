/*
 * node_check.h - pdns-node --check-config, as unbound-checkconf.
 *
 * node_check_config_main() parses the config the way the node does at
 * startup (every file it names is read and checked, secret files' modes
 * included) and prints nothing when it is valid; otherwise one line per
 * error on stderr, "FILE:LINE: key 'NAME': reason". Single-threaded.
 */
#ifndef NODE_CHECK_H
#define NODE_CHECK_H

/* 0 for a valid file, NODE_CONFIG_EXIT (78) otherwise, the exit status. */
int node_check_config_main(const char *path);

#endif
