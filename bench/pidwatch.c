/* pidwatch — process-table helper for the supervisor benchmarks.
 *
 * Every sub-command works on the process TREE below a root pid (the
 * supervisor's top process), found through /proc/PID/task/TID/children
 * (falling back to a full /proc scan when that file is not available).
 * "Workers" are the processes of that tree whose comm equals COMM (e.g.
 * "sleep"); every other process of the tree counts as the supervisor.
 *
 *   pidwatch now
 *       print CLOCK_REALTIME in microseconds (same clock as $EPOCHREALTIME)
 *   pidwatch list ROOT COMM
 *       print "pid ppid" of every worker in the tree
 *   pidwatch count ROOT COMM
 *       print the number of workers
 *   pidwatch start ROOT COMM N TIMEOUT_MS -- CMD [ARG...]
 *       take T0, run CMD (stdout/stderr to /dev/null), poll the tree every
 *       ~2 ms (at most 50 % duty cycle) until N workers exist; print
 *         t0_us=.. running_ms=.. cmd_ms=.. cmd_rc=.. workers=..
 *       running_ms is -1 on timeout; cmd_ms -1 if CMD had not exited within
 *       TIMEOUT_MS (it is then left running and its pid is printed as cmd_pid).
 *   pidwatch kill ROOT VICTIM COMM TIMEOUT_MS
 *       P = parent of VICTIM; snapshot P's children; SIGKILL VICTIM; busy-poll
 *       P's children (all threads) until a child that was not there before
 *       has comm == COMM; if P vanished (a per-worker parent that exits with
 *       its worker, as vectis' reaper does), the children of P's new
 *       siblings (P's parent's new children) are searched, then, if P's
 *       parent is gone too, the whole tree.
 *       print  fork_us=.. exec_us=.. newpid=..  (-1 on timeout)
 *       fork_us: first sight of the new child (any comm); exec_us: when it
 *       has become COMM (exec done).
 *   pidwatch mem ROOT COMM
 *       print "procs=.. rss_kb=.. pss_kb=.." summed over non-worker processes
 *   pidwatch cpu ROOT COMM
 *       print utime+stime clock ticks summed over non-worker processes
 *   pidwatch time TIMEOUT_MS -- CMD [ARG...]
 *       run CMD (output to /dev/null), print "MS RC" (SIGKILL after TIMEOUT_MS,
 *       then "-1 timeout")
 *   pidwatch reap ROOT
 *       freeze (SIGSTOP) every process of the tree until the tree no longer
 *       grows, then SIGKILL all of them and SIGCONT; print how many.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int use_children = -1;

static long long now_us(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static ssize_t read_file(const char *path, char *buf, size_t sz) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t off = 0;
    for (;;) {
        ssize_t r = read(fd, buf + off, sz - 1 - off);
        if (r < 0) { if (errno == EINTR) continue; close(fd); return -1; }
        if (r == 0) break;
        off += (size_t)r;
        if (off >= sz - 1) break;
    }
    close(fd);
    buf[off] = 0;
    return (ssize_t)off;
}

static int get_comm(int pid, char *out, size_t sz) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/comm", pid);
    ssize_t n = read_file(p, out, sz);
    if (n <= 0) return -1;
    if (out[n - 1] == '\n') out[n - 1] = 0;
    return 0;
}

/* fields after the ")" of /proc/PID/stat; returns pointer to field 3 (state) */
static char *stat_fields(int pid, char *buf, size_t sz) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/stat", pid);
    if (read_file(p, buf, sz) <= 0) return NULL;
    char *rp = strrchr(buf, ')');
    if (!rp) return NULL;
    return rp + 2;
}

static int get_ppid(int pid) {
    char buf[1024];
    char *f = stat_fields(pid, buf, sizeof buf);
    if (!f) return -1;
    /* f is at field 3 (state), then one space and the ppid */
    if (f[0] == '\0' || f[1] != ' ') return -1;
    char *end;
    errno = 0;
    long ppid = strtol(f + 2, &end, 10);
    if (end == f + 2 || errno != 0 || ppid < 0 || ppid > INT_MAX) return -1;
    return (int)ppid;
}

