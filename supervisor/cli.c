/*
 * cli.c: the operator CLI.  Each command is one request on the control
 * socket; the reply is printed and mapped to the exit codes of SPEC 6.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "childenv.h"
#include "cli.h"
#include "ctlclient.h"
#include "ctlproto.h"
#include "err.h"
#include "fd.h"
#include "log.h"
#include "name.h"
#include "sig.h"

static const char *prog = "vectis-supervisor";

/* How long a silent master is waited for (SPEC 6); VECTIS_TIMEOUT. */
static int cli_timeout_ms = CTLCLIENT_TIMEOUT_MS;

struct cli {
	const struct vx_paths	*paths;
	int			 json;
	int			 passthrough;	/* print the result unparsed */
};

/* One subcommand: the one table that dispatch, usage and help read. */
struct cli_cmd {
	const char	*name;
	int		(*fn)(struct cli *, int, char **);	/* or main.c */
	const char	*usage;
	const char	*summary;
};

/* One error line on stderr: "vectis-supervisor: ...". */
void
cli_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * One round trip on the control socket (common/ctlclient.c, shared with
 * vectis-status): send req (taken over), return the whole reply object,
 * or NULL with *stage saying what failed.  Prints nothing.
 */
json_t *
cli_request(const struct vx_paths *paths, json_t *req, int passthrough,
    int *stage)
{
	return ctlclient_request(paths, req, passthrough, cli_timeout_ms,
	    stage);
}

/*
 * Send req (taken over) and return the "result" with *code set to the exit
 * code; on error the message is printed and NULL returned.
 */
static json_t *
cli_call(struct cli *cli, json_t *req, int *code)
{
	struct vx_err err;
	json_t *rep, *res;
	int stage;

	*code = VX_EXIT_FAIL;
	vx_err_clear(&err);
	rep = ctlclient_call(cli->paths, req, cli->passthrough, cli_timeout_ms,
	    &stage, &err);
	if (stage == CTLCLIENT_PEER || stage == CTLCLIENT_TIMEOUT) {
		cli_err("%s", err.msg);
		return NULL;
	}
	if (stage == CLI_REQ_CONNECT) {
		if (errno == EACCES) {
			cli_err("%s: permission denied",
			    cli->paths->control_sock);
			*code = VX_EXIT_PERM;
			return NULL;
		}
		cli_err("no master running (%s: %s); start one with "
		    "'%s run' or '%s start'", cli->paths->control_sock,
		    strerror(errno), prog, prog);
		*code = VX_EXIT_NOMASTER;
		return NULL;
	}
	if (stage == CLI_REQ_SEND) {
		cli_err("unable to send request: %s", strerror(errno));
		return NULL;
	}
	if (!json_is_object(rep)) {
		cli_err("no answer from the master (it may have exited)");
		json_decref(rep);
		return NULL;
	}
	if (!json_is_true(json_object_get(rep, "ok"))) {
		cli_err("%s", json_string_value(json_object_get(rep,
		    "error")) ? json_string_value(json_object_get(rep,
		    "error")) : "unknown error");
		*code = (int)json_integer_value(json_object_get(rep, "code"));
		if (*code <= 0 || *code > 5)
			*code = VX_EXIT_FAIL;
		json_decref(rep);
		return NULL;
	}
	res = json_object_get(rep, "result");
	json_incref(res);
	json_decref(rep);
	*code = VX_EXIT_OK;
	return res != NULL ? res : json_null();
}

/* A usage error: the message, then the command's usage, on stderr. */
int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(stderr, cmd);
	return VX_EXIT_USAGE;
}

static void
cli_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(15));	/* cpu_percent 0.3, not 0.2999... */

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

static int
cli_name_arg(const char *cmd, const char *name)
{
	struct vx_err err;

	vx_err_clear(&err);
	if (name_check(name, &err) == -1) {
		cli_err("%s", err.msg);
		return -1;
	}
	return 0;
}

