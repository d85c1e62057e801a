/*
 * skiff-netsetup: a container's network plumbing in one short-lived process, through netlink.
 *
 * skiffd used to spawn `unshare --net=FILE ip -batch -`, then `ip -batch -`, then `nft -f -`
 * per bridged start; on a loaded host each spawn of ip/nft costs 5-150 ms (nft parses and
 * caches the whole ruleset). This helper does the same work with a few netlink round trips:
 * creating (or entering) the namespace file, the veth pair, addresses, routes, bridge
 * enslavement, and adding/removing published-port elements in skiff's own nft maps.
 *
 * Input on stdin, one command a line, executed in order (elements are sent as one nftables
 * transaction at the end):
 *   create PATH                         unshare a net namespace, bind-mount it on PATH (exists)
 *   enter PATH                          join the namespace held by PATH
 *   create-userns PATH USERNS UIDMAP GIDMAP
 *                                       a user namespace with these mappings (c:h:n[,c:h:n…])
 *                                       and a net namespace it owns, bind-mounted on USERNS and
 *                                       PATH (both exist); then as enter PATH
 *   lo-up
 *   veth IFNAME MAC HOSTVETH CIDR GW|- BRIDGE
 *   addr6 IFNAME CIDR6 GW6|-           an IPv6 address (no DAD) and default route inside
 *   elem add|del TABLE any PROTO HOSTPORT [CTRIP CTRPORT]
 *   elem add|del TABLE ip HOSTIP PROTO HOSTPORT [CTRIP CTRPORT]
 *   elem add|del TABLE any6 PROTO HOSTPORT [CTRIP6 CTRPORT]      (skiff's ip6 table)
 *   elem add|del TABLE ip6 HOSTIP6 PROTO HOSTPORT [CTRIP6 CTRPORT]
 * On failure: a message on stderr and exit 1; skiffd rolls back (deletes veths and the file).
 * Sockets opened before the namespace switch stay in skiffd's namespace: that is how the
 * host half (bridge, nft) is done from the same process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *current = "";

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "skiff-netsetup: %s: ", current);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

/* --- netlink message building ------------------------------------------------------------ */

struct msg {
  char buf[4096];
  size_t len;
};

static struct nlmsghdr *msg_start(struct msg *m, unsigned type, unsigned flags, const void *hdr, size_t hlen) {
  size_t at = NLMSG_ALIGN(m->len);
  struct nlmsghdr *n = (struct nlmsghdr *)(m->buf + at);
  if (at + NLMSG_HDRLEN + NLMSG_ALIGN(hlen) > sizeof m->buf) die("message too long");
  memset(n, 0, NLMSG_HDRLEN + NLMSG_ALIGN(hlen));
  n->nlmsg_type = type;
  n->nlmsg_flags = NLM_F_REQUEST | flags;
  memcpy(m->buf + at + NLMSG_HDRLEN, hdr, hlen);
  m->len = at + NLMSG_HDRLEN + NLMSG_ALIGN(hlen);
  n->nlmsg_len = m->len - at;
  return n;
}

static void msg_end(struct msg *m, struct nlmsghdr *n) { n->nlmsg_len = (m->buf + m->len) - (char *)n; }

static struct nlattr *attr(struct msg *m, unsigned type, const void *data, size_t dlen) {
  size_t at = NLMSG_ALIGN(m->len);
  if (at + NLA_HDRLEN + NLA_ALIGN(dlen) > sizeof m->buf) die("message too long");
  struct nlattr *a = (struct nlattr *)(m->buf + at);
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + dlen;
  memset(m->buf + at + NLA_HDRLEN, 0, NLA_ALIGN(dlen));
  if (dlen) memcpy(m->buf + at + NLA_HDRLEN, data, dlen);
  m->len = at + NLA_HDRLEN + NLA_ALIGN(dlen);
  return a;
}

static void attr_str(struct msg *m, unsigned type, const char *s) { attr(m, type, s, strlen(s) + 1); }
static void attr_u32(struct msg *m, unsigned type, uint32_t v) { attr(m, type, &v, 4); }
static struct nlattr *nest(struct msg *m, unsigned type) { return attr(m, type | NLA_F_NESTED, NULL, 0); }
static void nest_end(struct msg *m, struct nlattr *a) { a->nla_len = (m->buf + m->len) - (char *)a; }

/* --- netlink transport ------------------------------------------------------------------- */

static unsigned seq = 1;

