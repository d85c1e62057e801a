/*
 * skiff-monitor: the parent of one container's process.
 *
 * It mounts the container's overlay root, runs `runc run --detach`, becomes the
 * container's subreaper, writes its stdout/stderr to a Docker json-file log,
 * feeds its stdin from unix-socket clients, relays signals and, when the
 * container exits, removes its cgroups and runtime state (what `runc delete` would do; the
 * real `runc delete --force` when anything is unusual), unmounts the root and atomically writes
 * <state-dir>/exit.json. It lives in its own session so it outlives skiffd.
 *
 * Exec mode (--exec): the same, for one process started in a running container with
 * `runc exec --detach --process <json>`: no overlay, and nothing of the container is removed
 * when the process ends. It becomes the process's subreaper just as for a container's init.
 *
 * Log rotation (--log-max-size, --log-max-files): before a record would push the log past the
 * cap, <log> is renamed to <log>.1 (and .1 to .2 ...; the oldest is dropped) and a new file is
 * started; with one file the log is truncated instead. Readers follow by inode (log-file.ts).
 *
 * Memory: no heap; all buffers are static and small, so RSS stays well under
 * 2 MiB when linked statically. Every fd it opens is close-on-exec so runc
 * inherits only the stdio it is handed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Every snprintf here truncates on purpose (error texts, bounded fields). */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define LINE_MAX_BYTES 16384 /* Docker splits log lines at 16 KiB too */
#define MAX_CLIENTS 32
#define CMD_MAX 256
#define PARTIAL_FLUSH_MS 250

static struct {
  const char *id, *runtime, *root, *bundle, *ovl_rootfs, *ovl_opts, *log, *state, *process;
  int use_stdin, stdin_once, tty, sync_fd, exec_mode, log_max_files;
  long long log_max_size; /* 0: unbounded */
} opt = {.sync_fd = -1, .log_max_files = 1};
static long long log_size; /* bytes in the current log file */

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char console_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char pid_path[PATH_MAX], runclog_path[PATH_MAX], exit_path[PATH_MAX], exit_tmp_path[PATH_MAX];

static int devnull = -1, log_fd = -1, listen_fd = -1, sig_fd = -1;
static int overlay_mounted;
static pid_t container_pid;
static int container_reaped, container_status, container_oom_killed;

/* ---------- small helpers ---------- */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void path_join(char *dst, size_t cap, const char *dir, const char *name) {
  if ((size_t)snprintf(dst, cap, "%s/%s", dir, name) >= cap) dst[0] = 0;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* RFC 3339 with fixed nanoseconds in UTC, as Docker's json-file writes it. */
static void now_rfc3339(char out[40]) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

/* The sync fd carries exactly one line: "ok <pid>" or "error <text>". */
static void sync_line(const char *word, const char *text) {
  char buf[2048];
  if (opt.sync_fd < 0) return;
  int n = snprintf(buf, sizeof buf - 1, "%s %s", word, text);
  if (n < 0) return;
  if ((size_t)n > sizeof buf - 2) n = sizeof buf - 2;
  for (int i = 0; i < n; i++)
    if (buf[i] == '\n' || buf[i] == '\r') buf[i] = ' ';
  buf[n++] = '\n';
  write_all(opt.sync_fd, buf, (size_t)n);
  close(opt.sync_fd);
  opt.sync_fd = -1;
}

/* ---------- child processes ---------- */

static pid_t spawn(char *const argv[], int in, int out, int err) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  /* The runtime and the container must not inherit our blocked SIGCHLD or ignored SIGTERM. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  execv(argv[0], argv);
  _exit(127);
}

/*
 * Wait for one specific child, and only for it. A fast container (`true`) can exit before
 * `runc run --detach` itself does; we do not know its pid yet, so it must stay a zombie for
 * reap() to collect once container_pid is known (waitpid(-1) here used to swallow it).
 */
static int wait_for(pid_t pid) {
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == pid) return st;
  }
}

static int runc_delete(void) {
  char *argv[] = {(char *)opt.runtime, "--root", (char *)opt.root, "--log", runclog_path, "--log-format",
                  "json", "delete", "--force", (char *)opt.id, NULL};
  pid_t pid = spawn(argv, devnull, devnull, devnull);
  if (pid < 0) return -1;
  /* Only this pid: other zombies do not matter any more at this point. */
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return st;
}

/*
 * What `runc delete --force` does for a container whose init we have already reaped, without
 * starting another Go process (~25-40 ms here, on the critical path of every exit):
 * remove its cgroup directories (listed in state.json as "cgroup_paths") and its state dir.
 * Returns -1, having changed nothing that runc could not redo, whenever the state holds
 * something we do not handle (poststop hooks, Intel RDT, the systemd cgroup driver, rootless,
 * an unexpected layout) or a cgroup still has tasks (EBUSY: no pid namespace, so children
 * outlived init); the caller then runs
 * the real `runc delete --force`, which also kills those. Every hierarchy holds the same
 * tasks, so an EBUSY comes from the first rmdir, before anything was removed.
 */
