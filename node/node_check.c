/* node_check.c - pdns-node --check-config: the config and the files it
 * names, the providers file and its secrets included. */
#include "node/node_check.h"

#include <stdio.h>

#include "cli/pdns_conf.h"
#include "node/node_config.h"

int
node_check_config_main(const char *path)
{
	struct node_config *cfg = NULL;
	int err = node_config_parse(path, 0, &cfg, node_config_print_error, stderr);

	if (err == 0 && cfg->providers != NULL) {
		/* Read as the node would at start: an open secrets file fails. */
		struct pdns_conf pc;
		char why[512] = "";
		if ((err = pdns_conf_load(&pc, cfg->providers, why, sizeof(why))) == 0)
			pdns_conf_free(&pc);
		else
			fprintf(stderr, "%s: providers: %s\n", path, why);
	}
	node_config_free(&cfg);
	return err == 0 ? 0 : NODE_CONFIG_EXIT;
}
