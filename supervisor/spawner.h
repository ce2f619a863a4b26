/* spawner.h: a small helper process that forks workers for the master. */
#ifndef VX_SPAWNER_H
#define VX_SPAWNER_H

#include <sys/types.h>

#include "err.h"

/*
 * Fork the spawner while the master still has few descriptors.  Every
 * worker it forks is made a child of the master (CLONE_PARENT), so the
 * master reaps it as usual; but the fork copies the spawner's tiny fd table
 * instead of the master's thousands of pipes.
 */
int	spawner_start(struct vx_err *);
/*
 * Start path with argv/envp and fds[4] as its stdout, stderr, notify and
 * status descriptors (stdin /dev/null), in a new session, and, if cgfd is
 * not -1, in the cgroup whose directory cgfd is.  Returns the pid; -1 with
 * *error set when the fork failed; -2 when the spawner cannot take the
 * request (gone, or the request too large): use posix_spawn instead; -3
 * when it took the request and died before replying: *lost is then the
 * master's child it cloned for it (unreaped), or 0 if it made none, and
 * the fds must not be used for another start.
 */
pid_t	spawner_spawn(const char *path, char *const argv[], char *const envp[],
	    const int fds[4], int cgfd, int *error, pid_t *lost);
/* The spawner's own pid, 0 if none. */
pid_t	spawner_pid(void);
/* The spawner exited: stop using it. */
void	spawner_lost(void);

#endif