/* ---- growable int vector ---- */
typedef struct { int *v; size_t n, cap; } ivec;
static void iv_push(ivec *a, int x) {
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->v = realloc(a->v, a->cap * sizeof(int));
        if (!a->v) { perror("realloc"); exit(99); }
    }
    a->v[a->n++] = x;
}
static int icmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int iv_has_sorted(const ivec *a, int x) { return a->n && bsearch(&x, a->v, a->n, sizeof(int), icmp) != NULL; }
static int iv_has(const ivec *a, int x) {
    for (size_t i = 0; i < a->n; i++) if (a->v[i] == x) return 1;
    return 0;
}

/* children of every thread of pid; returns 0 if pid exists */
static int children_of(int pid, ivec *out) {
    char p[320];
    snprintf(p, sizeof p, "/proc/%d/task", pid);
    DIR *d = opendir(p);
    if (!d) return -1;
    struct dirent *de;
    static char buf[1 << 20];
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
        snprintf(p, sizeof p, "/proc/%d/task/%s/children", pid, de->d_name);
        if (read_file(p, buf, sizeof buf) < 0) continue;
        char *s = buf;
        while (*s) {
            char *e;
            long c = strtol(s, &e, 10);
            if (e == s) break;
            iv_push(out, (int)c);
            s = e;
            while (*s == ' ' || *s == '\n') s++;
        }
    }
    closedir(d);
    return 0;
}

/* full-scan fallback: every pid whose ppid chain reaches root */
static void tree_scan_all(int root, ivec *out) {
    ivec pids = {0}, pp = {0};
    DIR *d = opendir("/proc");
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
        int pid = (int)strtol(de->d_name, NULL, 10);   /* digits only */
        int ppid = get_ppid(pid);
        if (ppid < 0) continue;
        iv_push(&pids, pid); iv_push(&pp, ppid);
    }
    closedir(d);
    iv_push(out, root);
    for (size_t k = 0; k < out->n; k++)
        for (size_t i = 0; i < pids.n; i++)
            if (pp.v[i] == out->v[k] && !iv_has(out, pids.v[i])) iv_push(out, pids.v[i]);
    free(pids.v); free(pp.v);
}

/* the tree including root (root only if it exists) */
static void tree(int root, ivec *out) {
    if (use_children < 0) {
        char p[96];
        snprintf(p, sizeof p, "/proc/%d/task/%d/children", getpid(), getpid());
        use_children = access(p, R_OK) == 0;
    }
    if (kill(root, 0) != 0 && errno == ESRCH) return;
    if (!use_children) { tree_scan_all(root, out); return; }
    iv_push(out, root);
    for (size_t k = 0; k < out->n; k++) children_of(out->v[k], out);
}

/* tree, but do not descend below processes whose comm is `leaf` (workers);
 * workers go to `w`, others to `s` */
static void split_tree(int root, const char *leaf, ivec *s, ivec *w) {
    ivec all = {0};
    if (use_children < 0) { ivec t = {0}; tree(getpid(), &t); free(t.v); }
    if (kill(root, 0) != 0 && errno == ESRCH) return;
    if (!use_children) {
        tree_scan_all(root, &all);
        for (size_t i = 0; i < all.n; i++) {
            char c[64];
            if (get_comm(all.v[i], c, sizeof c) < 0) continue;
            if (strcmp(c, leaf) == 0) iv_push(w, all.v[i]); else iv_push(s, all.v[i]);
        }
        free(all.v);
        return;
    }
    iv_push(&all, root);
    for (size_t k = 0; k < all.n; k++) {
        char c[64];
        int pid = all.v[k];
        if (get_comm(pid, c, sizeof c) < 0) continue;
        if (pid != root && strcmp(c, leaf) == 0) { iv_push(w, pid); continue; }
        iv_push(s, pid);
        children_of(pid, &all);
    }
    free(all.v);
}

