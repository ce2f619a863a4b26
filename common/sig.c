/* sig.c: signal names and numbers, for specs and for last_error text. */
#include <signal.h>
#include <stddef.h>
#include <strings.h>

#include "sig.h"

static const struct {
	const char	*name;		/* canonical, with "SIG" */
	int		 number;
} sig_table[] = {
	{ "SIGHUP",	SIGHUP },
	{ "SIGINT",	SIGINT },
	{ "SIGQUIT",	SIGQUIT },
	{ "SIGILL",	SIGILL },
	{ "SIGTRAP",	SIGTRAP },
	{ "SIGABRT",	SIGABRT },
	{ "SIGBUS",	SIGBUS },
	{ "SIGFPE",	SIGFPE },
	{ "SIGKILL",	SIGKILL },
	{ "SIGUSR1",	SIGUSR1 },
	{ "SIGSEGV",	SIGSEGV },
	{ "SIGUSR2",	SIGUSR2 },
	{ "SIGPIPE",	SIGPIPE },
	{ "SIGALRM",	SIGALRM },
	{ "SIGTERM",	SIGTERM },
#ifdef SIGSTKFLT
	{ "SIGSTKFLT",	SIGSTKFLT },
#endif
	{ "SIGCHLD",	SIGCHLD },
	{ "SIGCONT",	SIGCONT },
	{ "SIGSTOP",	SIGSTOP },
	{ "SIGTSTP",	SIGTSTP },
	{ "SIGTTIN",	SIGTTIN },
	{ "SIGTTOU",	SIGTTOU },
	{ "SIGURG",	SIGURG },
	{ "SIGXCPU",	SIGXCPU },
	{ "SIGXFSZ",	SIGXFSZ },
	{ "SIGVTALRM",	SIGVTALRM },
	{ "SIGPROF",	SIGPROF },
	{ "SIGWINCH",	SIGWINCH },
#ifdef SIGIO
	{ "SIGIO",	SIGIO },
#endif
#ifdef SIGPWR
	{ "SIGPWR",	SIGPWR },
#endif
	{ "SIGSYS",	SIGSYS },
};

#define SIG_COUNT (sizeof(sig_table) / sizeof(sig_table[0]))

/* Specs name signals, so "SIGTERM", "TERM" and "sigterm" all mean 15. */
int
sig_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < SIG_COUNT; i++) {
		if (strcasecmp(name, sig_table[i].name + 3) == 0)
			return sig_table[i].number;
	}
	return -1;
}

/* The canonical "SIGTERM" spelling, for export and for last_error. */
const char *
sig_name(int number)
{
	size_t i;

	for (i = 0; i < SIG_COUNT; i++) {
		if (sig_table[i].number == number)
			return sig_table[i].name;
	}
	return "SIG?";
}
