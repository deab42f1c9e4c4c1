/* craft.h - DNS queries as crafted raw IPv4/IPv6 packets, for the probe modes
 * that must control the wire: DF set or clear, TTL / hop limit, IP id, source
 * address, interface or VRF, EDNS padding, and fragments the probe makes itself.
 *
 * RFC 791 (IPv4), RFC 8200 §4.5 (IPv6 fragment header), RFC 768 (UDP),
 * RFC 1035 §4.1 (DNS message), RFC 6891 (EDNS(0) OPT), RFC 7830 (padding).
 *
 *   IPv4 packet (no options)            IPv6 fragment (RFC 8200 §4.5)
 *   |45|tos|total length|                |6|tc|flow label|payload len|44|hlim|
 *   |   id   |DF MF offset/8|            |src (16)|dst (16)|
 *   |ttl|17|hdr checksum|src|dst|        |17|0|offset/8 <<3 |0|0|M|id (32)|
 *   |UDP slice at offset ...|            |UDP slice at offset ...|
 *
 * Two halves, so every byte can be unit-tested and fuzzed without a socket:
 *
 * 1. Pure builders (no sockets, no allocation, no global state):
 *    craft_dns_query2wire  a query: header, one question, optionally an OPT
 *                          with UDP size and DO (no cookie, no NSID: options
 *                          shift answer sizes).
 *    craft_dns_pad         grow a query to exactly N bytes with an RFC 7830
 *                          padding option in its OPT record.
 *    craft_udp2train       one UDP datagram as the IP packets that carry it
 *                          (one, or fragments of a chosen data size), every
 *                          header and checksum filled in. The UDP checksum is
 *                          computed over the whole datagram, before slicing.
 *
 * 2. The injector (libnet 1.1.6 raw sockets, CAP_NET_RAW):
 *    craft_open / craft_send_train / craft_close, craft_port_bind, and the
 *    start-up check craft_selfcheck.
 *    Each packet is rebuilt with libnet's own builders (libnet_build_ipv4,
 *    libnet_build_ipv6_frag, libnet_build_ipv6) from the train's fields,
 *    coalesced, and compared with the pure bytes before libnet_write(): a
 *    difference is an error (CRAFT_ERR_INTERNAL), never a silently different
 *    packet. libnet 1.1.6's libnet_build_ipv6_frag() does not byte-swap its
 *    offset and id (the IPv4 builder does): they are passed in network order.
 *    Its IPv6 builder mangles the traffic class and flow label, so crafted
 *    IPv6 packets always carry 0 in both.
 *
 * Keeping crafted trains intact (the host's own connection tracking): when
 * conntrack is active in the sending namespace, netfilter's defrag hook
 * (priority -400, LOCAL_OUT) reassembles raw-socket fragments and re-sends
 * them re-fragmented (IPv6: a new fragment id and hop limit), and swallows a
 * lone fragment while the write reports success.
 *  - IPv4: IP_NODEFRAG is set on libnet's raw socket (libnet_getfd()); the
 *    kernel then passes fragments from that socket untouched.
 *  - IPv6: there is no IP_NODEFRAG. The crafter uses libnet's raw6 socket and
 *    relies on a notrack rule below priority -400, which makes the defrag hook
 *    skip the packet (CRAFT_IP6_NOTRACK_FIX, the text the self-check prints):
 *        nft add table inet dnsfrag
 *        nft 'add chain inet dnsfrag out { type filter hook output priority -450; }'
 *        nft add rule inet dnsfrag out exthdr frag exists notrack
 *    Only the probe's outgoing IPv6 fragments become untracked; replies are
 *    tracked as usual (a host firewall that accepts only "ct state
 *    established" inbound would then see the reply as new). Link-layer
 *    injection would avoid the rule but needs the next hop's MAC address
 *    (neighbour discovery, VLANs, VRFs), which this crafter does not attempt.
 *    Without conntrack in the namespace nothing is needed. craft_selfcheck()
 *    tells which case the host is in.
 *
 * Linux raw sockets with a header included rewrite the IPv4 header checksum
 * (the builders already write the correct value), fill in an IPv4 id of 0 and
 * a zero source address: the builders refuse both. An IPv4 packet larger than
 * the interface MTU is refused by the kernel (EMSGSIZE): fragment it here.
 *
 * Errors are values: every function that can fail returns a craft_status_t
 * and, when err is not NULL, writes a one-line message into err (errlen bytes,
 * always NUL-terminated). No function prints or exits.
 */