static int nl_open(int proto) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
  if (fd < 0) die("netlink socket: %s", strerror(errno));
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("netlink bind: %s", strerror(errno));
  /* A refused batch may answer fewer messages than asked: never hang skiffd's start. */
  struct timeval tv = {.tv_sec = 5};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/* Sends every message in `m` (each numbered) and waits for one ack per message flagged
 * NLM_F_ACK; the first error wins. `reply` (optional) receives a non-ack answer. */
static void nl_talk(int fd, struct msg *m, void (*reply)(struct nlmsghdr *, void *), void *ctx) {
  unsigned want = 0, first = seq;
  for (size_t at = 0; at < m->len;) {
    struct nlmsghdr *n = (struct nlmsghdr *)(m->buf + at);
    n->nlmsg_seq = seq++;
    if (n->nlmsg_flags & NLM_F_ACK) want++;
    at += NLMSG_ALIGN(n->nlmsg_len);
  }
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&to, sizeof to) < 0) die("netlink send: %s", strerror(errno));
  int err = 0;
  char buf[16384];
  while (want > 0) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("netlink recv: %s", strerror(errno));
    }
    for (struct nlmsghdr *n = (struct nlmsghdr *)buf; NLMSG_OK(n, (unsigned)r); n = NLMSG_NEXT(n, r)) {
      if (n->nlmsg_seq < first) continue;
      if (n->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(n);
        if (e->error && !err) err = -e->error;
        want--;
      } else if (reply) {
        reply(n, ctx);
      }
    }
  }
  m->len = 0;
  if (err) die("%s", strerror(err));
}

/* --- rtnetlink steps --------------------------------------------------------------------- */

static void got_index(struct nlmsghdr *n, void *ctx) {
  if (n->nlmsg_type == RTM_NEWLINK) *(int *)ctx = ((struct ifinfomsg *)NLMSG_DATA(n))->ifi_index;
}

static int link_index(int fd, const char *name) {
  struct msg m = {.len = 0};
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  struct nlmsghdr *n = msg_start(&m, RTM_GETLINK, NLM_F_ACK, &ifi, sizeof ifi);
  attr_str(&m, IFLA_IFNAME, name);
  msg_end(&m, n);
  int index = 0;
  nl_talk(fd, &m, got_index, &index);
  if (!index) die("no link %s", name);
  return index;
}

/* Sets flags (and optionally the master) of a link named `name` (no index lookup needed). */
static void link_set(struct msg *m, const char *name, int index, unsigned up, int master) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = up ? IFF_UP : 0, .ifi_change = IFF_UP};
  struct nlmsghdr *n = msg_start(m, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  if (name) attr_str(m, IFLA_IFNAME, name);
  if (master) attr_u32(m, IFLA_MASTER, (uint32_t)master);
  msg_end(m, n);
}

static void parse_cidr(const char *cidr, struct in_addr *a, int *prefix) {
  char ip[32];
  const char *slash = strchr(cidr, '/');
  if (!slash || (size_t)(slash - cidr) >= sizeof ip) die("bad address %s", cidr);
  memcpy(ip, cidr, slash - cidr);
  ip[slash - cidr] = 0;
  if (inet_pton(AF_INET, ip, a) != 1) die("bad address %s", cidr);
  *prefix = atoi(slash + 1);
  if (*prefix < 0 || *prefix > 32) die("bad prefix %s", cidr);
}

static void parse_mac(const char *s, unsigned char mac[6]) {
  unsigned v[6];
  if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) die("bad mac %s", s);
  for (int i = 0; i < 6; i++) mac[i] = (unsigned char)v[i];
}

