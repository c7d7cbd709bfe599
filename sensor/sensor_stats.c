/* sensor_stats.c - counter names and the end-of-run line. */
#include "sensor/sensor_stats.h"

static const char *const names[] = {
#define SENSOR_STAT_NAME(name, doc) #name,
	SENSOR_STATS(SENSOR_STAT_NAME)
#undef SENSOR_STAT_NAME
};

const char *
sensor_stats_name(int i)
{
	return (i >= 0 && i < SENSOR_ST_COUNT_) ? names[i] : "?";
}

void
sensor_stats_print(const struct sensor_stats *st, const char *prog,
                   uint64_t observations, FILE *f)
{
	fprintf(f, "%s: stats:", prog);
	for (int i = 0; i < SENSOR_ST_COUNT_; i++) {
		fprintf(f, " %s=%llu", names[i], (unsigned long long)st->v[i]);
		if (i == SENSOR_ST_records)
			fprintf(f, " observations=%llu",
			        (unsigned long long)observations);
	}
	fputc('\n', f);
}