static int fast_delete(void) {
  static char buf[256 * 1024], dir[PATH_MAX], path[PATH_MAX];
  if ((size_t)snprintf(dir, sizeof dir, "%s/%s", opt.root, opt.id) >= sizeof dir) return -1;
  path_join(path, sizeof path, dir, "state.json");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    if (len == sizeof buf - 1) break;
  }
  close(fd);
  buf[len] = 0;
  if (len == 0 || len == sizeof buf - 1) return -1;
  /* runc writes every hook kind, null when unused; only a non-null poststop list needs runc. */
  char *hook = strstr(buf, "\"poststop\":");
  if (hook && strncmp(hook + strlen("\"poststop\":"), "null", 4) != 0) return -1;
  if (!strstr(buf, "\"intel_rdt_path\":\"\"")) return -1;
  /* The systemd driver also owns a transient unit, and rootless cgroups may not be ours to remove. */
  if (!strstr(buf, "\"Systemd\":false") || strstr(buf, "\"rootless\":true")) return -1;
  char *cg = strstr(buf, "\"cgroup_paths\":{");
  if (!cg) return -1;
  cg += strlen("\"cgroup_paths\":{");
  char *end = strchr(cg, '}');
  if (!end) return -1;
  *end = 0;
  /* Entries are "controller":"/sys/fs/cgroup/..."; values are plain paths (no escapes). */
  char *p = cg;
  while (*p) {
    char *k = strchr(p, '"');
    if (!k) break;
    char *kend = strchr(k + 1, '"');
    if (!kend || kend[1] != ':' || kend[2] != '"') return -1;
    char *v = kend + 3, *vend = strchr(v, '"');
    if (!vend || memchr(v, '\\', (size_t)(vend - v)) || *v != '/') return -1;
    *vend = 0;
    /* cpu and cpuacct are often one hierarchy: the second rmdir meets ENOENT. */
    if (rmdir(v) < 0 && errno != ENOENT) return -1;
    p = vend + 1;
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    unlinkat(dfd, "state.json", 0);
    unlinkat(dfd, "exec.fifo", 0);
    close(dfd);
  }
  if (rmdir(dir) < 0 && errno != ENOENT) return -1; /* something unexpected left: let runc look */
  return 0;
}

/* Reads "oom_kill N" from a memory cgroup file (v1 memory.oom_control, v2 memory.events). */
static long read_oom_kill(const char *dir, const char *file) {
  char path[PATH_MAX], buf[1024];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *line = strstr(buf, "oom_kill ");
  while (line && line != buf && line[-1] != '\n') line = strstr(line + 1, "oom_kill ");
  return line ? strtol(line + strlen("oom_kill "), NULL, 10) : 0;
}

/*
 * Whether the kernel OOM-killed something in the container's memory cgroup (Docker's
 * State.OOMKilled). Read before the cgroups are removed: the counters go with them. The
 * memory hierarchy is "memory" in state.json's cgroup_paths on v1, "" (the one tree) on v2.
 */
static int cgroup_oom_killed(void) {
  static char buf[256 * 1024];
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s/state.json", opt.root, opt.id) >= sizeof path) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    if (len == sizeof buf - 1) break;
  }
  close(fd);
  buf[len] = 0;
  char *cg = strstr(buf, "\"cgroup_paths\":{");
  if (!cg) return 0;
  const char *keys[2] = {"\"memory\":\"", "\"\":\""};
  const char *files[2] = {"memory.oom_control", "memory.events"};
  for (int i = 0; i < 2; i++) {
    char *v = strstr(cg, keys[i]);
    if (!v) continue;
    v += strlen(keys[i]);
    char *vend = strchr(v, '"');
    if (!vend || (size_t)(vend - v) >= PATH_MAX) continue;
    char dir[PATH_MAX];
    memcpy(dir, v, (size_t)(vend - v));
    dir[vend - v] = 0;
    if (read_oom_kill(dir, files[i]) > 0) return 1;
  }
  return 0;
}

/* ---------- overlay ---------- */

/*
 * mount(2) data is limited to one page. When the option string is longer we
 * chdir into the directory all paths share and pass them relative to it
 * (overlayfs resolves relative lowerdirs against the caller's cwd).
 */