/* Launch "run" in the background and wait (bounded) for its socket. */
static int
cli_spawn_master(struct cli *cli)
{
	char logpath[PATH_MAX], exe[PATH_MAX], *envp[CHILDENV_MAX];
	char *argv[] = { (char *)prog, (char *)"run", NULL, NULL, NULL };
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct vx_err err;
	int i, fd, status;
	ssize_t n;
	pid_t pid;

	if (paths_make_dirs(cli->paths, &err) == -1) {
		cli_err("%s", err.msg);
		return -1;
	}
	if ((size_t)snprintf(logpath, sizeof(logpath), "%.4000s/master.log",
	    cli->paths->state_dir) >= sizeof(logpath))
		return -1;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1)
		return -1;
	exe[n] = '\0';
	if (cli->paths->home[0] != '\0') {
		argv[1] = (char *)"--home";
		argv[2] = (char *)cli->paths->home;
		argv[3] = (char *)"run";
	}
	/*
	 * The master outlives this shell: it keeps what vectis programs read
	 * (childenv.c), not VECTIS_TOKEN or the rest of the environment.
	 */
	childenv_build(envp);
	if ((pid = fork()) == -1) {
		cli_err("unable to fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setsid();
		/* O_CLOEXEC: only the dup2'd copies reach the master. */
		/*
		 * Without /dev/null or the log the master keeps what it
		 * inherited; a dup2 that fails with a good fd leaves a
		 * half-plumbed master, so that one is fatal (127).
		 */
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd != -1 && dup2(fd, 0) == -1)
			_exit(127);
		fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
		if (fd != -1 && (dup2(fd, 1) == -1 || dup2(fd, 2) == -1))
			_exit(127);
		execve(exe, argv, envp);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if ((fd = ctlclient_connect(cli->paths)) != -1) {
			close(fd);
			return 0;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			cli_err("the master failed to start; see %s", logpath);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	cli_err("the master did not come up within 10 s; see %s", logpath);
	return -1;
}

static int
cli_targets(const char *cmd, int argc, char **argv, json_t *req)
{
	json_t *names = json_array();
	int i, all = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = 1;
		else if (argv[i][0] == '-') {
			json_decref(names);
			return cli_usage_error(cmd, "unknown option '%s'",
			    argv[i]);
		} else {
			if (cli_name_arg(cmd, argv[i]) == -1) {
				json_decref(names);
				return VX_EXIT_USAGE;
			}
			json_array_append_new(names, json_string(argv[i]));
		}
	}
	if (all == (json_array_size(names) > 0)) {
		json_decref(names);
		return cli_usage_error(cmd, "%s", all ?
		    "give names or --all, not both" : "name required (or --all)");
	}
	if (all)
		json_object_set_new(req, "all", json_true());
	json_object_set_new(req, "names", names);
	return 0;
}

static int
cli_updown(struct cli *cli, int argc, char **argv)
{
	json_t *req, *res, *o;
	const char *err;
	size_t i;
	int code, rc, fd;

	req = ctl_request_new(argv[0]);
	if ((rc = cli_targets(argv[0], argc, argv, req)) != 0) {
		json_decref(req);
		return rc;
	}
	/* start launches a background master when none runs. */
	if (strcmp(argv[0], "start") == 0) {
		if ((fd = ctlclient_connect(cli->paths)) != -1)
			close(fd);
		else if ((errno == ENOENT || errno == ECONNREFUSED) &&
		    cli_spawn_master(cli) == -1) {
			json_decref(req);
			return VX_EXIT_FAIL;
		}
	}
	if ((res = cli_call(cli, req, &code)) == NULL)
		return code;
	rc = VX_EXIT_OK;
	json_array_foreach(res, i, o) {
		err = json_string_value(json_object_get(o, "error"));
		if (!json_is_true(json_object_get(o, "ok"))) {
			cli_err("%s: %s", json_string_value(json_object_get(o,
			    "name")), err != NULL ? err : "failed");
			rc = VX_EXIT_FAIL;
			continue;
		}
		if (json_integer_value(json_object_get(o, "pid")) > 0)
			printf("%s: %s (pid %lld)\n", json_string_value(
			    json_object_get(o, "name")), json_string_value(
			    json_object_get(o, "state")),
			    json_integer_value(json_object_get(o, "pid")));
		else
			printf("%s: %s\n", json_string_value(
			    json_object_get(o, "name")), json_string_value(
			    json_object_get(o, "state")));
	}
	json_decref(res);
	return rc;
}