/* The container half runs on `cfd` (inside), the host half on `hfd` (skiffd's namespace). */
static void veth(int cfd, int hfd, int hostns, char **f) {
  const char *ifname = f[1], *hostVeth = f[3], *gw = f[5], *bridge = f[6];
  unsigned char mac[6];
  struct in_addr addr, gwaddr;
  int prefix;
  parse_mac(f[2], mac);
  parse_cidr(f[4], &addr, &prefix);
  if (strlen(ifname) >= IFNAMSIZ || strlen(hostVeth) >= IFNAMSIZ) die("name too long");
  struct msg m = {.len = 0};

  /* The pair is made inside; its peer is created straight in skiffd's namespace. */
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  struct nlmsghdr *n = msg_start(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi, sizeof ifi);
  attr_str(&m, IFLA_IFNAME, ifname);
  attr(&m, IFLA_ADDRESS, mac, 6);
  struct nlattr *li = nest(&m, IFLA_LINKINFO);
  attr_str(&m, IFLA_INFO_KIND, "veth");
  struct nlattr *data = nest(&m, IFLA_INFO_DATA);
  struct nlattr *peer = nest(&m, VETH_INFO_PEER);
  struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
  if (m.len + sizeof pifi > sizeof m.buf) die("message too long");
  memcpy(m.buf + m.len, &pifi, sizeof pifi);
  m.len += NLMSG_ALIGN(sizeof pifi);
  attr_str(&m, IFLA_IFNAME, hostVeth);
  attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)hostns);
  nest_end(&m, peer);
  nest_end(&m, data);
  nest_end(&m, li);
  msg_end(&m, n);
  nl_talk(cfd, &m, NULL, NULL);

  int index = link_index(cfd, ifname);
  struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)index};
  n = msg_start(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifa, sizeof ifa);
  attr(&m, IFA_LOCAL, &addr, 4);
  attr(&m, IFA_ADDRESS, &addr, 4);
  msg_end(&m, n);
  link_set(&m, NULL, index, 1, 0);
  nl_talk(cfd, &m, NULL, NULL);
  if (strcmp(gw, "-") != 0) {
    if (inet_pton(AF_INET, gw, &gwaddr) != 1) die("bad gateway %s", gw);
    struct rtmsg rt = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                       .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
    n = msg_start(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &rt, sizeof rt);
    attr(&m, RTA_GATEWAY, &gwaddr, 4);
    attr_u32(&m, RTA_OIF, (uint32_t)index);
    msg_end(&m, n);
    nl_talk(cfd, &m, NULL, NULL);
  }

  /* Host half: into the bridge and up, then hairpin (a port's mode needs the master set first),
   * so a container can reach its own published port through the host. */
  int br = link_index(hfd, bridge);
  link_set(&m, hostVeth, 0, 1, br);
  nl_talk(hfd, &m, NULL, NULL);
  ifi = (struct ifinfomsg){.ifi_family = AF_UNSPEC};
  n = msg_start(&m, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
  attr_str(&m, IFLA_IFNAME, hostVeth);
  li = nest(&m, IFLA_LINKINFO);
  attr_str(&m, IFLA_INFO_SLAVE_KIND, "bridge");
  data = nest(&m, IFLA_INFO_SLAVE_DATA);
  unsigned char on = 1;
  attr(&m, IFLA_BRPORT_MODE, &on, 1);
  nest_end(&m, data);
  nest_end(&m, li);
  msg_end(&m, n);
  nl_talk(hfd, &m, NULL, NULL);
}

/* An IPv6 address on the container's IFNAME, flagged NODAD as Docker does (otherwise it stays
 * tentative for a second or more and the container's first packets fail), and the default
 * route through the network's v6 gateway. Runs after the veth line, once the link is up. */
static void addr6(int cfd, char **f) {
  const char *ifname = f[1], *gw = f[3];
  char ip[64];
  const char *slash = strchr(f[2], '/');
  if (!slash || (size_t)(slash - f[2]) >= sizeof ip) die("bad address %s", f[2]);
  memcpy(ip, f[2], slash - f[2]);
  ip[slash - f[2]] = 0;
  struct in6_addr addr, gwaddr;
  if (inet_pton(AF_INET6, ip, &addr) != 1) die("bad address %s", f[2]);
  int prefix = atoi(slash + 1);
  if (prefix < 1 || prefix > 128) die("bad prefix %s", f[2]);
  int index = link_index(cfd, ifname);
  struct msg m = {.len = 0};
  struct ifaddrmsg ifa = {.ifa_family = AF_INET6, .ifa_prefixlen = (unsigned char)prefix, .ifa_flags = IFA_F_NODAD,
                          .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)index};
  struct nlmsghdr *n = msg_start(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifa, sizeof ifa);
  attr(&m, IFA_LOCAL, &addr, 16);
  attr(&m, IFA_ADDRESS, &addr, 16);
  attr_u32(&m, IFA_FLAGS, IFA_F_NODAD);
  msg_end(&m, n);
  nl_talk(cfd, &m, NULL, NULL);
  if (strcmp(gw, "-") != 0) {
    if (inet_pton(AF_INET6, gw, &gwaddr) != 1) die("bad gateway %s", gw);
    struct rtmsg rt = {.rtm_family = AF_INET6, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                       .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
    n = msg_start(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &rt, sizeof rt);
    attr(&m, RTA_GATEWAY, &gwaddr, 16);
    attr_u32(&m, RTA_OIF, (uint32_t)index);
    msg_end(&m, n);
    nl_talk(cfd, &m, NULL, NULL);
  }
}