#ifndef DNSFRAG_PROBE_CRAFT_H
#define DNSFRAG_PROBE_CRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define CRAFT_MAX_PACKETS 64     /* packets in one train */
#define CRAFT_IP4_HDR 20
#define CRAFT_IP6_HDR 40
#define CRAFT_IP6_FRAG_HDR 8
#define CRAFT_UDP_HDR 8
#define CRAFT_DNS_OPT_PADDING 12 /* RFC 7830 option code */

#define CRAFT_IP6_NOTRACK_FIX                                                          \
	"nft add table inet dnsfrag; "                                                 \
	"nft 'add chain inet dnsfrag out { type filter hook output priority -450; }'; " \
	"nft add rule inet dnsfrag out exthdr frag exists notrack"
#define CRAFT_IP4_NOTRACK_FIX                                                          \
	"nft add table inet dnsfrag; "                                                 \
	"nft 'add chain inet dnsfrag out { type filter hook output priority -450; }'; " \
	"nft add rule inet dnsfrag out ip frag-off '&' 0x3fff != 0 notrack"

typedef enum craft_status {
	CRAFT_OK = 0,
	CRAFT_ERR_ARG,       /* a parameter is impossible (names which in err) */
	CRAFT_ERR_SPACE,     /* the caller's buffer is too small */
	CRAFT_ERR_PERM,      /* no permission for raw sockets or capture (CAP_NET_RAW) */
	CRAFT_ERR_SYS,       /* a system or library call failed (err says which) */
	CRAFT_ERR_INTERNAL,  /* libnet built other bytes than the pure builder */
	CRAFT_ERR_NOT_SEEN,  /* self-check: the crafted packets never reached the wire */
	CRAFT_ERR_REWRITTEN, /* self-check: the host changed the crafted packets */
	CRAFT_STATUS_COUNT
} craft_status_t;

const char *craft_status2str(craft_status_t st);

/* ------------------------------------------------------------ DNS queries */

typedef struct craft_query {
	uint16_t id;
	const char *qname;  /* presentation form, "." or "example.org" (trailing dot optional);
	                       no escapes */
	uint16_t qtype;
	uint16_t qclass;    /* 0 means IN */
	int rd;             /* recursion desired */
	int edns;           /* add an OPT record (last in the additional section) */
	uint16_t udp_size;  /* OPT CLASS: the EDNS buffer size */
	int do_bit;         /* OPT DO flag */
} craft_query_t;

/* Write q as a DNS message into buf (cap bytes); *len gets its length.
 * CRAFT_ERR_ARG for a bad name, CRAFT_ERR_SPACE when cap is too small (buf
 * then holds garbage). 512 bytes always suffice. */
craft_status_t craft_dns_query2wire(const craft_query_t *q, uint8_t *buf, size_t cap, size_t *len,
                                    char *err, size_t errlen);

/* Pad the DNS message msg (len bytes, cap bytes writable) to exactly target
 * bytes by appending an RFC 7830 padding option (code 12, zero bytes) to its
 * OPT record, which must be the message's last RR; the OPT RDLENGTH is
 * updated. The option takes 4 bytes plus the padding, so target >= len + 4.
 * *out_len gets target. A message without OPT, with a padding option already,
 * with bytes after its last RR, or that does not parse: CRAFT_ERR_ARG, msg
 * untouched. target > cap: CRAFT_ERR_SPACE, msg untouched. */
craft_status_t craft_dns_pad(uint8_t *msg, size_t len, size_t cap, size_t target, size_t *out_len,
                             char *err, size_t errlen);

/* ------------------------------------------------------------ IP trains */

typedef struct craft_params {
	ip_addr_t src, dst;  /* same family, 4 or 6; src must not be 0.0.0.0 / :: */
	uint16_t sport, dport;
	uint8_t ttl;         /* TTL (IPv4) or hop limit (IPv6); 0 is allowed */
	uint8_t tos;         /* IPv4 only; IPv6 traffic class and flow label are always 0 */
	int df;              /* IPv4: set DF (on every packet, fragments included) */
	uint32_t id;         /* IPv4: 1..65535 (the kernel replaces 0); IPv6: the fragment
	                        header's id, any value, used only when fragmenting */
	uint32_t frag_data;  /* 0: one packet. Otherwise bytes of the UDP datagram per
	                        packet, a multiple of 8 (every fragment but the last
	                        carries exactly this many). IPv6: a fragment header is
	                        added even when the datagram fits one (an RFC 6946
	                        atomic fragment); IPv4: one packet is unfragmented. */
} craft_params_t;