static void
cli_human_time(json_t *v, char *buf, size_t len)
{
	long long s;

	if (!json_is_integer(v)) {
		snprintf(buf, len, "-");
		return;
	}
	s = json_integer_value(v);
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh", s / 3600);
	else
		snprintf(buf, len, "%lldd", s / 86400);
}

static void
cli_human_bytes(json_t *v, char *buf, size_t len)
{
	double b;

	if (!json_is_number(v)) {
		snprintf(buf, len, "-");
		return;
	}
	b = json_number_value(v);
	if (b < 1024 * 1024)
		snprintf(buf, len, "%.0fK", b / 1024);
	else if (b < 1024. * 1024 * 1024)
		snprintf(buf, len, "%.1fM", b / (1024 * 1024));
	else
		snprintf(buf, len, "%.1fG", b / (1024. * 1024 * 1024));
}

#define LIST_COLS 9
static const char *const list_head[LIST_COLS] = { "NAME", "STATUS",
    "STATE", "PID", "UPTIME", "RESTARTS", "CPU", "MEM", "LAST_ERROR" };

static void
cli_list_row(json_t *o, char cell[LIST_COLS][96])
{
	const char *le;
	json_t *v;

	/* A tenant running as root is marked where nobody can miss it. */
	snprintf(cell[0], 96, "%s%s", json_string_value(json_object_get(o,
	    "name")), json_is_true(json_object_get(o, "root")) ? "[root]" : "");
	snprintf(cell[1], 96, "%s", json_string_value(json_object_get(o,
	    "status")));
	snprintf(cell[2], 96, "%s", json_string_value(json_object_get(o,
	    "state")));
	v = json_object_get(o, "pid");
	if (json_is_integer(v))
		snprintf(cell[3], 96, "%lld", json_integer_value(v));
	else
		snprintf(cell[3], 96, "-");
	cli_human_time(json_object_get(o, "uptime_s"), cell[4], 96);
	snprintf(cell[5], 96, "%lld", json_integer_value(json_object_get(o,
	    "restarts")));
	v = json_object_get(o, "cpu_percent");
	if (json_is_number(v))
		snprintf(cell[6], 96, "%.1f%%", json_number_value(v));
	else
		snprintf(cell[6], 96, "-");
	cli_human_bytes(json_object_get(o, "rss_bytes"), cell[7], 96);
	le = json_string_value(json_object_get(o, "last_error"));
	if (le == NULL)
		snprintf(cell[8], 96, "-");
	else {
		log_escape(cell[8], 72, le, strlen(le));
		if (strlen(le) > 60)
			strcpy(cell[8] + 57, "...");
	}
}

static int
cli_list(struct cli *cli, int argc, char **argv)
{
	json_t *res, *o;
	size_t i, w[LIST_COLS], n;
	char (*cells)[LIST_COLS][96];
	int code, c;

	for (c = 1; c < argc; c++) {
		if (strcmp(argv[c], "--json") == 0)
			cli->json = 1;
		else
			return cli_usage_error("list", "unknown argument '%s'",
			    argv[c]);
	}
	cli->passthrough = cli->json;
	if ((res = cli_call(cli, ctl_request_new("list"), &code)) == NULL)
		return code;
	if (cli->json) {
		if (!json_is_null(res))	/* not already printed */
			cli_print_json(res);
		json_decref(res);
		return 0;
	}
	n = json_array_size(res);
	if ((cells = calloc(n + 1, sizeof(*cells))) == NULL) {
		json_decref(res);
		return VX_EXIT_FAIL;
	}
	for (c = 0; c < LIST_COLS; c++) {
		snprintf(cells[0][c], 96, "%s", list_head[c]);
		w[c] = strlen(list_head[c]);
	}
	json_array_foreach(res, i, o) {
		cli_list_row(o, cells[i + 1]);
		for (c = 0; c < LIST_COLS; c++)
			if (strlen(cells[i + 1][c]) > w[c])
				w[c] = strlen(cells[i + 1][c]);
	}
	for (i = 0; i <= n; i++) {
		for (c = 0; c < LIST_COLS - 1; c++)
			printf("%-*s  ", (int)w[c], cells[i][c]);
		printf("%s\n", cells[i][LIST_COLS - 1]);
	}
	free(cells);
	json_decref(res);
	return 0;
}

