/* metrics.h: GET /metrics in the Prometheus text format. */
#ifndef VX_METRICS_H
#define VX_METRICS_H

#include <stddef.h>

/* Count one answered HTTP request by status code (for /metrics). */
void	 metrics_http(unsigned int status);
/* The whole exposition as a new NUL-terminated string; *len its length. */
char	*metrics_text(size_t *len);

#endif