static int shorten_overlay_opts(const char *opts, char *out, size_t cap, char *prefix, size_t pcap) {
  /* Common prefix of every path: lowerdir entries, upperdir, workdir. */
  size_t plen = (size_t)-1;
  const char *first = NULL;
  const char *p = opts;
  while (*p) {
    const char *eq = strchr(p, '=');
    if (!eq) return -1;
    const char *v = eq + 1;
    for (;;) {
      size_t vl = strcspn(v, ":,");
      if (v[0] == '/') {
        if (!first) {
          first = v;
          plen = vl;
        } else {
          size_t i = 0;
          while (i < plen && i < vl && first[i] == v[i]) i++;
          plen = i;
        }
      }
      v += vl;
      if (*v != ':') break;
      v++;
    }
    p = *v == ',' ? v + 1 : v;
  }
  if (!first) return -1;
  while (plen > 0 && first[plen - 1] != '/') plen--; /* back to a directory boundary */
  if (plen <= 1 || plen >= pcap) return -1;
  memcpy(prefix, first, plen - 1);
  prefix[plen - 1] = 0;
  /* Rewrite with the prefix removed from absolute paths. */
  size_t o = 0;
  for (p = opts; *p; p++) {
    int at_path_start = (p == opts || p[-1] == '=' || p[-1] == ':') && p[0] == '/';
    if (at_path_start && strncmp(p, first, plen) == 0) p += plen;
    if (o + 1 >= cap) return -1;
    out[o++] = *p;
  }
  out[o] = 0;
  return 0;
}

static int mount_overlay(char *err, size_t errcap) {
  long page = sysconf(_SC_PAGESIZE);
  mkdir(opt.ovl_rootfs, 0755);
  if ((long)strlen(opt.ovl_opts) < page) {
    if (mount("overlay", opt.ovl_rootfs, "overlay", 0, opt.ovl_opts) == 0) return 0;
    snprintf(err, errcap, "mount overlay on %s: %s", opt.ovl_rootfs, strerror(errno));
    return -1;
  }
  static char shortopts[4096], prefix[PATH_MAX];
  if (shorten_overlay_opts(opt.ovl_opts, shortopts, sizeof shortopts, prefix, sizeof prefix) < 0 ||
      (long)strlen(shortopts) >= page) {
    snprintf(err, errcap, "overlay mount options exceed the page size (%zu bytes, %ld layers too many)",
             strlen(opt.ovl_opts), page);
    return -1;
  }
  int rc = -1;
  if (chdir(prefix) == 0) {
    rc = mount("overlay", opt.ovl_rootfs, "overlay", 0, shortopts);
    if (rc < 0) snprintf(err, errcap, "mount overlay on %s: %s", opt.ovl_rootfs, strerror(errno));
  } else {
    snprintf(err, errcap, "chdir %s: %s", prefix, strerror(errno));
  }
  (void)!chdir("/");
  return rc;
}

static void umount_overlay(void) {
  if (!overlay_mounted) return;
  if (umount2(opt.ovl_rootfs, 0) < 0 && errno != EINVAL) umount2(opt.ovl_rootfs, MNT_DETACH);
  overlay_mounted = 0;
}

/* ---------- json-file log ---------- */

struct stream {
  int fd;
  const char *name;
  size_t len;
  char buf[LINE_MAX_BYTES];
};
static struct stream out_streams[2] = {{.fd = -1, .name = "stdout"}, {.fd = -1, .name = "stderr"}};
static char json_buf[LINE_MAX_BYTES * 6 + 128];

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0 if invalid/incomplete. */
static size_t utf8_len(const unsigned char *p, size_t n) {
  unsigned char c = p[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) need = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else return 0;
  if (n < need) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < need; i++)
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  return need;
}

static int open_log(void) {
  int fd = open(opt.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  struct stat st;
  log_size = fd >= 0 && fstat(fd, &st) == 0 ? (long long)st.st_size : 0;
  return fd;
}

/* <log>.(n-1) is dropped, .i becomes .i+1, <log> becomes .1; a fresh <log> follows. */
static void rotate_log(void) {
  static char from[PATH_MAX], to[PATH_MAX];
  if (opt.log_max_files <= 1) {
    if (ftruncate(log_fd, 0) == 0) log_size = 0;
    return;
  }
  snprintf(to, sizeof to, "%s.%d", opt.log, opt.log_max_files - 1);
  unlink(to);
  for (int i = opt.log_max_files - 2; i >= 1; i--) {
    snprintf(from, sizeof from, "%s.%d", opt.log, i);
    snprintf(to, sizeof to, "%s.%d", opt.log, i + 1);
    rename(from, to);
  }
  snprintf(to, sizeof to, "%s.1", opt.log);
  if (rename(opt.log, to) < 0) return; /* keep writing where we are */
  int fd = open_log();
  if (fd < 0) return;
  dup3(fd, log_fd, O_CLOEXEC); /* keep the descriptor number: nothing else needs to know */
  close(fd);
  log_size = 0;
}

static void log_record(const char *stream, const char *data, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)data;
  char ts[40];
  size_t o = 0;
  memcpy(json_buf, "{\"log\":\"", 8);
  o = 8;
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
      case '"': json_buf[o++] = '\\'; json_buf[o++] = '"'; break;
      case '\\': json_buf[o++] = '\\'; json_buf[o++] = '\\'; break;
      case '\n': json_buf[o++] = '\\'; json_buf[o++] = 'n'; break;
      case '\r': json_buf[o++] = '\\'; json_buf[o++] = 'r'; break;
      case '\t': json_buf[o++] = '\\'; json_buf[o++] = 't'; break;
      default:
        if (c < 0x20) {
          memcpy(json_buf + o, "\\u00", 4);
          o += 4;
          json_buf[o++] = hex[c >> 4];
          json_buf[o++] = hex[c & 15];
        } else {
          json_buf[o++] = (char)c;
        }
      }
      i++;
      continue;
    }
    size_t l = utf8_len(s + i, n - i);
    if (l == 0) { /* invalid byte: replacement character, as Go's encoder does */
      memcpy(json_buf + o, "\\ufffd", 6);
      o += 6;
      i++;
    } else {
      memcpy(json_buf + o, s + i, l);
      o += l;
      i += l;
    }
  }
  now_rfc3339(ts);
  o += (size_t)snprintf(json_buf + o, sizeof json_buf - o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, ts);
  if (log_fd < 0) return;
  if (opt.log_max_size > 0 && log_size > 0 && log_size + (long long)o > opt.log_max_size) rotate_log();
  if (write_all(log_fd, json_buf, o) == 0) log_size += (long long)o;
}