static int
cli_status(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL, *key;
	char esc[4096], *s;
	json_t *req, *res, *v;
	int i, code;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli->json = 1;
		else if (argv[i][0] == '-' || name != NULL)
			return cli_usage_error("status", "unexpected argument "
			    "'%s'", argv[i]);
		else
			name = argv[i];
	}
	if (name == NULL)
		return cli_usage_error("status", "%s", "name required");
	if (cli_name_arg("status", name) == -1)
		return VX_EXIT_USAGE;
	req = ctl_request_new("status");
	json_object_set_new(req, "name", json_string(name));
	if ((res = cli_call(cli, req, &code)) == NULL)
		return code;
	if (cli->json) {
		json_object_del(res, "spec");
		cli_print_json(res);
		json_decref(res);
		return 0;
	}
	json_object_foreach(res, key, v) {
		if (strcmp(key, "spec") == 0)
			continue;
		if (json_is_string(v))
			printf("%-18s %s\n", key, log_escape(esc, sizeof(esc),
			    json_string_value(v), json_string_length(v)));
		else if (json_is_null(v))
			printf("%-18s -\n", key);
		else if ((s = json_dumps(v, JSON_ENCODE_ANY)) != NULL) {
			printf("%-18s %s\n", key, s);
			free(s);
		}
	}
	if ((v = json_object_get(res, "spec")) != NULL &&
	    (s = json_dumps(json_object_get(v, "command"), 0)) != NULL) {
		printf("%-18s %s\n", "command", s);
		free(s);
	}
	json_decref(res);
	return 0;
}

static int
cli_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
cli_history(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL, *d;
	json_t *req, *res, *o;
	char esc[2048];
	long limit = 20;
	size_t i;
	int a, code;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			cli->json = 1;
		else if (strcmp(argv[a], "--limit") == 0 && a + 1 < argc) {
			if (cli_parse_int(argv[++a], 1, 10000, &limit) == -1)
				return cli_usage_error("history", "--limit: "
				    "'%s' is not a number in 1..10000",
				    argv[a]);
		} else if (argv[a][0] == '-' || name != NULL)
			return cli_usage_error("history", "unexpected "
			    "argument '%s'", argv[a]);
		else
			name = argv[a];
	}
	if (name == NULL)
		return cli_usage_error("history", "%s", "name required");
	if (cli_name_arg("history", name) == -1)
		return VX_EXIT_USAGE;
	req = ctl_request_new("history");
	json_object_set_new(req, "name", json_string(name));
	json_object_set_new(req, "limit", json_integer(limit));
	if ((res = cli_call(cli, req, &code)) == NULL)
		return code;
	if (cli->json)
		cli_print_json(res);
	else
		json_array_foreach(res, i, o) {
			d = json_string_value(json_object_get(o, "detail"));
			printf("%s  %-10s %s\n", json_string_value(
			    json_object_get(o, "at")), json_string_value(
			    json_object_get(o, "kind")), d ? log_escape(esc,
			    sizeof(esc), d, strlen(d)) : "");
		}
	json_decref(res);
	return 0;
}

static int
cli_add_opt(json_t *spec, const char *opt, const char *val)
{
	json_t *o;
	const char *eq;
	long n;

	if (strcmp(opt, "--env") == 0) {
		if ((eq = strchr(val, '=')) == NULL || eq == val)
			return -1;
		if ((o = json_object_get(spec, "env")) == NULL) {
			o = json_object();
			json_object_set_new(spec, "env", o);
		}
		char key[257];
		if ((size_t)(eq - val) >= sizeof(key))
			return -1;
		memcpy(key, val, (size_t)(eq - val));
		key[eq - val] = '\0';
		json_object_set_new(o, key, json_string(eq + 1));
	} else if (strcmp(opt, "--cwd") == 0)
		json_object_set_new(spec, "cwd", json_string(val));
	else if (strcmp(opt, "--user") == 0)
		json_object_set_new(spec, "user", json_string(val));
	else if (strcmp(opt, "--group") == 0)
		json_object_set_new(spec, "group", json_string(val));
	else if (strcmp(opt, "--tenant-id") == 0)
		json_object_set_new(spec, "tenant_id", json_string(val));
	else if (strcmp(opt, "--notify") == 0)
		json_object_set_new(spec, "notify", json_string(val));
	else if (strcmp(opt, "--restart") == 0) {
		if ((o = json_object_get(spec, "restart")) == NULL) {
			o = json_object();
			json_object_set_new(spec, "restart", o);
		}
		json_object_set_new(o, "policy", json_string(val));
	} else if (strcmp(opt, "--max-restarts") == 0) {
		if (cli_parse_int(val, 0, 1000000, &n) == -1)
			return -1;
		if ((o = json_object_get(spec, "restart")) == NULL) {
			o = json_object();
			json_object_set_new(spec, "restart", o);
		}
		json_object_set_new(o, "max_restarts", json_integer(n));
	} else if (strcmp(opt, "--heartbeat-timeout") == 0) {
		if (cli_parse_int(val, 0, 86400, &n) == -1)
			return -1;
		json_object_set_new(spec, "heartbeat", json_pack("{s:I}",
		    "timeout_s", (json_int_t)n));
	} else
		return -2;
	return 0;
}