static int cmd_list(int root, const char *comm, int print) {
    ivec s = {0}, w = {0};
    split_tree(root, comm, &s, &w);
    if (print)
        for (size_t i = 0; i < w.n; i++) printf("%d %d\n", w.v[i], get_ppid(w.v[i]));
    int n = (int)w.n;
    free(s.v); free(w.v);
    return n;
}

static void sleep_us(long us) {
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

static int cmd_start(int root, const char *comm, int n, long timeout_ms, char **argv) {
    long long t0r = now_us(CLOCK_REALTIME);
    long long t0 = now_us(CLOCK_MONOTONIC);
    pid_t c = fork();
    if (c < 0) { perror("fork"); return 99; }
    if (c == 0) {
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) { (void)dup2(fd, 0); (void)dup2(fd, 1); (void)dup2(fd, 2); }
        execvp(argv[0], argv);
        _exit(127);
    }
    long long running = -1, cmdt = -1;
    int rc = -1, workers = 0;
    long long deadline = t0 + timeout_ms * 1000LL;
    for (;;) {
        int st;
        if (cmdt < 0) {
            pid_t r = waitpid(c, &st, WNOHANG);
            if (r == c) {
                cmdt = now_us(CLOCK_MONOTONIC) - t0;
                rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            }
        }
        long long scan = 0;
        if (running < 0) {
            long long s0 = now_us(CLOCK_MONOTONIC);
            workers = cmd_list(root, comm, 0);
            if (workers >= n) running = now_us(CLOCK_MONOTONIC) - t0;
            scan = now_us(CLOCK_MONOTONIC) - s0;
        }
        if (running >= 0 && cmdt >= 0) break;
        if (now_us(CLOCK_MONOTONIC) > deadline) break;
        /* poll every 2 ms, but keep the scanning duty cycle <= 50 % so the
         * watcher does not eat a whole core of this small machine */
        sleep_us(scan > 2000 ? scan : 2000);
    }
    printf("t0_us=%lld running_ms=%.1f cmd_ms=%.1f cmd_rc=%d workers=%d",
           t0r, running < 0 ? -1.0 : (double)running / 1000.0,
           cmdt < 0 ? -1.0 : (double)cmdt / 1000.0, rc, workers);
    if (cmdt < 0) printf(" cmd_pid=%d", (int)c);
    printf("\n");
    return running < 0 ? 1 : 0;
}

static int cmd_time(long timeout_ms, char **argv) {
    long long t0 = now_us(CLOCK_MONOTONIC);
    pid_t c = fork();
    if (c < 0) { perror("fork"); return 99; }
    if (c == 0) {
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) { (void)dup2(fd, 0); (void)dup2(fd, 1); (void)dup2(fd, 2); }
        execvp(argv[0], argv);
        _exit(127);
    }
    long long deadline = t0 + timeout_ms * 1000LL;
    int st, rc = -1;
    for (;;) {
        pid_t r = waitpid(c, &st, WNOHANG);
        if (r == c) { rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); break; }
        if (now_us(CLOCK_MONOTONIC) > deadline) {
            kill(c, SIGKILL); waitpid(c, &st, 0);
            printf("-1 timeout\n");
            return 1;
        }
        sleep_us(100);
    }
    printf("%.3f %d\n", (double)(now_us(CLOCK_MONOTONIC) - t0) / 1000.0, rc);
    return 0;
}

/* a new child of gp (not in gbefore) that has a child with comm; or -1 */
static int new_grandchild(int gp, const ivec *gbefore, const char *comm) {
    ivec g = {0}, c = {0};
    int found = -1;
    if (children_of(gp, &g) != 0) { free(g.v); return -2; }
    for (size_t i = 0; i < g.n && found < 0; i++) {
        if (iv_has_sorted(gbefore, g.v[i])) continue;
        c.n = 0;
        children_of(g.v[i], &c);
        for (size_t j = 0; j < c.n; j++) {
            char cm[64];
            if (get_comm(c.v[j], cm, sizeof cm) == 0 && strcmp(cm, comm) == 0) { found = c.v[j]; break; }
        }
    }
    free(g.v); free(c.v);
    return found;
}