/* --- nftables map elements ------------------------------------------------------------- */

static int proto_of(const char *s) {
  if (!strcmp(s, "tcp")) return 6;
  if (!strcmp(s, "udp")) return 17;
  die("bad protocol %s", s);
  return 0;
}

static void port_be(unsigned char *p, const char *s) {
  long v = strtol(s, NULL, 10);
  if (v < 0 || v > 65535) die("bad port %s", s);
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

static void ipv4(unsigned char *p, const char *s) {
  if (inet_pton(AF_INET, s, p) != 1) die("bad address %s", s);
}

static void ipv6(unsigned char *p, const char *s) {
  if (inet_pton(AF_INET6, s, p) != 1) die("bad address %s", s);
}

/* Appends one NEWSETELEM/DELSETELEM. Concatenated keys put each field in a 4-byte register:
 * inet_proto (1 byte) and inet_service (2 bytes, network order) are zero-padded; an IPv6
 * address takes four registers. "any6"/"ip6" go to the ip6 table of the same name. */
static void elem(struct msg *m, char **f, int nfields) {
  int add = !strcmp(f[1], "add");
  if (!add && strcmp(f[1], "del")) die("add or del");
  int six = !strcmp(f[3], "any6") || !strcmp(f[3], "ip6");
  int byIp = !strcmp(f[3], "ip") || !strcmp(f[3], "ip6");
  if (!byIp && strcmp(f[3], "any") && strcmp(f[3], "any6")) die("any, ip, any6 or ip6");
  size_t alen = six ? 16 : 4;
  int keyFields = byIp ? 3 : 2;
  int base = 4;
  if (nfields != base + keyFields + 2 && (add || nfields != base + keyFields)) die("wrong field count");
  unsigned char key[24] = {0}, val[20] = {0};
  size_t klen = 0;
  if (byIp) (six ? ipv6 : ipv4)(key, f[base]), klen = alen;
  key[klen] = (unsigned char)proto_of(f[base + keyFields - 2]);
  port_be(key + klen + 4, f[base + keyFields - 1]);
  klen += 8;
  struct nfgenmsg g = {.nfgen_family = six ? NFPROTO_IPV6 : NFPROTO_IPV4, .version = NFNETLINK_V0};
  unsigned type = (NFNL_SUBSYS_NFTABLES << 8) | (add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
  struct nlmsghdr *n = msg_start(m, type, NLM_F_ACK | (add ? NLM_F_CREATE : 0), &g, sizeof g);
  attr_str(m, NFTA_SET_ELEM_LIST_TABLE, f[2]);
  attr_str(m, NFTA_SET_ELEM_LIST_SET, byIp ? "ports_ip" : "ports_any");
  struct nlattr *list = nest(m, NFTA_SET_ELEM_LIST_ELEMENTS);
  struct nlattr *e = nest(m, NFTA_LIST_ELEM);
  struct nlattr *k = nest(m, NFTA_SET_ELEM_KEY);
  attr(m, NFTA_DATA_VALUE, key, klen);
  nest_end(m, k);
  if (add) {
    (six ? ipv6 : ipv4)(val, f[base + keyFields]);
    port_be(val + alen, f[base + keyFields + 1]);
    struct nlattr *d = nest(m, NFTA_SET_ELEM_DATA);
    attr(m, NFTA_DATA_VALUE, val, alen + 4);
    nest_end(m, d);
  }
  nest_end(m, e);
  nest_end(m, list);
  msg_end(m, n);
}

static void batch_mark(struct msg *m, unsigned type) {
  struct nfgenmsg g = {.nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0, .res_id = htons(NFNL_SUBSYS_NFTABLES)};
  msg_start(m, type, 0, &g, sizeof g);
}

/* --- main --------------------------------------------------------------------------------- */

/* "0:100000:65536,65536:300000:10" -> "0 100000 65536\n65536 300000 10\n" into /proc/PID/FILE. */
static void write_idmap(pid_t pid, const char *file, const char *spec) {
  char buf[1024], path[64];
  size_t n = 0;
  for (const char *c = spec; *c && n < sizeof buf - 2; c++) buf[n++] = *c == ':' ? ' ' : *c == ',' ? '\n' : *c;
  buf[n++] = '\n';
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, buf, n) != (ssize_t)n) die("%s: %s", path, strerror(errno));
  close(fd);
}

