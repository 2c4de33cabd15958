/*
 * A libipvs for ipvsadm 1.31's own code (ipvsadm.c) that serves a fixed table instead of
 * asking the kernel: test/compat/ipvsadm.test.ts writes the table, builds ipvsadm.c
 * against this file, and compares what ipvsadm prints with what ipvx prints for the
 * same table. Only the functions that talk to the kernel are replaced; the sorting
 * (ipvs_cmp_services, ipvs_cmp_dests, ipvs_sort_*) and ipvs_strerror are libipvs.c's
 * own, appended by build.sh from the source package (libipvs-extract.c).
 *
 * Table file ($IPVX_STUB_TABLE), one record per line, fields separated by spaces:
 *   info VERSION SIZE
 *   timeout TCP TCPFIN UDP
 *   svc AF PROTO ADDR PORT FWMARK SCHED FLAGS TIMEOUT NETMASK PE CONNS INPKTS OUTPKTS INBYTES OUTBYTES CPS INPPS OUTPPS INBPS OUTBPS
 *   dest AF ADDR PORT CONNFLAGS WEIGHT UTHRESH LTHRESH ACTIVE INACT PERSIST CONNS INPKTS OUTPKTS INBYTES OUTBYTES CPS INPPS OUTPPS INBPS OUTBPS TUNTYPE TUNPORT TUNFLAGS
 * (dest lines belong to the svc line before them; PE "-" = none; NETMASK dotted for
 * AF 2, a prefix length for AF 10). Commands that would change the kernel's table are
 * written to $IPVX_STUB_LOG, one line each, and succeed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include "libipvs.h"

static void *ipvs_func = NULL;
struct ip_vs_getinfo ipvs_info;

struct stub_svc {
	ipvs_service_entry_t entry;
	unsigned num_dests;
	ipvs_dest_entry_t *dests;
};

static struct stub_svc *svcs;
static unsigned num_svcs;
static ipvs_timeout_t stub_timeout = { 900, 120, 300 };

static void parse_addr(int af, const char *text, union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(af, text, addr) != 1) {
		fprintf(stderr, "stub-libipvs: bad address %s\n", text);
		exit(99);
	}
}

static int load_table(void)
{
	const char *path = getenv("IPVX_STUB_TABLE");
	char line[4096];
	FILE *f;

	if (!path || !(f = fopen(path, "r")))
		return -1;
	ipvs_info.version = (1 << 16) | (2 << 8) | 1;
	ipvs_info.size = 4096;
	while (fgets(line, sizeof(line), f)) {
		char a[64], sched[IP_VS_SCHEDNAME_MAXLEN + 1], mask[64], pe[IP_VS_PENAME_MAXLEN + 2];
		unsigned af, proto, port, fwmark, flags, timeout;
		unsigned long long st[10];
		unsigned cf, u, l, act, inact, pers, tt, tp, tf;
		int w;

		if (!strncmp(line, "info ", 5)) {
			sscanf(line + 5, "%u %u", &ipvs_info.version, &ipvs_info.size);
		} else if (!strncmp(line, "timeout ", 8)) {
			sscanf(line + 8, "%d %d %d", &stub_timeout.tcp_timeout, &stub_timeout.tcp_fin_timeout, &stub_timeout.udp_timeout);
		} else if (!strncmp(line, "svc ", 4)) {
			struct stub_svc *s;
			ipvs_service_entry_t *e;

			if (sscanf(line + 4, "%u %u %63s %u %u %16s %u %u %63s %32s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				   &af, &proto, a, &port, &fwmark, sched, &flags, &timeout, mask, pe,
				   &st[0], &st[1], &st[2], &st[3], &st[4], &st[5], &st[6], &st[7], &st[8], &st[9]) != 20) {
				fprintf(stderr, "stub-libipvs: bad line: %s", line);
				exit(99);
			}
			svcs = realloc(svcs, sizeof(*svcs) * (num_svcs + 1));
			s = &svcs[num_svcs++];
			memset(s, 0, sizeof(*s));
			e = &s->entry;
			e->af = af;
			e->protocol = proto;
			parse_addr(af, a, &e->addr);
			e->__addr_v4 = e->addr.ip;
			e->port = htons(port);
			e->fwmark = fwmark;
			strncpy(e->sched_name, sched, sizeof(e->sched_name) - 1);
			e->flags = flags;
			e->timeout = timeout;
			if (af == AF_INET)
				e->netmask = inet_addr(mask);
			else
				e->netmask = strtoul(mask, NULL, 10);
			if (strcmp(pe, "-"))
				strncpy(e->pe_name, pe, sizeof(e->pe_name) - 1);
			e->stats64.conns = st[0]; e->stats64.inpkts = st[1]; e->stats64.outpkts = st[2];
			e->stats64.inbytes = st[3]; e->stats64.outbytes = st[4]; e->stats64.cps = st[5];
			e->stats64.inpps = st[6]; e->stats64.outpps = st[7]; e->stats64.inbps = st[8];
			e->stats64.outbps = st[9];
		} else if (!strncmp(line, "dest ", 5)) {
			struct stub_svc *s = &svcs[num_svcs - 1];
			ipvs_dest_entry_t *d;

			if (!num_svcs || sscanf(line + 5, "%u %63s %u %u %d %u %u %u %u %u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %u %u %u",
				   &af, a, &port, &cf, &w, &u, &l, &act, &inact, &pers,
				   &st[0], &st[1], &st[2], &st[3], &st[4], &st[5], &st[6], &st[7], &st[8], &st[9],
				   &tt, &tp, &tf) != 23) {
				fprintf(stderr, "stub-libipvs: bad line: %s", line);
				exit(99);
			}
			s->dests = realloc(s->dests, sizeof(*s->dests) * (s->num_dests + 1));
			d = &s->dests[s->num_dests++];
			memset(d, 0, sizeof(*d));
			d->af = af;
			parse_addr(af, a, &d->addr);
			d->__addr_v4 = d->addr.ip;
			d->port = htons(port);
			d->conn_flags = cf;
			d->weight = w;
			d->u_threshold = u;
			d->l_threshold = l;
			d->activeconns = act;
			d->inactconns = inact;
			d->persistconns = pers;
			d->stats64.conns = st[0]; d->stats64.inpkts = st[1]; d->stats64.outpkts = st[2];
			d->stats64.inbytes = st[3]; d->stats64.outbytes = st[4]; d->stats64.cps = st[5];
			d->stats64.inpps = st[6]; d->stats64.outpps = st[7]; d->stats64.inbps = st[8];
			d->stats64.outbps = st[9];
			d->tun_type = tt;
			d->tun_port = htons(tp);
			d->tun_flags = tf;
			s->entry.num_dests = s->num_dests;
		}
	}
	fclose(f);
	return 0;
}

int ipvs_init(void)
{
	ipvs_func = ipvs_init;
	return load_table();
}

int ipvs_getinfo(void)
{
	ipvs_func = ipvs_getinfo;
	return 0;
}

unsigned int ipvs_version(void)
{
	return ipvs_info.version;
}

/* Changes are written to the log in one fixed form, for the test to compare with ipvx's parse. */
static int log_change(const char *what, const ipvs_service_t *svc, const ipvs_dest_t *dest)
{
	const char *path = getenv("IPVX_STUB_LOG");
	char a[INET6_ADDRSTRLEN] = "", d[INET6_ADDRSTRLEN] = "";
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return 0;
	fprintf(f, "%s", what);
	if (svc) {
		inet_ntop(svc->af ? svc->af : AF_INET, &svc->addr, a, sizeof(a));
		fprintf(f, " svc af=%u proto=%u addr=%s port=%u fwmark=%u sched=%s flags=%u timeout=%u netmask=%u",
			svc->af, svc->protocol, a, ntohs(svc->port), svc->fwmark, svc->sched_name,
			svc->flags, svc->timeout, svc->af == AF_INET6 ? svc->netmask : ntohl(svc->netmask));
	}
	if (dest) {
		inet_ntop(dest->af ? dest->af : AF_INET, &dest->addr, d, sizeof(d));
		fprintf(f, " dest af=%u addr=%s port=%u fwd=%u weight=%d u=%u l=%u tun=%u/%u/%u",
			dest->af, d, ntohs(dest->port), dest->conn_flags & IP_VS_CONN_F_FWD_MASK,
			dest->weight, dest->u_threshold, dest->l_threshold,
			dest->tun_type, ntohs(dest->tun_port), dest->tun_flags);
	}
	fprintf(f, "\n");
	fclose(f);
	return 0;
}