/* Where to cut a full buffer so a multi-byte character is not split (keeps up to 3 trailing bytes). */
static size_t utf8_safe_cut(const unsigned char *b, size_t n) {
  for (size_t back = 1; back <= 3 && back <= n; back++) {
    unsigned char c = b[n - back];
    if ((c & 0xC0) == 0x80) continue; /* continuation byte: keep looking for the lead */
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back && n - back > 0 ? n - back : n;
  }
  return n;
}

/* Emit complete lines; with `final`, the partial tail too. A full buffer without a newline is flushed. */
static void stream_emit(struct stream *s, int final) {
  size_t start = 0;
  for (;;) {
    char *nl = memchr(s->buf + start, '\n', s->len - start);
    if (!nl) break;
    size_t end = (size_t)(nl - s->buf) + 1;
    log_record(s->name, s->buf + start, end - start);
    start = end;
  }
  if (final && start < s->len) {
    log_record(s->name, s->buf + start, s->len - start);
    start = s->len;
  } else if (start == 0 && s->len == sizeof s->buf) {
    start = utf8_safe_cut((unsigned char *)s->buf, s->len);
    log_record(s->name, s->buf, start);
  }
  memmove(s->buf, s->buf + start, s->len - start);
  s->len -= start;
}

static void stream_close(struct stream *s) {
  stream_emit(s, 1);
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
}

/* Read what is available; returns 0 when the stream is still open. */
static int stream_read(struct stream *s) {
  for (;;) {
    ssize_t r = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
    if (r > 0) {
      s->len += (size_t)r;
      stream_emit(s, 0);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) {
      /* A terminal's partial line is a prompt or an echo: attach streams from the log, so it goes now. */
      if (opt.tty && s->len > 0) stream_emit(s, 1);
      return 0;
    }
    stream_close(s); /* EOF, or EIO from a pty master whose slave side is gone */
    return -1;
  }
}

/* ---------- container stdin ---------- */

static int in_fd = -1; /* pipe write end, or a dup of the pty master */
static char in_buf[8192];
static size_t in_len, in_off;
static int stdin_client = -1, stdin_client_eof;

struct client {
  int fd;
  size_t len;
  char buf[CMD_MAX];
};
static struct client clients[MAX_CLIENTS];

static void client_close(int i) {
  if (clients[i].fd >= 0) close(clients[i].fd);
  clients[i].fd = -1;
  clients[i].len = 0;
  if (stdin_client == i) {
    stdin_client = -1;
    stdin_client_eof = 0;
    in_len = in_off = 0;
  }
}

static void close_container_stdin(void) {
  if (in_fd < 0) return;
  if (opt.tty) {
    write(in_fd, "\x04", 1); /* a pty has no EOF of its own; ^D is what a terminal sends */
    return;
  }
  close(in_fd);
  in_fd = -1;
}

/* The stdin client is done once its data is written and it has hung up. */
static void stdin_maybe_finish(void) {
  if (stdin_client < 0 || !stdin_client_eof || in_off < in_len) return;
  client_close(stdin_client);
  if (opt.stdin_once) close_container_stdin();
}