typedef struct craft_packet {
	const uint8_t *data; /* the whole IP packet, inside the train's buffer */
	size_t len;
	size_t hdr_len;      /* IP header, plus the IPv6 fragment header when present */
	uint32_t frag_offset;/* where its slice starts in the UDP datagram, in bytes */
	int mf;              /* more fragments */
	int has_frag_hdr;    /* IPv6 fragment header present (IPv4: 0) */
} craft_packet_t;

typedef struct craft_train {
	craft_params_t params;  /* as given */
	size_t count;           /* packets, 1..CRAFT_MAX_PACKETS */
	size_t datagram_len;    /* UDP header + payload */
	uint16_t udp_checksum;  /* as written (never 0) */
	craft_packet_t pkt[CRAFT_MAX_PACKETS];
} craft_train_t;

/* Bytes craft_udp2train needs for this datagram (all packets back to back), or
 * 0 when the parameters are impossible (err says why). */
size_t craft_train_size(const craft_params_t *p, size_t payload_len, char *err, size_t errlen);

/* Build the IP packets carrying one UDP datagram (header + payload) into buf
 * (cap bytes, at least craft_train_size()), back to back, in sending order
 * (offset 0 first). train->pkt[i].data point into buf: buf must outlive the
 * train. payload may be any bytes (a DNS message); it is not modified. */
craft_status_t craft_udp2train(const craft_params_t *p, const uint8_t *payload, size_t payload_len,
                               uint8_t *buf, size_t cap, craft_train_t *train, char *err, size_t errlen);

/* The Internet checksum (RFC 1071) of n bytes; and the UDP checksum of a
 * datagram (header with checksum 0, then payload) for the addresses' pseudo
 * header (RFC 768, RFC 8200 §8.1), 0 mapped to 0xffff. */
uint16_t craft_inet_checksum(const uint8_t *p, size_t n);
uint16_t craft_udp_checksum(const ip_addr_t *src, const ip_addr_t *dst, const uint8_t *datagram, size_t n);

/* ------------------------------------------------------------ sending */

typedef struct craft craft_t;

/* Open a crafter for family 4 or 6: a libnet raw socket (RAW4 with IP_NODEFRAG,
 * or RAW6), bound to device (an interface or a VRF master) when device is not
 * NULL. CRAFT_ERR_PERM without CAP_NET_RAW. */
craft_status_t craft_open(craft_t **out, int family, const char *device, char *err, size_t errlen);
void craft_close(craft_t *c);

/* Send every packet of train, in order. Each is rebuilt by libnet, checked
 * against the pure bytes (CRAFT_ERR_INTERNAL on a difference, nothing more
 * sent), then written. A short write or a send error stops the train. */
craft_status_t craft_send_train(craft_t *c, const craft_train_t *train, char *err, size_t errlen);

/* Bind a UDP socket to src (any port) so replies to a crafted query reach a
 * socket instead of drawing ICMP port unreachable. *fd gets the socket (the
 * caller keeps it open while answers may come, reads them if it likes, and
 * closes it); *port the port the kernel picked, for craft_params.sport. */
craft_status_t craft_port_bind(const ip_addr_t *src, int *fd, uint16_t *port, char *err, size_t errlen);

/* The start-up check: capture on iface (NULL: "any") with libpcap in
 * immediate mode, send one 2-fragment train (a padded ". NS" query to port 53
 * of dst, source port bound by craft_port_bind), and compare the frames seen
 * leaving src for dst with the crafted bytes from the IP header on.
 * CRAFT_OK: they left exactly as crafted. CRAFT_ERR_REWRITTEN: the host
 * changed them (err names what changed, the likely cause and the nft rule
 * that fixes it). CRAFT_ERR_NOT_SEEN: nothing left within a second.
 * CRAFT_ERR_PERM / CRAFT_ERR_SYS: the check could not run. The probe refuses
 * its fragment modes unless this returns CRAFT_OK. */
craft_status_t craft_selfcheck(craft_t *c, const char *iface, const ip_addr_t *src, const ip_addr_t *dst,
                               char *err, size_t errlen);

#endif /* DNSFRAG_PROBE_CRAFT_H */