int ipvs_flush(void) { ipvs_func = ipvs_flush; return log_change("flush", NULL, NULL); }
int ipvs_add_service(ipvs_service_t *svc) { ipvs_func = ipvs_add_service; return log_change("add-service", svc, NULL); }
int ipvs_update_service(ipvs_service_t *svc) { ipvs_func = ipvs_update_service; return log_change("edit-service", svc, NULL); }
int ipvs_del_service(ipvs_service_t *svc) { ipvs_func = ipvs_del_service; return log_change("delete-service", svc, NULL); }
int ipvs_zero_service(ipvs_service_t *svc) { ipvs_func = ipvs_zero_service; return log_change("zero", svc, NULL); }
int ipvs_add_dest(ipvs_service_t *svc, ipvs_dest_t *dest) { ipvs_func = ipvs_add_dest; return log_change("add-server", svc, dest); }
int ipvs_update_dest(ipvs_service_t *svc, ipvs_dest_t *dest) { ipvs_func = ipvs_update_dest; return log_change("edit-server", svc, dest); }
int ipvs_del_dest(ipvs_service_t *svc, ipvs_dest_t *dest) { ipvs_func = ipvs_del_dest; return log_change("delete-server", svc, dest); }

int ipvs_set_timeout(ipvs_timeout_t *to)
{
	const char *path = getenv("IPVX_STUB_LOG");
	FILE *f;

	ipvs_func = ipvs_set_timeout;
	if (path && (f = fopen(path, "a"))) {
		fprintf(f, "set tcp=%d tcpfin=%d udp=%d\n", to->tcp_timeout, to->tcp_fin_timeout, to->udp_timeout);
		fclose(f);
	}
	return 0;
}