static int cmd_kill(int root, int victim, const char *comm, long timeout_ms) {
    int parent = get_ppid(victim);
    if (parent <= 0) { fprintf(stderr, "pidwatch: no such victim %d\n", victim); return 2; }
    ivec before = {0}, cur = {0}, gbefore = {0};
    children_of(parent, &before);
    if (before.n > 0) qsort(before.v, before.n, sizeof(int), icmp);
    int gp = parent == root ? -1 : get_ppid(parent);
    if (gp > 0) children_of(gp, &gbefore);
    if (gbefore.n > 0) qsort(gbefore.v, gbefore.n, sizeof(int), icmp);
    ivec bs = {0}, bw = {0};
    split_tree(root, comm, &bs, &bw);        /* workers before, for the fallback */
    if (bw.n > 0) qsort(bw.v, bw.n, sizeof(int), icmp);
    free(bs.v);
    bs.v = NULL;
    (void)prctl(PR_SET_TIMERSLACK, 1UL);
    long long t0 = now_us(CLOCK_MONOTONIC);
    if (kill(victim, SIGKILL) != 0) { perror("kill"); return 2; }
    long long forked = -1, execd = -1;
    int newpid = -1;
    long long deadline = t0 + timeout_ms * 1000LL;
    int spins = 0;
    while (execd < 0 && now_us(CLOCK_MONOTONIC) < deadline) {
        cur.n = 0;
        if (children_of(parent, &cur) == 0) {
            for (size_t i = 0; i < cur.n; i++) {
                int p = cur.v[i];
                if (p == victim || iv_has_sorted(&before, p)) continue;
                if (forked < 0) forked = now_us(CLOCK_MONOTONIC) - t0;
                char c[64];
                if (get_comm(p, c, sizeof c) == 0 && strcmp(c, comm) == 0) {
                    execd = now_us(CLOCK_MONOTONIC) - t0;
                    newpid = p;
                    break;
                }
            }
        } else if (gp > 0 && (newpid = new_grandchild(gp, &gbefore, comm)) != -2) {
            /* parent is gone: its parent's new child's child */
            if (newpid > 0) {
                execd = now_us(CLOCK_MONOTONIC) - t0;
                if (forked < 0) forked = execd;
            } else
                newpid = -1;
        } else {
            /* parent is gone: look for a new worker anywhere in the tree */
            newpid = -1;
            ivec s = {0}, w = {0};
            split_tree(root, comm, &s, &w);
            for (size_t i = 0; i < w.n; i++)
                if (!iv_has_sorted(&bw, w.v[i])) {
                    execd = now_us(CLOCK_MONOTONIC) - t0;
                    if (forked < 0) forked = execd;
                    newpid = w.v[i];
                    break;
                }
            free(s.v); free(w.v);
        }
        /* busy-poll for the first ~20 ms, then back off a little */
        if (++spins > 2000) sleep_us(200); else if (spins % 8 == 0) sched_yield();
    }
    printf("fork_us=%lld exec_us=%lld newpid=%d\n", forked, execd, newpid);
    free(before.v); free(cur.v); free(bs.v); free(bw.v); free(gbefore.v);
    return execd < 0 ? 1 : 0;
}

static int cmd_mem(int root, const char *comm) {
    ivec s = {0}, w = {0};
    split_tree(root, comm, &s, &w);
    long rss = 0, pss = 0;
    static char buf[65536];
    for (size_t i = 0; i < s.n; i++) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/status", s.v[i]);
        if (read_file(p, buf, sizeof buf) > 0) {
            char *l = strstr(buf, "VmRSS:");
            if (l) rss += strtol(l + 6, NULL, 10);
        }
        snprintf(p, sizeof p, "/proc/%d/smaps_rollup", s.v[i]);
        if (read_file(p, buf, sizeof buf) > 0) {
            char *l = strstr(buf, "\nPss:");
            if (l) pss += strtol(l + 5, NULL, 10);
        }
    }
    printf("procs=%zu rss_kb=%ld pss_kb=%ld\n", s.n, rss, pss);
    free(s.v); free(w.v);
    return 0;
}