static void stdin_flush(void) {
  while (in_off < in_len && in_fd >= 0) {
    ssize_t w = write(in_fd, in_buf + in_off, in_len - in_off);
    if (w > 0) {
      in_off += (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return;
    /* EPIPE/EIO: nobody reads the container's stdin any more. */
    if (!opt.tty) {
      close(in_fd);
      in_fd = -1;
    }
    if (stdin_client >= 0) client_close(stdin_client);
    return;
  }
  if (in_off == in_len) in_off = in_len = 0;
  stdin_maybe_finish();
}

/* ---------- socket commands ---------- */

static void reply(int fd, const char *s) { (void)!write(fd, s, strlen(s)); }

static void client_command(int i, char *line, char *rest, size_t restlen) {
  struct client *c = &clients[i];
  char msg[128];
  if (strcmp(line, "stdin") == 0) {
    if (!opt.use_stdin || in_fd < 0 || stdin_client >= 0) {
      reply(c->fd, stdin_client >= 0 ? "error stdin is already attached\n" : "error stdin is not open\n");
      client_close(i);
      return;
    }
    stdin_client = i;
    stdin_client_eof = 0;
    memcpy(in_buf, rest, restlen);
    in_len = restlen;
    in_off = 0;
    c->len = 0;
    stdin_flush();
    return;
  }
  int a, b;
  if (strcmp(line, "ping") == 0) {
    snprintf(msg, sizeof msg, "ok %d\n", (int)container_pid);
    reply(c->fd, msg);
  } else if (sscanf(line, "kill %d", &a) == 1) {
    if (container_pid <= 0 || container_reaped) reply(c->fd, "error container is not running\n");
    else if (kill(container_pid, a) < 0) {
      snprintf(msg, sizeof msg, "error %s\n", strerror(errno));
      reply(c->fd, msg);
    } else reply(c->fd, "ok\n");
  } else if (sscanf(line, "resize %d %d", &a, &b) == 2) {
    struct winsize ws = {.ws_row = (unsigned short)a, .ws_col = (unsigned short)b};
    int fd = in_fd >= 0 ? in_fd : out_streams[0].fd;
    if (!opt.tty || fd < 0) reply(c->fd, "error container has no tty\n");
    else if (ioctl(fd, TIOCSWINSZ, &ws) < 0) {
      snprintf(msg, sizeof msg, "error %s\n", strerror(errno));
      reply(c->fd, msg);
    } else reply(c->fd, "ok\n");
  } else {
    reply(c->fd, "error unknown command\n");
  }
  client_close(i);
}

static void client_readable(int i) {
  struct client *c = &clients[i];
  if (i == stdin_client) {
    ssize_t r = read(c->fd, in_buf, sizeof in_buf);
    if (r > 0) {
      in_off = 0;
      in_len = (size_t)r;
    } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
      stdin_client_eof = 1;
    }
    stdin_flush();
    return;
  }
  ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) {
    client_close(i);
    return;
  }
  c->len += (size_t)r;
  char *nl = memchr(c->buf, '\n', c->len);
  if (!nl) {
    if (c->len >= sizeof c->buf - 1) client_close(i); /* not a command */
    return;
  }
  *nl = 0;
  static char rest[CMD_MAX];
  size_t restlen = c->len - (size_t)(nl + 1 - c->buf);
  memcpy(rest, nl + 1, restlen);
  client_command(i, c->buf, rest, restlen);
}

static void accept_clients(void) {
  for (;;) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    int slot = -1;
    for (int i = 0; i < MAX_CLIENTS; i++)
      if (clients[i].fd < 0) {
        slot = i;
        break;
      }
    if (slot < 0) {
      reply(fd, "error too many clients\n");
      close(fd);
      continue;
    }
    clients[slot].fd = fd;
    clients[slot].len = 0;
  }
}

/* ---------- reaping ---------- */

static void reap(void) {
  struct signalfd_siginfo si;
  while (read(sig_fd, &si, sizeof si) > 0) {
  }
  for (;;) {
    int st;
    pid_t r = waitpid(-1, &st, WNOHANG);
    if (r <= 0) return;
    if (r == container_pid) {
      container_reaped = 1;
      container_status = st;
    }
  }
}

/* ---------- setup ---------- */

static int listen_unix(const char *path, int backlog) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, path);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  mode_t old = umask(0177); /* the socket file is created 0600 */
  int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (rc < 0 || listen(fd, backlog) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* The pty master arrives from runc over the console socket as SCM_RIGHTS. */
static int receive_console(int lfd) {
  struct pollfd p = {.fd = lfd, .events = POLLIN};
  if (poll(&p, 1, 5000) <= 0) return -1;
  int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) return -1;
  char data[256];
  union {
    struct cmsghdr h;
    char b[CMSG_SPACE(sizeof(int))];
  } ctl;
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
  int fd = -1;
  if (recvmsg(c, &m, MSG_CMSG_CLOEXEC) > 0) {
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(h), sizeof fd);
  }
  close(c);
  return fd;
}

