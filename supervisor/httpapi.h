/* httpapi.h: what the master answers to HTTP requests (SPEC section 9). */
#ifndef VX_HTTPAPI_H
#define VX_HTTPAPI_H

#include "lsnproto.h"

struct workerconf;

/* Take the settings that matter here (METRICS_OPEN) from worker.conf. */
void	httpapi_configure(const struct workerconf *);
/* Judge and answer one request from listener generation gen. */
void	httpapi_request(unsigned long gen, const struct lsn_request *);

#endif