static int
cli_add(struct cli *cli, int argc, char **argv)
{
	json_t *spec, *cmd, *req, *res;
	int a, code, rc;

	if (argc < 2 || argv[1][0] == '-')
		return cli_usage_error("add", "%s", "name required");
	if (cli_name_arg("add", argv[1]) == -1)
		return VX_EXIT_USAGE;
	spec = json_pack("{s:s}", "name", argv[1]);
	for (a = 2; a < argc && strcmp(argv[a], "--") != 0; a++) {
		if (strcmp(argv[a], "--no-autostart") == 0) {
			json_object_set_new(spec, "autostart", json_false());
			continue;
		}
		if (a + 1 >= argc || strcmp(argv[a + 1], "--") == 0) {
			json_decref(spec);
			return cli_usage_error("add", "option '%s' needs a "
			    "value", argv[a]);
		}
		rc = cli_add_opt(spec, argv[a], argv[a + 1]);
		if (rc != 0) {
			json_decref(spec);
			return cli_usage_error("add", rc == -2 ?
			    "unknown option '%s'" : "bad value for '%s'",
			    argv[a]);
		}
		a++;
	}
	if (a >= argc - 1) {
		json_decref(spec);
		return cli_usage_error("add", "%s",
		    "command required after '--'");
	}
	cmd = json_array();
	for (a++; a < argc; a++)
		if (json_array_append_new(cmd, json_string(argv[a])) == -1) {
			json_decref(cmd);
			json_decref(spec);
			return cli_usage_error("add", "argument '%s' is not "
			    "valid UTF-8", argv[a]);
		}
	json_object_set_new(spec, "command", cmd);
	req = ctl_request_new("add");
	json_object_set_new(req, "spec", spec);
	if ((res = cli_call(cli, req, &code)) == NULL)
		return code;
	printf("%s: added (%s)\n", argv[1], json_string_value(
	    json_object_get(res, "state")));
	json_decref(res);
	return 0;
}

static int
cli_remove(struct cli *cli, int argc, char **argv)
{
	json_t *req, *res;
	int code;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error("remove", "%s", "one name required");
	if (cli_name_arg("remove", argv[1]) == -1)
		return VX_EXIT_USAGE;
	req = ctl_request_new("remove");
	json_object_set_new(req, "name", json_string(argv[1]));
	if ((res = cli_call(cli, req, &code)) == NULL)
		return code;
	printf("%s: removed\n", argv[1]);
	json_decref(res);
	return 0;
}