/* The last error runc logged (json log lines: {"level":"error","msg":"..."}), unescaped. */
static int runc_error_text(char *out, size_t cap) {
  static char buf[16384];
  int fd = open(runclog_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  off_t size = lseek(fd, 0, SEEK_END);
  off_t from = size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0;
  ssize_t n = pread(fd, buf, sizeof buf - 1, from);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *found = NULL;
  for (char *p = buf; (p = strstr(p, "\"level\":\"error\"")); p++) found = p;
  if (!found) return -1;
  char *msg = strstr(found, "\"msg\":\"");
  if (!msg) return -1;
  msg += 7;
  size_t o = 0;
  for (char *p = msg; *p && *p != '"' && o + 1 < cap; p++) {
    if (*p == '\\' && p[1]) {
      p++;
      if (*p == 'n' || *p == 't' || *p == 'r') out[o++] = ' ';
      else if (*p == 'u' && strlen(p) >= 5) {
        out[o++] = '?';
        p += 4;
      } else out[o++] = *p;
    } else out[o++] = *p;
  }
  out[o] = 0;
  return o > 0 ? 0 : -1;
}

/* Fallback error text: the last non-empty line runc printed on its stderr. */
static void last_line_of(int fd, char *out, size_t cap) {
  static char buf[8192];
  size_t len = 0;
  set_nonblock(fd);
  for (;;) {
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r <= 0) break;
    len += (size_t)r;
    if (len == sizeof buf - 1) len = 0; /* keep the tail only */
  }
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ')) len--;
  buf[len] = 0;
  char *start = strrchr(buf, '\n');
  start = start ? start + 1 : buf;
  if (*start) snprintf(out, cap, "%s", start);
}

static void fail_cleanup(void) {
  umount_overlay();
  if (listen_fd >= 0) unlink(sock_path);
  unlink(console_path);
}

static void die_early(const char *what) {
  char msg[1024];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  fail_cleanup();
  sync_line("error", msg);
  exit(1);
}

static void usage(const char *why) {
  sync_line("error", why);
  exit(2);
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **target = NULL;
    if (strcmp(a, "--stdin") == 0) opt.use_stdin = 1;
    else if (strcmp(a, "--stdin-once") == 0) opt.stdin_once = 1;
    else if (strcmp(a, "--tty") == 0) opt.tty = 1;
    else if (strcmp(a, "--exec") == 0) opt.exec_mode = 1;
    else if (strcmp(a, "--log-max-size") == 0 && i + 1 < argc) opt.log_max_size = atoll(argv[++i]);
    else if (strcmp(a, "--log-max-files") == 0 && i + 1 < argc) opt.log_max_files = atoi(argv[++i]);
    else if (strcmp(a, "--process") == 0) target = &opt.process;
    else if (strcmp(a, "--sync-fd") == 0 && i + 1 < argc) opt.sync_fd = atoi(argv[++i]);
    else if (strcmp(a, "--id") == 0) target = &opt.id;
    else if (strcmp(a, "--runtime") == 0) target = &opt.runtime;
    else if (strcmp(a, "--runtime-root") == 0) target = &opt.root;
    else if (strcmp(a, "--bundle") == 0) target = &opt.bundle;
    else if (strcmp(a, "--overlay-rootfs") == 0) target = &opt.ovl_rootfs;
    else if (strcmp(a, "--overlay-options") == 0) target = &opt.ovl_opts;
    else if (strcmp(a, "--log") == 0) target = &opt.log;
    else if (strcmp(a, "--state-dir") == 0) target = &opt.state;
    else usage("unknown argument");
    if (target) {
      if (i + 1 >= argc) usage("missing value");
      *target = argv[++i];
    }
  }
  if (!opt.id || !opt.runtime || !opt.root || !opt.log || !opt.state)
    usage("--id, --runtime, --runtime-root, --log and --state-dir are required");
  if (opt.exec_mode ? !opt.process || opt.ovl_rootfs : !opt.bundle)
    usage(opt.exec_mode ? "--exec needs --process and takes no overlay" : "--bundle is required");
  if (!opt.ovl_rootfs != !opt.ovl_opts) usage("--overlay-rootfs and --overlay-options go together");
  if (opt.log_max_files < 1) opt.log_max_files = 1;
}

/* ---------- exit ---------- */

static void write_exit_record(void) {
  int code = 0, sig = 0;
  if (WIFEXITED(container_status)) code = WEXITSTATUS(container_status);
  else if (WIFSIGNALED(container_status)) {
    sig = WTERMSIG(container_status);
    code = 128 + sig;
  }
  char ts[40], buf[160];
  now_rfc3339(ts);
  int n = snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"finishedAt\":\"%s\",\"signal\":%d%s}\n", code, ts, sig,
                   container_oom_killed ? ",\"oomKilled\":true" : "");
  /*
   * No fsync: the record only has to outlive skiffd, not the host. After a host crash every
   * container is dead anyway and startup reconciliation records it as exited ("monitor is gone");
   * rename alone keeps readers from seeing a partial record. Two fsyncs cost 3-10 ms here.
   */
  int fd = open(exit_tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  write_all(fd, buf, (size_t)n);
  close(fd);
  rename(exit_tmp_path, exit_path);
}

