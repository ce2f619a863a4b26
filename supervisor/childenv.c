/*
 * childenv.c: the allow-list of environment variables the master passes
 * on to the programs it starts for itself (vectis-sync --check) and the
 * CLI to a background master.  Whatever else the operator's shell held,
 * VECTIS_TOKEN above all (SPEC 9: never written anywhere), stays behind.
 * Workers get an environment built from their spec (spawn.c) and the
 * network-facing listener an empty one (httpd.c).
 */
#include <string.h>

#include "childenv.h"

extern char **environ;

static const char *const childenv_names[] = {
	/* Where things are (paths.c) and which binaries to run. */
	"PATH", "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
	"VECTIS_HOME", "VECTIS_SHIM", "VECTIS_LISTENER", "VECTIS_SYNC",
	/* vectis-sync --check: its settings, and libcurl's. */
	"VECTIS_PUBLIC_IP", "VECTIS_IP_DETECT_URL",
	"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
	"no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
	"CURL_CA_BUNDLE",
	/* The same libraries as ours, and the sanitizers' settings. */
	"TZ", "LD_LIBRARY_PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS",
	"LSAN_OPTIONS",
	NULL
};

static int
childenv_allowed(const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t i, len;

	if (eq == NULL)
		return 0;
	len = (size_t)(eq - entry);
	for (i = 0; childenv_names[i] != NULL; i++)
		if (strlen(childenv_names[i]) == len &&
		    memcmp(childenv_names[i], entry, len) == 0)
			return 1;
	return 0;
}

/* See childenv.h. */
void
childenv_build(char **out)
{
	size_t i, n = 0;

	for (i = 0; environ != NULL && environ[i] != NULL; i++) {
		if (n == CHILDENV_MAX - 1)
			break;
		if (childenv_allowed(environ[i]))
			out[n++] = environ[i];
	}
	out[n] = NULL;
}