static int cmd_cpu(int root, const char *comm) {
    ivec s = {0}, w = {0};
    split_tree(root, comm, &s, &w);
    unsigned long long tot = 0;
    char buf[2048];
    for (size_t i = 0; i < s.n; i++) {
        char *f = stat_fields(s.v[i], buf, sizeof buf);
        if (!f) continue;
        /* f starts at field 3; utime is field 14, stime 15 */
        unsigned long long ut = 0, stt = 0;
        int field = 3;
        char *tok = f;
        while (tok && field < 14) { tok = strchr(tok, ' '); if (tok) tok++; field++; }
        if (tok) {
            char *end;
            ut = strtoull(tok, &end, 10);
            if (end != tok && *end == ' ') {
                tok = end + 1;
                stt = strtoull(tok, &end, 10);
                if (end != tok) tot += ut + stt;
            }
        }
    }
    printf("%llu\n", tot);
    free(s.v); free(w.v);
    return 0;
}

static int cmd_reap(int root) {
    ivec seen = {0};
    for (int round = 0; round < 50; round++) {
        ivec t = {0};
        tree(root, &t);
        size_t added = 0;
        for (size_t i = 0; i < t.n; i++)
            if (!iv_has(&seen, t.v[i])) { iv_push(&seen, t.v[i]); kill(t.v[i], SIGSTOP); added++; }
        free(t.v);
        if (!added) break;
        sleep_us(2000);
    }
    for (size_t i = 0; i < seen.n; i++) kill(seen.v[i], SIGKILL);
    for (size_t i = 0; i < seen.n; i++) kill(seen.v[i], SIGCONT);
    /* wait (max 5 s) until they are gone from the process table (zombies
     * of killed parents are reaped by init shortly after) */
    for (int w = 0; w < 500; w++) {
        size_t alive = 0;
        for (size_t i = 0; i < seen.n; i++) {
            char p[64];
            snprintf(p, sizeof p, "/proc/%d", seen.v[i]);
            if (access(p, F_OK) == 0) alive++;
        }
        if (!alive) break;
        sleep_us(10000);
    }
    printf("%zu\n", seen.n);
    free(seen.v);
    return 0;
}

static void usage(void);

/* A number argument, or the usage message. */
static long num(const char *s) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < INT_MIN || v > INT_MAX) usage();
    return v;
}

static void usage(void) {
    fprintf(stderr, "usage: pidwatch now | list|count|mem|cpu ROOT COMM | "
            "start ROOT COMM N TIMEOUT_MS -- CMD... | kill ROOT VICTIM COMM TIMEOUT_MS | reap ROOT\n");
    exit(2);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) usage();
    const char *c = argv[1];
    if (!strcmp(c, "now")) { printf("%lld\n", now_us(CLOCK_REALTIME)); return 0; }
    if (argc >= 5 && !strcmp(c, "time") && !strcmp(argv[3], "--")) return cmd_time(num(argv[2]), argv + 4);
    if (argc < 3) usage();
    int root = (int)num(argv[2]);
    if (!strcmp(c, "reap")) return cmd_reap(root);
    if (argc < 4) usage();
    if (!strcmp(c, "list")) { cmd_list(root, argv[3], 1); return 0; }
    if (!strcmp(c, "count")) { printf("%d\n", cmd_list(root, argv[3], 0)); return 0; }
    if (!strcmp(c, "mem")) return cmd_mem(root, argv[3]);
    if (!strcmp(c, "cpu")) return cmd_cpu(root, argv[3]);
    if (!strcmp(c, "start")) {
        if (argc < 8 || strcmp(argv[6], "--") != 0) usage();
        return cmd_start(root, argv[3], (int)num(argv[4]), num(argv[5]), argv + 7);
    }
    if (!strcmp(c, "kill")) {
        if (argc < 6) usage();
        return cmd_kill(root, (int)num(argv[3]), argv[4], num(argv[5]));
    }
    usage();
    return 2;
}