/* After the container's init is gone, read what is left in the pipes until EOF or the deadline. */
static void drain_outputs(int timeout_ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    struct pollfd p[2];
    int n = 0;
    struct stream *which[2];
    for (int i = 0; i < 2; i++)
      if (out_streams[i].fd >= 0) {
        p[n].fd = out_streams[i].fd;
        p[n].events = POLLIN;
        which[n++] = &out_streams[i];
      }
    if (n == 0) return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (spent >= timeout_ms) return;
    if (poll(p, (nfds_t)n, (int)(timeout_ms - spent)) <= 0) return;
    for (int i = 0; i < n; i++)
      if (p[i].revents) stream_read(which[i]);
  }
}

/* ---------- main ---------- */

enum { T_LISTEN, T_SIG, T_OUT, T_CLIENT, T_STDIN };

int main(int argc, char **argv) {
  parse_args(argc, argv);
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;
  /* Whatever else our parent leaked must not reach runc and the container. */
  if (opt.sync_fd > 3) close_range(3, (unsigned)opt.sync_fd - 1, 0);
  close_range(opt.sync_fd >= 3 ? (unsigned)opt.sync_fd + 1 : 3, ~0U, 0);
  if (opt.sync_fd >= 0) fcntl(opt.sync_fd, F_SETFD, FD_CLOEXEC);

  /* Detach from whoever started us: own session, /dev/null stdio, no cwd, immune to TERM/INT/HUP. */
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) die_early("open /dev/null");
  for (int fd = 0; fd <= 2; fd++)
    if (fd != opt.sync_fd) dup2(devnull, fd);
  setsid();
  if (chdir("/") < 0) die_early("chdir /");
  umask(022);
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sig_fd < 0) die_early("signalfd");

  path_join(sock_path, sizeof sock_path, opt.state, "monitor.sock");
  path_join(console_path, sizeof console_path, opt.state, "console.sock");
  path_join(pid_path, sizeof pid_path, opt.state, "pid");
  path_join(runclog_path, sizeof runclog_path, opt.state, "runc.log");
  path_join(exit_path, sizeof exit_path, opt.state, "exit.json");
  path_join(exit_tmp_path, sizeof exit_tmp_path, opt.state, "exit.json.tmp");
  if (!sock_path[0] || !console_path[0]) {
    errno = ENAMETOOLONG;
    die_early("state dir path too long for a unix socket");
  }

  if (opt.ovl_rootfs) {
    char err[1024];
    if (mount_overlay(err, sizeof err) < 0) {
      sync_line("error", err);
      exit(1);
    }
    overlay_mounted = 1;
  }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die_early("prctl(PR_SET_CHILD_SUBREAPER)");
  listen_fd = listen_unix(sock_path, 64);
  if (listen_fd < 0) die_early("listen on monitor.sock");
  log_fd = open_log();
  if (log_fd < 0) die_early("open log");

  /* Stdio for runc: with a tty runc hands us the pty master; without, the container gets our pipes. */
  int child_in = devnull, child_out, child_err, console_fd = -1, runc_err_read = -1;
  int p[2];
  if (opt.tty) {
    console_fd = listen_unix(console_path, 1);
    if (console_fd < 0) die_early("listen on console.sock");
    if (pipe2(p, O_CLOEXEC) < 0) die_early("pipe");
    runc_err_read = p[0];
    child_out = devnull;
    child_err = p[1];
  } else {
    if (pipe2(p, O_CLOEXEC) < 0) die_early("pipe");
    out_streams[0].fd = p[0];
    child_out = p[1];
    if (pipe2(p, O_CLOEXEC) < 0) die_early("pipe");
    out_streams[1].fd = p[0];
    child_err = p[1];
    if (opt.use_stdin) {
      if (pipe2(p, O_CLOEXEC) < 0) die_early("pipe");
      child_in = p[0];
      in_fd = p[1];
    }
  }

  unlink(pid_path);
  unlink(runclog_path);
  unlink(exit_path);
  char *run_argv[20];
  int k = 0;
  run_argv[k++] = (char *)opt.runtime;
  run_argv[k++] = "--root";
  run_argv[k++] = (char *)opt.root;
  run_argv[k++] = "--log";
  run_argv[k++] = runclog_path;
  run_argv[k++] = "--log-format";
  run_argv[k++] = "json";
  run_argv[k++] = opt.exec_mode ? "exec" : "run";
  run_argv[k++] = "--detach";
  run_argv[k++] = "--pid-file";
  run_argv[k++] = pid_path;
  if (opt.exec_mode) {
    run_argv[k++] = "--process";
    run_argv[k++] = (char *)opt.process;
  } else {
    run_argv[k++] = "--bundle";
    run_argv[k++] = (char *)opt.bundle;
  }
  if (opt.tty) {
    run_argv[k++] = "--console-socket";
    run_argv[k++] = console_path;
  }
  run_argv[k++] = (char *)opt.id;
  run_argv[k] = NULL;
  pid_t runc = spawn(run_argv, child_in, child_out, child_err);
  if (runc < 0) die_early("fork");
  /* Our copies of the child's ends must go, or we would never see EOF on the pipes. */
  if (child_in != devnull) close(child_in);
  if (child_out != devnull) close(child_out);
  close(child_err);
  int st = wait_for(runc);

  char pidtext[32] = {0};
  int pfd = open(pid_path, O_RDONLY | O_CLOEXEC);
  if (pfd >= 0) {
    (void)!read(pfd, pidtext, sizeof pidtext - 1);
    close(pfd);
  }
  container_pid = atoi(pidtext);
  int ok = st == 0 && container_pid > 0;
  if (ok && opt.tty) {
    int master = receive_console(console_fd);
    if (master < 0) ok = 0;
    else {
      set_nonblock(master);
      out_streams[0].fd = master;
      if (opt.use_stdin) {
        in_fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
        if (in_fd >= 0) set_nonblock(in_fd);
      }
    }
  }
  if (console_fd >= 0) {
    close(console_fd);
    unlink(console_path);
  }
  if (!ok) {
    char err[1024] = "";
    if (runc_error_text(err, sizeof err) < 0) {
      last_line_of(runc_err_read >= 0 ? runc_err_read : out_streams[1].fd, err, sizeof err);
      if (!err[0]) {
        if (st == 0) snprintf(err, sizeof err, "%s", opt.tty ? "no console from runtime" : "runtime wrote no pid file");
        else snprintf(err, sizeof err, "runtime exited with status %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      }
    }
    if (container_pid > 0 && !container_reaped) kill(container_pid, SIGKILL);
    if (!opt.exec_mode) runc_delete(); /* an exec must never take its container down */
    fail_cleanup(); /* before the reply: whoever reads it may check that nothing is left */
    sync_line("error", err);
    exit(1);
  }
  if (runc_err_read >= 0) close(runc_err_read);
  snprintf(pidtext, sizeof pidtext, "%d", (int)container_pid);
  sync_line("ok", pidtext);
  for (int i = 0; i < 2; i++)
    if (out_streams[i].fd >= 0) set_nonblock(out_streams[i].fd);
  if (in_fd >= 0) set_nonblock(in_fd);
  reap(); /* a SIGCHLD may have been consumed by wait_for */

  /* ---------- event loop ---------- */
  struct pollfd pfds[4 + MAX_CLIENTS + 1];
  int tag[4 + MAX_CLIENTS + 1], arg[4 + MAX_CLIENTS + 1];
  while (!container_reaped) {
    int n = 0;
    pfds[n] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    tag[n++] = T_LISTEN;
    pfds[n] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
    tag[n++] = T_SIG;
    for (int i = 0; i < 2; i++)
      if (out_streams[i].fd >= 0) {
        pfds[n] = (struct pollfd){.fd = out_streams[i].fd, .events = POLLIN};
        tag[n] = T_OUT;
        arg[n++] = i;
      }
    for (int i = 0; i < MAX_CLIENTS; i++) {
      if (clients[i].fd < 0) continue;
      if (i == stdin_client && (in_off < in_len || stdin_client_eof)) continue; /* backpressure */
      pfds[n] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
      tag[n] = T_CLIENT;
      arg[n++] = i;
    }
    if (in_fd >= 0 && in_off < in_len) {
      pfds[n] = (struct pollfd){.fd = in_fd, .events = POLLOUT};
      tag[n++] = T_STDIN;
    }
    /* A pipe's partial line (a prompt without newline) is logged once output pauses for a moment. */
    int partial = out_streams[0].len > 0 || out_streams[1].len > 0;
    int ready = poll(pfds, (nfds_t)n, partial ? PARTIAL_FLUSH_MS : -1);
    if (ready == 0) {
      for (int i = 0; i < 2; i++)
        if (out_streams[i].len > 0) stream_emit(&out_streams[i], 1);
      continue;
    }
    if (ready < 0) continue;
    for (int j = 0; j < n; j++) {
      if (!pfds[j].revents) continue;
      switch (tag[j]) {
      case T_LISTEN: accept_clients(); break;
      case T_SIG: reap(); break;
      case T_OUT: if (out_streams[arg[j]].fd >= 0) stream_read(&out_streams[arg[j]]); break;
      case T_CLIENT: if (clients[arg[j]].fd >= 0) client_readable(arg[j]); break;
      case T_STDIN: stdin_flush(); break;
      }
    }
  }

  /* ---------- the container has exited ---------- */
  close(listen_fd); /* commands are meaningless now; connects get ECONNREFUSED */
  for (int i = 0; i < MAX_CLIENTS; i++) client_close(i);
  drain_outputs(200);
  if (!opt.exec_mode) container_oom_killed = cgroup_oom_killed();
  if (!opt.exec_mode && fast_delete() < 0) {
    runc_delete();
    drain_outputs(1000); /* anything left outside a pid namespace died with runc delete --force */
  }
  for (int i = 0; i < 2; i++) stream_close(&out_streams[i]);
  if (in_fd >= 0) close(in_fd);
  umount_overlay();
  write_exit_record();
  unlink(sock_path);
  return 0;
}