int ipvs_start_daemon(ipvs_daemon_t *dm) { (void)dm; ipvs_func = ipvs_start_daemon; return 0; }
int ipvs_stop_daemon(ipvs_daemon_t *dm) { (void)dm; ipvs_func = ipvs_stop_daemon; return 0; }

struct ip_vs_get_services *ipvs_get_services(void)
{
	struct ip_vs_get_services *get;
	unsigned i;

	ipvs_func = ipvs_get_services;
	get = malloc(sizeof(*get) + sizeof(ipvs_service_entry_t) * num_svcs);
	get->num_services = num_svcs;
	for (i = 0; i < num_svcs; i++)
		get->entrytable[i] = svcs[i].entry;
	return get;
}

static struct stub_svc *find_svc(__u32 fwmark, __u16 af, __u16 protocol, const union nf_inet_addr *addr, __u16 port)
{
	unsigned i;

	for (i = 0; i < num_svcs; i++) {
		ipvs_service_entry_t *e = &svcs[i].entry;

		/* As the kernel: __ip_vs_svc_fwm_find (ip_vs_ctl.c) matches the mark and the family. */
		if (fwmark ? e->fwmark == fwmark && e->af == af
			   : (!e->fwmark && e->af == af && e->protocol == protocol && e->port == port &&
			      !memcmp(&e->addr, addr, af == AF_INET6 ? 16 : 4)))
			return &svcs[i];
	}
	return NULL;
}

struct ip_vs_get_dests *ipvs_get_dests(ipvs_service_entry_t *svc)
{
	struct ip_vs_get_dests *d;
	struct stub_svc *s;
	unsigned i;

	ipvs_func = ipvs_get_dests;
	s = find_svc(svc->fwmark, svc->af, svc->protocol, &svc->addr, svc->port);
	if (!s) {
		errno = ESRCH;
		return NULL;
	}
	d = malloc(sizeof(*d) + sizeof(ipvs_dest_entry_t) * s->num_dests);
	memset(d, 0, sizeof(*d));
	d->num_dests = s->num_dests;
	for (i = 0; i < s->num_dests; i++)
		d->entrytable[i] = s->dests[i];
	return d;
}

ipvs_service_entry_t *ipvs_get_service(__u32 fwmark, __u16 af, __u16 protocol, union nf_inet_addr addr, __u16 port)
{
	struct stub_svc *s;
	ipvs_service_entry_t *e;

	ipvs_func = ipvs_get_service;
	s = find_svc(fwmark, af, protocol, &addr, port);
	if (!s) {
		errno = ESRCH;
		return NULL;
	}
	e = malloc(sizeof(*e));
	*e = s->entry;
	return e;
}

ipvs_timeout_t *ipvs_get_timeout(void)
{
	ipvs_timeout_t *t = malloc(sizeof(*t));

	ipvs_func = ipvs_get_timeout;
	*t = stub_timeout;
	return t;
}

ipvs_daemon_t *ipvs_get_daemon(void)
{
	ipvs_daemon_t *d = calloc(2, sizeof(*d));

	ipvs_func = ipvs_get_daemon;
	return d;
}

void ipvs_close(void)
{
}

/* libipvs.c's own comparison, sorting and error texts (copied in by build.sh). */
#include "libipvs-extract.c"
