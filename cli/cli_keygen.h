/*
 * cli_keygen.h - `pdns keygen PREFIX`: make a CURVE key pair.
 *
 * Writes PREFIX.key (secret, mode 0600) and PREFIX.pub (mode 0644) in
 * czmq's ZPL certificate format (proto/proto_keys.h), never overwriting
 * either, and prints the Z85 public key on standard output. Errors are one
 * line on standard error. Single-threaded.
 */
#ifndef CLI_KEYGEN_H
#define CLI_KEYGEN_H

/*
 * argv[0] is "keygen". Returns the exit status: 0, 64 (usage), 73 (cannot
 * create a file: it exists, no such directory, permission), 74 (cannot
 * write standard output).
 */
int cli_keygen_main(int argc, char **argv);

#endif
