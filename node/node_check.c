/* node_check.c - pdns-node --check-config. */
#include "node/node_check.h"

#include <stdio.h>

#include "node/node_config.h"

int
node_check_config_main(const char *path)
{
	struct node_config *cfg = NULL;
	int err = node_config_parse(path, 0, &cfg, node_config_print_error, stderr);

	node_config_free(&cfg);
	return err == 0 ? 0 : NODE_CONFIG_EXIT;
}
