/* nodestats.h: the node's figures the dashboard asks for in POST /sync. */
#ifndef VX_NODESTATS_H
#define VX_NODESTATS_H

#include <stddef.h>

#include <jansson.h>

struct tenant_counts {
	size_t	total, running, stopped, error;
};

/* Count the master's tenants by SPEC status. */
void	 nodestats_count(struct tenant_counts *);
/*
 * {"uptime_s", "load": [1, 5, 15], "memory": {"total_bytes",
 * "available_bytes"}, "tenants": {...}, "master": {...}}
 */
json_t	*nodestats_json(void);
/* The master's resident set in bytes, or -1. */
long long nodestats_master_rss(void);

#endif