/*
 * A net namespace owned by a new user namespace (a container under --userns-remap): runc can
 * mount sysfs and `runc exec` can join it only when the container's user namespace owns it.
 * A child unshares both (setns into a user namespace cannot be undone, so not this process),
 * this process, still host root, writes the child's id maps and bind-mounts its namespaces.
 */
static void create_in_userns(const char *netns, const char *userns, const char *uidmap, const char *gidmap) {
  int ready[2], done[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    close(ready[0]);
    close(done[1]); /* else the read below never sees the parent's close */
    char c = unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    if (read(done[0], &c, 1) < 0) _exit(1); /* until the parent closes its end */
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  char c = 0;
  if (read(ready[0], &c, 1) != 1 || c != 'y') die("unshare user+net namespaces failed");
  write_idmap(pid, "uid_map", uidmap);
  write_idmap(pid, "gid_map", gidmap);
  char src[64];
  snprintf(src, sizeof src, "/proc/%d/ns/user", (int)pid);
  if (mount(src, userns, NULL, MS_BIND, NULL) < 0) die("bind mount %s: %s", userns, strerror(errno));
  snprintf(src, sizeof src, "/proc/%d/ns/net", (int)pid);
  if (mount(src, netns, NULL, MS_BIND, NULL) < 0) die("bind mount %s: %s", netns, strerror(errno));
  close(done[1]);
  close(ready[0]);
  waitpid(pid, NULL, 0);
}

int main(void) {
  /* Everything on the host side is opened before any namespace switch. */
  int hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (hostns < 0) die("open /proc/self/ns/net: %s", strerror(errno));
  int hfd = nl_open(NETLINK_ROUTE);
  int nf = nl_open(NETLINK_NETFILTER), cfd = -1;
  static struct msg elems;
  elems.len = 0;
  batch_mark(&elems, NFNL_MSG_BATCH_BEGIN);
  size_t emptyBatch = elems.len;

  char line[1024];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    static char copy[1024];
    memcpy(copy, line, sizeof copy);
    current = copy;
    char *f[16];
    int nfields = 0;
    for (char *tok = strtok(line, " \t"); tok && nfields < 16; tok = strtok(NULL, " \t")) f[nfields++] = tok;
    if (nfields == 0) continue;
    if (!strcmp(f[0], "create") && nfields == 2) {
      if (cfd >= 0) die("namespace already chosen");
      if (unshare(CLONE_NEWNET) < 0) die("unshare: %s", strerror(errno));
      if (mount("/proc/self/ns/net", f[1], NULL, MS_BIND, NULL) < 0) die("bind mount: %s", strerror(errno));
      cfd = nl_open(NETLINK_ROUTE);
    } else if (!strcmp(f[0], "create-userns") && nfields == 5) {
      if (cfd >= 0) die("namespace already chosen");
      create_in_userns(f[1], f[2], f[3], f[4]);
      int fd = open(f[1], O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) die("%s", strerror(errno));
      close(fd);
      cfd = nl_open(NETLINK_ROUTE);
    } else if (!strcmp(f[0], "enter") && nfields == 2) {
      if (cfd >= 0) die("namespace already chosen");
      int fd = open(f[1], O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) die("%s", strerror(errno));
      close(fd);
      cfd = nl_open(NETLINK_ROUTE);
    } else if (!strcmp(f[0], "lo-up") && nfields == 1) {
      if (cfd < 0) die("no namespace chosen");
      struct msg m = {.len = 0};
      link_set(&m, "lo", 0, 1, 0);
      nl_talk(cfd, &m, NULL, NULL);
    } else if (!strcmp(f[0], "veth") && nfields == 7) {
      if (cfd < 0) die("no namespace chosen");
      veth(cfd, hfd, hostns, f);
    } else if (!strcmp(f[0], "addr6") && nfields == 4) {
      if (cfd < 0) die("no namespace chosen");
      addr6(cfd, f);
    } else if (!strcmp(f[0], "elem") && nfields >= 6) {
      elem(&elems, f, nfields);
    } else {
      die("unknown command");
    }
  }
  if (elems.len > emptyBatch) {
    current = "nft elements";
    batch_mark(&elems, NFNL_MSG_BATCH_END);
    nl_talk(nf, &elems, NULL, NULL);
  }
  return 0;
}
