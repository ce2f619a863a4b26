/* paths.c: resolve VECTIS_HOME or the root/XDG layout of SPEC section 3. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "paths.h"

static int
paths_fmt(char *dst, const char *dir, const char *file, struct vx_err *err)
{
	int n;

	n = snprintf(dst, PATH_MAX, "%s/%s", dir, file);
	if (n < 0 || n >= PATH_MAX) {
		vx_err_set(err, VX_EXIT_USAGE, "%s/%s: path too long", dir,
		    file);
		return -1;
	}
	return 0;
}

static int
paths_xdg(char *dst, const char *var, const char *fallback,
    struct vx_err *err)
{
	const char *v, *home;
	char base[PATH_MAX];
	int n;

	v = getenv(var);
	if (v != NULL && v[0] == '/')
		return paths_fmt(dst, v, "vectis", err);
	if (strcmp(var, "XDG_RUNTIME_DIR") == 0) {
		/* No runtime dir (cron, su): a private per-uid place. */
		n = snprintf(dst, PATH_MAX, "/tmp/vectis-%u", (unsigned)getuid());
		return n < 0 || n >= PATH_MAX ? -1 : 0;
	}
	if ((home = getenv("HOME")) == NULL || home[0] != '/') {
		vx_err_set(err, VX_EXIT_USAGE,
		    "neither $%s nor $HOME is set; use --home DIR", var);
		return -1;
	}
	n = snprintf(base, sizeof(base), "%s/%s", home, fallback);
	if (n < 0 || (size_t)n >= sizeof(base)) {
		vx_err_set(err, VX_EXIT_USAGE, "$HOME too long");
		return -1;
	}
	return paths_fmt(dst, base, "vectis", err);
}

static int
paths_dirs(struct vx_paths *p, const char *home, struct vx_err *err)
{
	char cwd[PATH_MAX];
	int n;

	if (home != NULL && home[0] != '\0') {
		if (home[0] == '/')
			n = snprintf(p->home, sizeof(p->home), "%s", home);
		else {
			if (getcwd(cwd, sizeof(cwd)) == NULL) {
				vx_err_set(err, VX_EXIT_FAIL,
				    "unable to get current directory: %s",
				    strerror(errno));
				return -1;
			}
			n = snprintf(p->home, sizeof(p->home), "%s/%s", cwd,
			    home);
		}
		if (n < 0 || (size_t)n >= sizeof(p->home)) {
			vx_err_set(err, VX_EXIT_USAGE, "home path too long");
			return -1;
		}
		/* Tests and bench rely on a short unix socket path. */
		strcpy(p->conf_dir, p->home);
		strcpy(p->state_dir, p->home);
		strcpy(p->run_dir, p->home);
		return 0;
	}
	p->home[0] = '\0';
	if (geteuid() == 0) {
		strcpy(p->conf_dir, "/etc/vectis");
		strcpy(p->state_dir, "/var/lib/vectis");
		strcpy(p->run_dir, "/run/vectis");
		return 0;
	}
	if (paths_xdg(p->conf_dir, "XDG_CONFIG_HOME", ".config", err) == -1 ||
	    paths_xdg(p->state_dir, "XDG_STATE_HOME", ".local/state", err) ==
	    -1 || paths_xdg(p->run_dir, "XDG_RUNTIME_DIR", "", err) == -1)
		return -1;
	return 0;
}

/* Every program resolves its files here, so they agree on one layout. */
int
paths_init(struct vx_paths *p, const char *home, struct vx_err *err)
{
	if (home == NULL)
		home = getenv("VECTIS_HOME");
	if (paths_dirs(p, home, err) == -1)
		return -1;
	if (paths_fmt(p->supervisor_conf, p->conf_dir, "supervisor.conf",
	    err) == -1 ||
	    paths_fmt(p->worker_conf, p->conf_dir, "worker.conf", err) == -1 ||
	    paths_fmt(p->worker_secret, p->conf_dir, "worker.secret", err) ==
	    -1 ||
	    paths_fmt(p->db, p->state_dir, "vectis.db", err) == -1 ||
	    paths_fmt(p->logs_dir, p->state_dir, "logs", err) == -1 ||
	    paths_fmt(p->control_sock, p->run_dir, "control.sock", err) == -1 ||
	    paths_fmt(p->lock, p->state_dir, "master.lock", err) == -1)
		return -1;
	if (strlen(p->control_sock) >= 108) {
		vx_err_set(err, VX_EXIT_USAGE,
		    "%s: path too long for a unix socket", p->control_sock);
		return -1;
	}
	return 0;
}

/*
 * The runtime directory holds the control socket, so whoever may write in
 * it may put a socket of theirs in its place and read every request sent
 * to it.  /tmp/vectis-UID is anyone's to create before us: it must be a
 * directory (not a symbolic link) that we own and that nobody else may
 * write to.  Read and search bits stay allowed, since CONTROL_GROUP and
 * CONTROL_READ=all open the directory to 0750 and 0751.
 */
static int
paths_check_run_dir(const char *dir, struct vx_err *err)
{
	const char *hint = "; remove it, or set XDG_RUNTIME_DIR or VECTIS_HOME";
	struct stat st;

	if (lstat(dir, &st) == -1) {
		vx_err_set(err, VX_EXIT_FAIL,
		    "unable to check directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		vx_err_set(err, VX_EXIT_FAIL, "runtime directory %s is a "
		    "symbolic link, refusing to use it%s", dir, hint);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		vx_err_set(err, VX_EXIT_FAIL, "runtime directory %s is not a "
		    "directory%s", dir, hint);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		vx_err_set(err, VX_EXIT_FAIL, "runtime directory %s is owned "
		    "by uid %u, not by uid %u, refusing to use it%s", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid(), hint);
		return -1;
	}
	if ((st.st_mode & 022) != 0) {
		vx_err_set(err, VX_EXIT_FAIL, "runtime directory %s has mode "
		    "%04o: others may write to it, refusing to use it; "
		    "chmod 700 %s", dir, (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/*
 * The master creates its directories before it opens anything in them.
 * A runtime directory we did not name (--home, VECTIS_HOME) is checked.
 */
int
paths_make_dirs(const struct vx_paths *p, struct vx_err *err)
{
	const char *dirs[] = { p->conf_dir, p->state_dir, p->run_dir,
	    p->logs_dir };
	mode_t mode;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		/* A user's runtime directory is private (SPEC 3). */
		mode = dirs[i] == p->run_dir && p->home[0] == '\0' &&
		    geteuid() != 0 ? 0700 : 0750;
		if (fd_mkdirs(dirs[i], mode) == -1) {
			vx_err_set(err, VX_EXIT_FAIL,
			    "unable to create directory %s: %s", dirs[i],
			    strerror(errno));
			return -1;
		}
	}
	if (p->home[0] == '\0' && paths_check_run_dir(p->run_dir, err) == -1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