/* Read and syntax-check the apply file here, so errors name its lines. */
static json_t *
cli_apply_file(const char *file)
{
	json_error_t jerr;
	json_t *doc, *arr;
	size_t len;
	char *buf;

	if (fd_read_file(file, CTL_MAX_APPLY, &buf, &len) == -1) {
		if (errno == EFBIG)
			cli_err("%s: larger than 1 MiB", file);
		else
			cli_err("%s: %s", file, strerror(errno));
		return NULL;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (doc == NULL) {
		cli_err("%s:%d:%d: %s", file, jerr.line, jerr.column,
		    jerr.text);
		return NULL;
	}
	if (json_is_array(doc))
		return doc;
	arr = json_is_object(doc) ? json_object_get(doc, "tenants") : NULL;
	if (!json_is_array(arr) || json_object_size(doc) != 1) {
		cli_err("%s: expected an array of tenants or "
		    "{\"tenants\": [...]}", file);
		json_decref(doc);
		return NULL;
	}
	json_incref(arr);
	json_decref(doc);
	return arr;
}

static int
cli_apply(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL;
	json_t *arr;
	int a, prune = 0;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--prune") == 0)
			prune = 1;
		else if ((argv[a][0] == '-' && argv[a][1] != '\0') ||
		    file != NULL)
			return cli_usage_error("apply", "unexpected argument "
			    "'%s'", argv[a]);
		else
			file = argv[a];
	}
	if (file == NULL)
		return cli_usage_error("apply", "%s", "FILE required");
	if ((arr = cli_apply_file(file)) == NULL)
		return VX_EXIT_FAIL;
	return cli_apply_tenants(cli->paths, arr, prune);
}

/*
 * Send tenants (taken over) in one apply request and print one line per
 * tenant; the exit code.  apply and import-pm2 --apply share it.
 */
int
cli_apply_tenants(const struct vx_paths *paths, json_t *arr, int prune)
{
	struct cli cli = { paths, 0, 0 };
	json_t *req, *res, *o;
	size_t i;
	int code;

	if (json_dumpb(arr, NULL, 0, JSON_COMPACT) > CTL_MAX_APPLY) {
		json_decref(arr);
		cli_err("the tenants are more than 1 MiB of JSON; apply them "
		    "in parts");
		return VX_EXIT_FAIL;
	}
	req = ctl_request_new("apply");
	json_object_set_new(req, "tenants", arr);
	if (prune)
		json_object_set_new(req, "prune", json_true());
	if ((res = cli_call(&cli, req, &code)) == NULL)
		return code;
	json_array_foreach(res, i, o)
		printf("%s: %s\n", json_string_value(json_object_get(o,
		    "name")), json_string_value(json_object_get(o, "result")));
	json_decref(res);
	return 0;
}

static int
cli_simple(struct cli *cli, int argc, char **argv)
{
	json_t *res;
	int code;

	if (argc != 1)
		return cli_usage_error(argv[0], "unexpected argument '%s'",
		    argv[1]);
	if ((res = cli_call(cli, ctl_request_new(argv[0]), &code)) == NULL)
		return code;
	if (strcmp(argv[0], "export") == 0)
		cli_print_json(res);
	else if (json_is_string(res))
		printf("%s\n", json_string_value(res));
	json_decref(res);
	return 0;
}

static int
cli_logs(struct cli *cli, int argc, char **argv)
{
	return clilogs_main(cli->paths, argc, argv);
}

static int
cli_import_pm2(struct cli *cli, int argc, char **argv)
{
	return clipm2_main(cli->paths, argc, argv);
}

static const struct cli_cmd cli_cmds[] = {
	{ "run", NULL, "run [--standby]",
	    "Run the master in the foreground (systemd, containers, PID 1);\n"
	    "with --standby, wait to take over from the active master." },
	{ "start", cli_updown, "start [NAME...|--all]",
	    "Start tenants and wait until they run; starts a background\n"
	    "master if none runs." },
	{ "stop", cli_updown, "stop [NAME...|--all]",
	    "Stop tenants and wait until no process of theirs is left." },
	{ "restart", cli_updown, "restart [NAME...|--all]",
	    "Stop tenants if they run, then start them with their current "
	    "spec." },
	{ "list", cli_list, "list [--json]",
	    "Print every tenant as a table, or as one JSON array." },
	{ "status", cli_status, "status NAME [--json]",
	    "Print one tenant's status, or with --json its status object." },
	{ "logs", cli_logs, "logs NAME [--follow] [--lines N] "
	    "[--stdout|--stderr]",
	    "Print a tenant's last log lines; --follow keeps printing new "
	    "ones." },
	{ "history", cli_history, "history NAME [--json] [--limit N]",
	    "Print a tenant's newest events, newest first." },
	{ "add", cli_add, "add NAME [--env K=V]... [--cwd DIR] [--user U] "
	    "[--group G]\n           [--tenant-id ID] [--restart POLICY] "
	    "[--max-restarts N]\n           [--heartbeat-timeout S] "
	    "[--notify MODE] [--no-autostart]\n           -- COMMAND [ARG...]",
	    "Create a tenant that runs COMMAND, without a shell." },
	{ "remove", cli_remove, "remove NAME",
	    "Stop a tenant and delete it; its logs and history stay." },
	{ "apply", cli_apply, "apply FILE [--prune]",
	    "Create or update tenants from a JSON file ('-' = stdin);\n"
	    "--prune removes every tenant not in it.  See vectis-tenants(5)." },
	{ "export", cli_simple, "export",
	    "Print every tenant's spec as the JSON that apply reads." },
	{ "reload", cli_simple, "reload",
	    "Re-read supervisor.conf and re-open the log files." },
	{ "shutdown", cli_simple, "shutdown",
	    "Stop every worker gracefully, then the master." },
	{ "import-pm2", cli_import_pm2,
	    "import-pm2 FILE [--env NAME] [--user USER]\n"
	    "           [--apply [--prune]]",
	    "Convert a PM2 ecosystem file (JSON) or 'pm2 jlist' output\n"
	    "('-' = stdin) to tenants JSON on stdout, or apply it; a warning\n"
	    "on stderr names every PM2 setting that has no equivalent." },
	{ "help", NULL, "help [COMMAND]",
	    "Print the usage of COMMAND, or of every command." },
};

static const struct cli_cmd *
cli_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}

/* Usage of one command with what it does, or a list of all. */
void
cli_usage(FILE *f, const char *cmd)
{
	const struct cli_cmd *c;
	size_t i;

	if (cmd != NULL && (c = cli_cmd_find(cmd)) != NULL) {
		fprintf(f, "usage: %s [--home DIR] %s\n%s\n", prog, c->usage,
		    c->summary);
		return;
	}
	fprintf(f, "usage: %s [--home DIR] COMMAND [ARGS]\n"
	    "       %s --version | --help\ncommands:\n", prog, prog);
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		fprintf(f, "  %s\n", cli_cmds[i].usage);
	fprintf(f, "See '%s help COMMAND' and vectis-supervisor(8).\n", prog);
}

/*
 * help [COMMAND] and COMMAND --help print usage on stdout and exit 0;
 * -1 when argv asks for no help.  Needs no paths, so main() asks first.
 */
int
cli_help(int argc, char **argv)
{
	int ask;

	if (argc < 1)
		return -1;
	ask = argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0);
	if (strcmp(argv[0], "help") == 0 && !ask) {
		if (argc > 2)
			return cli_usage_error("help", "unexpected argument "
			    "'%s'", argv[2]);
		if (argc == 2 && cli_cmd_find(argv[1]) == NULL)
			return cli_usage_error(NULL, "unknown command '%s'",
			    argv[1]);
		cli_usage(stdout, argc == 2 ? argv[1] : NULL);
		return 0;
	}
	if (!ask || cli_cmd_find(argv[0]) == NULL)
		return -1;
	cli_usage(stdout, argv[0]);
	return 0;
}

/*
 * VECTIS_TIMEOUT=S: seconds the CLI waits for a master that says nothing
 * (no answer, no keep-alive) before it gives up with exit 1.
 */
static int
cli_timeout_init(void)
{
	const char *v = getenv("VECTIS_TIMEOUT");
	char *end;
	long s;

	if (v == NULL || v[0] == '\0')
		return 0;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || s < 1 || s > 86400) {
		cli_err("VECTIS_TIMEOUT must be a number of seconds from 1 to "
		    "86400, not '%.32s'", v);
		return -1;
	}
	cli_timeout_ms = (int)s * 1000;
	return 0;
}

/* Dispatch argv[0] to its command. */
int
cli_main(const struct vx_paths *paths, const char *home, int argc,
    char **argv)
{
	struct cli cli = { paths, 0, 0 };
	const struct cli_cmd *c;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if ((rc = cli_help(argc, argv)) != -1)
		return rc;
	if ((c = cli_cmd_find(argv[0])) == NULL || c->fn == NULL)
		return cli_usage_error(NULL, "unknown command '%s'", argv[0]);
	if (cli_timeout_init() == -1)
		return VX_EXIT_USAGE;
	return c->fn(&cli, argc, argv);
}
