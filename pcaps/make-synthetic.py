#!/usr/bin/python3
"""make-synthetic.py - write dnsfrag's synthetic reference captures and pcaps/MANIFEST.

Every capture here is built offline: scapy builds the IP/UDP/TCP/ICMP/DNS bytes,
and this file writes the link headers and the pcap/pcapng containers by hand, so
that byte orders, lying lengths and cut records are exactly what a test needs.
Nothing is ever sent. Only documentation addresses are used (RFC 5737, RFC 3849,
RFC 7042 for MAC addresses).

Deterministic: timestamps start at 2026-11-01T00:00:00Z, IP ids and DNS ids are
fixed, and "key material" comes from SHAKE-256 of a fixed label, so a rerun
writes byte-identical files.

Run with Debian's /usr/bin/python3 (python3-scapy):  pcaps/make-synthetic.py [OUTDIR]
"""
import calendar
import hashlib
import os
import socket
import struct
import sys

from scapy.config import conf
conf.verb = 0
from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRROPT, DNSRRSOA  # noqa: E402
from scapy.layers.inet import IP, UDP, TCP, ICMP, IPOption_RR, IPOption_Router_Alert  # noqa: E402
from scapy.layers.inet6 import IPv6, ICMPv6PacketTooBig, ICMPv6TimeExceeded  # noqa: E402
from scapy.packet import Raw  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
BASE_NS = calendar.timegm((2026, 11, 1, 0, 0, 0)) * 10**9

# Addresses: client, server, a router on the path (IPv4 and IPv6).
C4, S4, R4 = "192.0.2.10", "198.51.100.53", "203.0.113.1"
C6, S6, R6 = "2001:db8:1::10", "2001:db8:53::53", "2001:db8:ffff::1"
CLIENT_SIDE = {C4, C6, "203.0.113.2", "fe80::200:5eff:fe00:5301"}
MAC_C = bytes.fromhex("00005e005301")  # RFC 7042 documentation MACs
MAC_R = bytes.fromhex("00005e005302")

# LINKTYPE_* numbers as written in file headers.
LT = {"NULL": 0, "EN10MB": 1, "RAW": 101, "LOOP": 108, "IEEE802_11": 105,
      "LINUX_SLL": 113, "IPV4": 228, "IPV6": 229, "LINUX_SLL2": 276}


def material(label, n):
    """n deterministic pseudo-random bytes (stands in for keys and signatures)."""
    return hashlib.shake_256(label.encode()).digest(n)


# ---------------------------------------------------------------- DNS messages

def rrs(records):
    """scapy 2.5 wants a section as a chain of records (rr1/rr2/...), not a list."""
    chain = records[0]
    for r in records[1:]:
        chain = chain / r
    return chain


def opt(bufsize=1232, do=True):
    return DNSRROPT(rclass=bufsize, z=0x8000 if do else 0)


def query(qid, qname=".", qtype="DNSKEY", bufsize=1232, do=True):
    return bytes(DNS(id=qid, rd=0, qd=DNSQR(qname=qname, qtype=qtype), ar=opt(bufsize, do)))


def dnskey_answer(qid, size, bufsize=1232):
    """A root-DNSKEY-like answer (with DO) of exactly size bytes.

    Two RSA-2048 keys and one RRSIG make the real root's 864 bytes; a standby key
    makes 1,139 and a second RRSIG 1,425. Bigger answers add keys and signatures
    in turn, and the last signature is stretched to hit the size exactly."""
    def key(i):
        rdata = struct.pack("!HBB", 257 if i % 2 == 0 else 256, 3, 8) + b"\x03\x01\x00\x01" + material(f"key{qid}.{i}", 256)
        return DNSRR(rrname=".", type="DNSKEY", ttl=172800, rdata=rdata)

    def sig(i, extra=0):
        rdata = struct.pack("!HBBIIIH", 48, 8, 0, 172800,
                            calendar.timegm((2026, 11, 21, 0, 0, 0)), calendar.timegm((2026, 10, 31, 0, 0, 0)),
                            20326 + i) + b"\x00" + material(f"sig{qid}.{i}", 256 + extra)
        return DNSRR(rrname=".", type="RRSIG", ttl=172800, rdata=rdata)

    nkeys, nsigs = 2, 1
    while True:
        cur = 28 + 275 * nkeys + 286 * nsigs
        step = 275 if nkeys - nsigs < 2 else 286  # alternate: key, sig, key, sig ...
        if size - cur < step:
            break
        if step == 275:
            nkeys += 1
        else:
            nsigs += 1
    extra = size - (28 + 275 * nkeys + 286 * nsigs)
    assert extra >= 0, size
    an = [key(i) for i in range(nkeys)] + [sig(i, extra if i == nsigs - 1 else 0) for i in range(nsigs)]
    m = bytes(DNS(id=qid, qr=1, aa=1, rd=0, qd=DNSQR(qname=".", qtype="DNSKEY"), an=rrs(an), ar=opt(bufsize)))
    assert len(m) == size, (len(m), size)
    return m


def txt_answer(qid, qname, size):
    """A TXT answer of exactly size bytes (for answers smaller than a DNSKEY set)."""
    for n in range(1, size):
        strings = [b"v" * min(255, n - i) for i in range(0, n, 255)]
        m = bytes(DNS(id=qid, qr=1, aa=1, rd=0, qd=DNSQR(qname=qname, qtype="TXT"),
                      an=DNSRR(rrname=qname, type="TXT", ttl=300, rdata=strings), ar=opt()))
        if len(m) == size:
            return m
    raise ValueError(size)


def tc_answer(qid):
    """The truncated (TC=1) answer a server sends when the full one is too big."""
    return bytes(DNS(id=qid, qr=1, aa=1, tc=1, rd=0, qd=DNSQR(qname=".", qtype="DNSKEY"), ar=opt()))


def soa_answer(qid):
    return bytes(DNS(id=qid, qr=1, aa=1, rd=0, qd=DNSQR(qname=".", qtype="SOA"),
                     an=DNSRRSOA(rrname=".", ttl=86400, mname="ns1.example.", rname="hostmaster.example.",
                                 serial=2026110100, refresh=1800, retry=900, expire=604800, minimum=86400),
                     ar=opt()))


def ns_answer(qid):
    return bytes(DNS(id=qid, qr=1, aa=1, rd=0, qd=DNSQR(qname=".", qtype="NS"),
                     an=rrs([DNSRR(rrname=".", type="NS", ttl=518400, rdata=f"ns{i}.example.") for i in (1, 2)]),
                     ar=opt()))


# ---------------------------------------------------------------- IP datagrams

def udp4(src, dst, sport, dport, payload, ident=0, df=True, ttl=64, options=None):
    ip = IP(src=src, dst=dst, id=ident, flags="DF" if df else 0, ttl=ttl, options=options or [])
    return bytes(ip / UDP(sport=sport, dport=dport) / Raw(payload))


def udp6(src, dst, sport, dport, payload, hlim=64):
    return bytes(IPv6(src=src, dst=dst, hlim=hlim) / UDP(sport=sport, dport=dport) / Raw(payload))


def split(total, per):
    """Fragment pieces (offset, length) of a payload of total bytes, per bytes each."""
    assert per % 8 == 0
    return [(off, min(per, total - off)) for off in range(0, total, per)]


def frag4(pkt, pieces, df=False, payload=None):
    """IPv4 fragments of datagram pkt, one per (offset, length[, more]) piece.

    Options whose copy flag is clear (e.g. record route) go only into the first
    fragment, as RFC 791 says. payload replaces the datagram's payload bytes (to
    make overlaps whose data conflicts)."""
    ip = IP(pkt)
    ihl = ip.ihl * 4
    data = payload if payload is not None else pkt[ihl:]
    total = len(pkt) - ihl
    out = []
    for p in pieces:
        off, n = p[0], p[1]
        more = p[2] if len(p) > 2 else off + n < total
        opts = ip.options if off == 0 else [o for o in ip.options if o.copy_flag]
        flags = (2 if df else 0) | (1 if more else 0)
        f = IP(src=ip.src, dst=ip.dst, id=ip.id, tos=ip.tos, ttl=ip.ttl, proto=ip.proto,
               flags=flags, frag=off // 8, options=opts) / Raw(data[off:off + n])
        out.append(bytes(f))
    return out


# IPv6 extension headers as (type, bytes); the first byte (next header) is
# filled in by ip6_chain, which knows what follows.
def ext_opts(kind, size=8):
    """Hop-by-hop (0) or destination options (60) of size bytes, padded with PadN."""
    pad = size - 2
    body = b"\x01" + bytes([pad - 2]) + bytes(pad - 2) if pad >= 2 else bytes(pad)
    return (kind, bytes([0, size // 8 - 1]) + body)


def ext_opts_unknown(size):
    """Destination options holding an unknown 'skip' option (type 0x1e, RFC 4727)."""
    data = size - 2 - 2
    return (60, bytes([0, size // 8 - 1, 0x1E, data]) + material("opt", data))


def ext_rh0(addr):
    """Routing header type 0 (RFC 5095: deprecated; with segments left 0 a host ignores it)."""
    return (43, bytes([0, 2, 0, 0]) + bytes(4) + socket.inet_pton(socket.AF_INET6, addr))


def ext_srh(addr):
    """Segment routing header (routing type 4, RFC 8754), one segment, segments left 0."""
    return (43, bytes([0, 2, 4, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, addr))


def ext_frag(off, more, ident):
    return (44, struct.pack("!BBHI", 0, 0, off | (1 if more else 0), ident))


def ip6_chain(pkt, hdrs):
    """Insert extension headers between pkt's IPv6 header and its payload,
    linking next-header values and fixing the payload length."""
    body = pkt[40:]
    types = [t for t, _ in hdrs] + [pkt[6]]
    chain = b"".join(bytes([nxt]) + h[1:] for (_, h), nxt in zip(hdrs, types[1:]))
    hdr = bytearray(pkt[:40])
    hdr[6] = types[0]
    hdr[4:6] = struct.pack("!H", len(chain) + len(body))
    return bytes(hdr) + chain + body


def frag6(pkt, pieces, ident, unfrag=()):
    """IPv6 fragments: everything after pkt's 40-byte header is the fragmentable
    part; unfrag are the per-fragment extension headers put before the fragment
    header."""
    data = pkt[40:]
    out = []
    for p in pieces:
        off, n = p[0], p[1]
        more = p[2] if len(p) > 2 else off + n < len(data)
        piece = pkt[:40] + data[off:off + n]
        out.append(ip6_chain(piece, list(unfrag) + [ext_frag(off, more, ident)]))
    return out


def icmp4(src, dst, icmp, quote):
    return bytes(IP(src=src, dst=dst, id=0, ttl=64) / icmp / Raw(quote))


def icmp6(src, dst, icmp, quote):
    return bytes(IPv6(src=src, dst=dst, hlim=64) / icmp / Raw(quote))


class Tcp:
    """One TCP connection; seg() returns the next segment and advances sequence numbers."""

    def __init__(self, cli, srv, cport, sport=53, cisn=1000, sisn=5000, mss=1220):
        self.cli, self.srv, self.cport, self.sport = cli, srv, cport, sport
        self.seq = {True: cisn, False: sisn}
        self.acked = {True: 0, False: 0}
        self.mss = mss

    def seg(self, from_client, flags, payload=b""):
        src, dst = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        opts = [("MSS", self.mss)] if "S" in flags else []
        ack = self.seq[not from_client] if "A" in flags else 0
        t = TCP(sport=sp, dport=dp, seq=self.seq[from_client], ack=ack, flags=flags, window=64240, options=opts)
        self.seq[from_client] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
        ipl = IP(src=src, dst=dst, id=0, flags="DF") if ":" not in src else IPv6(src=src, dst=dst)
        return bytes(ipl / t / Raw(payload)) if payload else bytes(ipl / t)


def tcp_dns(msg):
    """RFC 7766 framing: a two-byte length before each message."""
    return struct.pack("!H", len(msg)) + msg


# ---------------------------------------------------------------- link headers

def family(ip):
    return ip[0] >> 4


def macs(ip):
    """Source and destination MAC by which side of the router the sender is on."""
    src = IP(ip).src if family(ip) == 4 else IPv6(ip).src
    return (MAC_C, MAC_R) if src in CLIENT_SIDE else (MAC_R, MAC_C)


def eth(ip, tags=(), ethertype=None):
    """Ethernet II; tags is a list of (TPID, VID) pushed outermost first."""
    src, dst = macs(ip)
    hdr = dst + src
    for tpid, vid in tags:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype or (0x0800 if family(ip) == 4 else 0x86DD)) + ip


def pppoe(ip, session=0x1234):
    """PPPoE session stage (RFC 2516): ver/type 0x11, code 0, length counts the PPP protocol field."""
    proto = 0x0021 if family(ip) == 4 else 0x0057
    ppp = struct.pack("!H", proto) + ip
    return _eth_raw(ip, 0x8864, struct.pack("!BBHH", 0x11, 0, session, len(ppp)) + ppp)


def _eth_raw(ip, ethertype, payload):
    src, dst = macs(ip)
    return dst + src + struct.pack("!H", ethertype) + payload


def sll(ip):
    """Linux cooked v1 (DLT 113): packet type, ARPHRD_ETHER, address, protocol."""
    src, _ = macs(ip)
    ptype = 4 if src == MAC_C else 0  # outgoing from the client host, or to it
    return struct.pack("!HHH", ptype, 1, 6) + src + b"\0\0" + struct.pack("!H", 0x0800 if family(ip) == 4 else 0x86DD) + ip


def sll2(ip, ifindex=7):
    """Linux cooked v2 (DLT 276): protocol, reserved, interface index, ARPHRD, type, address."""
    src, _ = macs(ip)
    ptype = 4 if src == MAC_C else 0
    proto = 0x0800 if family(ip) == 4 else 0x86DD
    return struct.pack("!HHIHBB", proto, 0, ifindex, 1, ptype, 6) + src + b"\0\0" + ip


def null(ip, af=None, big=False):
    """BSD loopback (DLT 0): the address family in the capturing host's byte order."""
    af = af if af is not None else (2 if family(ip) == 4 else 24)
    return struct.pack(">I" if big else "<I", af) + ip


def loop(ip, af=None):
    """OpenBSD loopback (DLT 108): the address family in network byte order."""
    return struct.pack(">I", af if af is not None else (2 if family(ip) == 4 else 24)) + ip


def wifi(ip):
    """802.11 data frame, to-DS, with LLC/SNAP (DLT 105): a link type dnsfrag does not decode."""
    src, dst = macs(ip)
    return struct.pack("<HH", 0x0108, 0) + dst + src + dst + struct.pack("<H", 0x10) + \
        bytes.fromhex("aaaa03000000") + struct.pack("!H", 0x0800) + ip


def raw(ip):
    return ip


# ---------------------------------------------------------------- containers

class Rec:
    def __init__(self, ts_ns, data, orig=None, iface=0):
        self.ts_ns, self.data, self.orig, self.iface = ts_ns, data, orig, iface


def write_pcap(path, linktype, recs, snaplen=262144, nano=False, big=False):
    """Classic pcap. Records longer than snaplen are cut to it (caplen < len),
    unless a record sets orig itself (then caplen is its whole data)."""
    e = ">" if big else "<"
    out = struct.pack(e + "IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)
    for r in recs:
        data, orig = (r.data, r.orig) if r.orig is not None else (r.data[:snaplen], len(r.data))
        frac = r.ts_ns % 10**9 if nano else (r.ts_ns % 10**9) // 1000
        out += struct.pack(e + "IIII", r.ts_ns // 10**9, frac, len(data), orig) + data
    with open(path, "wb") as f:
        f.write(out)
    return out


def _block(btype, body):
    body += bytes(-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + bytes(-len(value) % 4)


def write_pcapng(path, ifaces, recs):
    """pcapng: one section; ifaces are (linktype, name, snaplen, tsresol digits)."""
    out = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                 _opt(4, b"dnsfrag make-synthetic.py") + _opt(0, b""))
    for lt, name, snaplen, digits in ifaces:
        out += _block(1, struct.pack("<HHI", lt, 0, snaplen) + _opt(2, name.encode()) +
                      _opt(9, bytes([digits])) + _opt(0, b""))
    for r in recs:
        digits = ifaces[r.iface][3]
        ts = r.ts_ns // 10**(9 - digits)
        out += _block(6, struct.pack("<IIIII", r.iface, ts >> 32, ts & 0xFFFFFFFF, len(r.data), len(r.data)) + r.data)
    with open(path, "wb") as f:
        f.write(out)


# ---------------------------------------------------------------- captures

COUNT_KEYS = ["packets", "ip4_frags", "ip6_frags", "dns_queries", "dns_responses", "dns_tc",
              "icmp_fragneeded", "icmp6_ptb", "icmp_timeexceeded"]
MANIFEST = []


def is_frag(ip):
    """Which top-level fragment counter an IP packet adds to: 'ip4_frags', 'ip6_frags' or None."""
    if family(ip) == 4:
        return "ip4_frags" if struct.unpack("!H", ip[6:8])[0] & 0x3FFF else None
    nh, pos = ip[6], 40
    while nh in (0, 43, 60) and pos + 2 <= len(ip):
        nh, pos = ip[pos], pos + (ip[pos + 1] + 1) * 8
    return "ip6_frags" if nh == 44 else None


class Cap:
    """One capture file being built: records, the clock, and what an analyzer should count."""

    def __init__(self, name, linktype, link, covers, made="scapy packets, link header and pcap written by hand"):
        self.name, self.linktype, self.link, self.covers, self.made = name, linktype, link, covers, made
        self.recs, self.t = [], BASE_NS
        self.expect = dict.fromkeys(COUNT_KEYS, 0)
        self.extra = {}

    def add(self, ip, dt=0.001, frame=None, **linkargs):
        """Append one packet dt seconds after the previous one; counts packets and
        top-level fragments (fragments quoted inside ICMP errors do not count)."""
        self.t += round(dt * 10**9)
        self.recs.append(Rec(self.t, frame if frame is not None else self.link(ip, **linkargs)))
        self.expect["packets"] += 1
        k = is_frag(ip) if ip else None
        if k:
            self.expect[k] += 1
        return self.recs[-1]

    def counts(self, **kw):
        """The DNS and ICMP counts (our rules), plus any extra key=value."""
        for k, v in kw.items():
            (self.expect if k in self.expect else self.extra)[k] = v

    def manifest(self, expect=None):
        if expect is None:
            expect = " ".join(f"{k}={v}" for k, v in list(self.expect.items()) + list(self.extra.items()))
        MANIFEST.append("\t".join([self.name, self.linktype, self.made, self.covers, expect]))

    def write(self, lt, **kw):
        write_pcap(os.path.join(OUT, self.name), lt, self.recs, **kw)
        self.manifest()


def exchange4(c, qid, size, sport, frag_per=None, ident=0, **linkargs):
    """Query and DNSKEY-like answer over IPv4; the answer whole (DF, id 0, as
    Linux sends it) or fragmented by the server at frag_per bytes per fragment."""
    c.add(udp4(C4, S4, sport, 53, query(qid)), **linkargs)
    a = udp4(S4, C4, 53, sport, dnskey_answer(qid, size), ident=ident, df=frag_per is None)
    for i, f in enumerate([a] if frag_per is None else frag4(a, split(len(a) - 20, frag_per))):
        c.add(f, dt=0.020 if i == 0 else 0.0001, **linkargs)


def exchange6(c, qid, size, sport, frag_per=None, ident=0, **linkargs):
    """The same over IPv6; fragmented answers as NSD sends them (1,232 bytes each)."""
    c.add(udp6(C6, S6, sport, 53, query(qid)), **linkargs)
    a = udp6(S6, C6, 53, sport, dnskey_answer(qid, size))
    for i, f in enumerate([a] if frag_per is None else frag6(a, split(len(a) - 40, frag_per), ident)):
        c.add(f, dt=0.020 if i == 0 else 0.0001, **linkargs)


def build_links():
    c = Cap("link-ethernet.pcap", "EN10MB(1)", eth,
            "Ethernet II; IPv4 answers 1,139 and 1,425 bytes whole with DF and IP id 0 (both id 0: an id is no identity); "
            "IPv6 1,425-byte answer in two fragments (1,232+201 data bytes: NSD fragments at the IPv6 minimum MTU); one mDNS query on 5353")
    exchange4(c, 0x1001, 1139, 40001)
    exchange4(c, 0x1002, 1425, 40002)
    exchange6(c, 0x1003, 1425, 40003, frag_per=1232, ident=0x0000ABCD)
    mdns = bytes(DNS(id=0, qd=DNSQR(qname="_dns-sd._udp.local.", qtype="PTR")))
    c.add(udp6("fe80::200:5eff:fe00:5301", "ff02::fb", 5353, 5353, mdns, hlim=255),
          frame=bytes.fromhex("3333000000fb") + MAC_C + b"\x86\xdd" +
          udp6("fe80::200:5eff:fe00:5301", "ff02::fb", 5353, 5353, mdns, hlim=255))
    c.counts(dns_queries=3, dns_responses=3, ip6_datagrams=1)
    c.write(LT["EN10MB"])

    c = Cap("link-vlan.pcap", "EN10MB(1)", lambda ip: eth(ip, [(0x8100, 11)]),
            "802.1Q VLAN 11 on every frame; IPv4 and IPv6 exchanges (1,139 and 864 bytes)")
    exchange4(c, 0x1101, 1139, 40101)
    exchange6(c, 0x1102, 864, 40102)
    c.counts(dns_queries=2, dns_responses=2)
    c.write(LT["EN10MB"])

    c = Cap("link-qinq.pcap", "EN10MB(1)", lambda ip: eth(ip, [(0x88A8, 100), (0x8100, 11)]),
            "QinQ: 802.1ad S-tag 0x88a8 VLAN 100 outside an 802.1Q C-tag VLAN 11; IPv4 and IPv6 exchanges")
    exchange4(c, 0x1201, 1139, 40201)
    exchange6(c, 0x1202, 864, 40202)
    c.counts(dns_queries=2, dns_responses=2)
    c.write(LT["EN10MB"])

    c = Cap("link-pppoe.pcap", "EN10MB(1)", pppoe,
            "PPPoE session (0x8864, session 0x1234), PPP 0x0021 IPv4 and 0x0057 IPv6; 1,700-byte answers "
            "fragmented for a 1,492-byte MTU (IPv4 1,472+236 data bytes, IPv6 1,440+268)")
    exchange4(c, 0x1301, 1700, 40301, frag_per=1472, ident=0x1301)
    exchange6(c, 0x1302, 1700, 40302, frag_per=1440, ident=0x00001302)
    c.counts(dns_queries=2, dns_responses=2, ip4_datagrams=1, ip6_datagrams=1)
    c.write(LT["EN10MB"])

    for name, lt, fn, what in (("link-sll.pcap", "LINUX_SLL", sll, "Linux cooked v1 (DLT 113), packet types outgoing/host"),
                               ("link-sll2.pcap", "LINUX_SLL2", sll2, "Linux cooked v2 (DLT 276), interface index 7")):
        c = Cap(name, f"{lt}({LT[lt]})", fn, what + "; IPv4 and IPv6 exchanges (1,139 and 864 bytes)")
        exchange4(c, 0x1401, 1139, 40401)
        exchange6(c, 0x1402, 864, 40402)
        c.counts(dns_queries=2, dns_responses=2)
        c.write(LT[lt])

    c = Cap("link-raw.pcap", "RAW(101)", raw, "LINKTYPE_RAW: IPv4 and IPv6 packets, no link header; version nibble picks the family")
    exchange4(c, 0x1501, 1139, 40501)
    exchange6(c, 0x1502, 864, 40502)
    c.counts(dns_queries=2, dns_responses=2)
    c.write(LT["RAW"])

    c = Cap("link-ipv4.pcap", "IPV4(228)", raw, "LINKTYPE_IPV4; a whole 1,139-byte answer and a 2,865-byte one in two fragments (1,480+1,393)")
    exchange4(c, 0x1601, 1139, 40601)
    exchange4(c, 0x1602, 2865, 40602, frag_per=1480, ident=0x1602)
    c.counts(dns_queries=2, dns_responses=2, ip4_datagrams=1)
    c.write(LT["IPV4"])

    c = Cap("link-ipv6.pcap", "IPV6(229)", raw, "LINKTYPE_IPV6; a whole 864-byte answer and a 1,425-byte one in two fragments")
    exchange6(c, 0x1701, 864, 40701)
    exchange6(c, 0x1702, 1425, 40702, frag_per=1232, ident=0x00001702)
    c.counts(dns_queries=2, dns_responses=2, ip6_datagrams=1)
    c.write(LT["IPV6"])

    c = Cap("link-null.pcap", "NULL(0)", null,
            "BSD loopback, little-endian file: AF_INET 2; AF_INET6 as 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin) "
            "and 10 (Linux), all little-endian; last pair AF_INET 2 written big-endian (a record from a big-endian host)")
    exchange4(c, 0x1801, 864, 40801)
    for i, af in enumerate((24, 28, 30, 10)):
        exchange6(c, 0x1802 + i, 864, 40802 + i, af=af)
    exchange4(c, 0x1806, 864, 40806, big=True)
    c.counts(dns_queries=6, dns_responses=6)
    c.write(LT["NULL"])

    c = Cap("link-null-be.pcap", "NULL(0)", lambda ip: null(ip, big=True),
            "BSD loopback from a big-endian host: big-endian file header and AF values 2 and 24 big-endian")
    exchange4(c, 0x1901, 864, 40901)
    exchange6(c, 0x1902, 864, 40902)
    c.counts(dns_queries=2, dns_responses=2)
    c.write(LT["NULL"], big=True)

    c = Cap("link-loop.pcap", "LOOP(108)", loop, "OpenBSD loopback: AF in network byte order, 2 and 24")
    exchange4(c, 0x1A01, 864, 41001)
    exchange6(c, 0x1A02, 864, 41002)
    c.counts(dns_queries=2, dns_responses=2)
    c.write(LT["LOOP"])

    # Encapsulations the analyzer names but does not decode; each carries a DNS query.
    c = Cap("encap-unsupported.pcap", "EN10MB(1)", eth,
            "MPLS (0x8847, one label), GRE (IP proto 47) and VXLAN (UDP 4789) each carrying an IPv4 DNS query; "
            "plus one plain exchange. Analyzer: count each as unsupported by name")
    exchange4(c, 0x1B01, 864, 41101)
    inner = udp4(C4, S4, 41102, 53, query(0x1B02))
    c.add(inner, frame=_eth_raw(inner, 0x8847, struct.pack("!I", (100 << 12) | (1 << 8) | 64) + inner))
    gre = bytes(IP(src="203.0.113.2", dst=R4, proto=47, id=0, flags="DF") / Raw(struct.pack("!HH", 0, 0x0800) +
                                                                                udp4(C4, S4, 41103, 53, query(0x1B03))))
    c.add(gre)
    vx = eth(udp4(C4, S4, 41104, 53, query(0x1B04)))
    c.add(udp4("203.0.113.2", R4, 49152, 4789, struct.pack("!II", 0x08000000, 42 << 8) + vx))
    c.counts(dns_queries=1, dns_responses=1, **{"unsupported.MPLS": 1, "unsupported.GRE": 1, "unsupported.VXLAN": 1})
    c.write(LT["EN10MB"])

    c = Cap("link-ieee80211.pcap", "IEEE802_11(105)", wifi,
            "802.11 data frames with LLC/SNAP: a link type dnsfrag does not support (the analyzer must refuse the file with a message)")
    exchange4(c, 0x1C01, 864, 41201)
    write_pcap(os.path.join(OUT, c.name), LT["IEEE802_11"], c.recs)
    c.manifest("reject")


def build_ip4():
    c = Cap("ip4-options.pcap", "EN10MB(1)", eth,
            "IPv4 options: a query with record route (IHL 10); a 2,865-byte answer with record route (not copied) and "
            "router alert (copied) in two fragments, so the first fragment has IHL 9 and the second IHL 6")
    rr = IPOption_RR(pointer=8, routers=[R4, "0.0.0.0", "0.0.0.0", "0.0.0.0"])
    c.add(udp4(C4, S4, 42001, 53, query(0x2001), options=[rr]))
    c.add(udp4(S4, C4, 53, 42001, dnskey_answer(0x2001, 1139)), dt=0.02)
    c.add(udp4(C4, S4, 42002, 53, query(0x2002)))
    a = udp4(S4, C4, 53, 42002, dnskey_answer(0x2002, 2865), ident=0x2002, df=False,
             options=[IPOption_RR(pointer=4, routers=["0.0.0.0", "0.0.0.0"]), IPOption_Router_Alert()])
    for f in frag4(a, split(len(a) - 36, 1464)):
        c.add(f, dt=0.02)
    c.counts(dns_queries=2, dns_responses=2, ip4_datagrams=1)
    c.write(LT["EN10MB"])

    c = Cap("ip4-frag-order.pcap", "EN10MB(1)", eth,
            "IPv4 fragment trains: 2,865 bytes in order (2 fragments); 2,865 in reverse order (3, MTU 1,000); "
            "1,700 out of order (4, MTU 576, sent 2,0,3,1)")
    for qid, size, per, order in ((0x2101, 2865, 1480, None), (0x2102, 2865, 976, "rev"), (0x2103, 1700, 552, [2, 0, 3, 1])):
        c.add(udp4(C4, S4, qid + 40000, 53, query(qid)))
        fr = frag4(udp4(S4, C4, 53, qid + 40000, dnskey_answer(qid, size), ident=qid, df=False), split(size + 8, per))
        fr = fr if order is None else fr[::-1] if order == "rev" else [fr[i] for i in order]
        for f in fr:
            c.add(f, dt=0.02)
    c.counts(dns_queries=3, dns_responses=3, ip4_datagrams=3)
    c.write(LT["EN10MB"])

    c = Cap("ip4-frag-dup.pcap", "EN10MB(1)", eth,
            "IPv4 duplicate fragments (identical bytes), before the train completes: a 3-fragment train with "
            "its middle fragment twice (0,1,1,2), and a 2-fragment train with its first twice (0,0,1)")
    for qid, per, order in ((0x2201, 976, [0, 1, 1, 2]), (0x2202, 1480, [0, 0, 1])):
        c.add(udp4(C4, S4, qid + 40000, 53, query(qid)))
        fr = frag4(udp4(S4, C4, 53, qid + 40000, dnskey_answer(qid, 2865), ident=qid, df=False), split(2873, per))
        for i in order:
            c.add(fr[i], dt=0.02)
    c.counts(dns_queries=2, dns_responses=2, ip4_datagrams=2, frag_duplicate=2, frag_overlap=0)
    c.write(LT["EN10MB"])

    c = Cap("ip4-frag-overlap.pcap", "EN10MB(1)", eth,
            "IPv4 partial overlaps: a 1,700-byte answer as [0,800) [792,1592) [1592,1708) (8 bytes overlap, same data); "
            "another as [0,800) [800,1600) [1584,1708) whose 16 overlapping bytes differ (RFC 5722: a receiver discards it)")
    c.add(udp4(C4, S4, 42301, 53, query(0x2301)))
    a = udp4(S4, C4, 53, 42301, dnskey_answer(0x2301, 1700), ident=0x2301, df=False)
    for f in frag4(a, [(0, 800), (792, 800), (1592, 116)]):
        c.add(f, dt=0.02)
    c.add(udp4(C4, S4, 42302, 53, query(0x2302)))
    a = udp4(S4, C4, 53, 42302, dnskey_answer(0x2302, 1700), ident=0x2302, df=False)
    evil = bytearray(a[20:])
    evil[1584:1600] = b"\xEE" * 16
    fr = frag4(a, [(0, 800), (800, 800)]) + frag4(a, [(1584, 124)], payload=bytes(evil))
    for f in fr:
        c.add(f, dt=0.02)
    # Policy (common/reasm.h): overlapping trains are still assembled (first bytes win) and marked.
    c.counts(dns_queries=2, dns_responses=2, ip4_datagrams=2, frag_overlap=2)
    c.write(LT["EN10MB"])

    c = Cap("ip4-frag-tiny.pcap", "EN10MB(1)", eth,
            "IPv4 tiny fragments, 8 data bytes each: a query (7 fragments; the first holds only the UDP header) "
            "and a 300-byte TXT answer (39 fragments)")
    q = udp4(C4, S4, 42401, 53, query(0x2401, "tiny.example.", "TXT"), ident=0x2401, df=False)
    for f in frag4(q, split(len(q) - 20, 8)):
        c.add(f, dt=0.0001)
    a = udp4(S4, C4, 53, 42401, txt_answer(0x2401, "tiny.example.", 300), ident=0x2402, df=False)
    for f in frag4(a, split(len(a) - 20, 8)):
        c.add(f, dt=0.0001)
    c.counts(dns_queries=1, dns_responses=1, ip4_datagrams=2)
    c.write(LT["EN10MB"])

    c = Cap("ip4-frag-missing.pcap", "EN10MB(1)", eth,
            "IPv4 1,139-byte answers in 3 fragments (MTU 576): one complete; one missing the first, one the middle, "
            "one the last fragment (never reassemble)")
    for qid, keep in ((0x2501, [0, 1, 2]), (0x2502, [1, 2]), (0x2503, [0, 2]), (0x2504, [0, 1])):
        c.add(udp4(C4, S4, qid + 40000, 53, query(qid)))
        fr = frag4(udp4(S4, C4, 53, qid + 40000, dnskey_answer(qid, 1139), ident=qid, df=False), split(1147, 552))
        for i in keep:
            c.add(fr[i], dt=0.02)
    c.counts(dns_queries=4, dns_responses=1, ip4_datagrams=4, ip4_incomplete=3)
    c.write(LT["EN10MB"])

    c = Cap("ip4-refrag.pcap", "EN10MB(1)", eth,
            "IPv4 re-fragmented by a router: the server's 2 fragments of a 2,865-byte answer (1,500 MTU) cut again "
            "for a 1,400 MTU, arriving as 4 fragments of 1,396, 124, 1,396 and 37 bytes (as seen in the lab, see LAB.md), same IP id")
    c.add(udp4(C4, S4, 42601, 53, query(0x2601)))
    a = udp4(S4, C4, 53, 42601, dnskey_answer(0x2601, 2865), ident=0x2601, df=False, ttl=63)
    for f in frag4(a, [(0, 1376), (1376, 104), (1480, 1376), (2856, 17)]):
        c.add(f, dt=0.02)
    assert [len(r.data) - 14 for r in c.recs[1:]] == [1396, 124, 1396, 37]
    c.counts(dns_queries=1, dns_responses=1, ip4_datagrams=1)
    c.write(LT["EN10MB"])


def build_ip6():
    c = Cap("ip6-exthdr.pcap", "EN10MB(1)", eth,
            "IPv6 extension headers: a query with hop-by-hop, destination options and routing type 0 (segments left 0); "
            "a 1,425-byte answer with hop-by-hop, routing type 4 (SRH), destination options, then a fragment header (2 fragments)")
    q = udp6(C6, S6, 43001, 53, query(0x3001))
    c.add(ip6_chain(q, [ext_opts(0), ext_opts(60), ext_rh0(S6)]))
    a = udp6(S6, C6, 53, 43001, dnskey_answer(0x3001, 1425))
    unfrag = [ext_opts(0), ext_srh(C6), ext_opts(60)]
    for f in frag6(a, split(1433, 1192), 0x3001, unfrag):
        c.add(f, dt=0.02)
    c.counts(dns_queries=1, dns_responses=1, ip6_datagrams=1)
    c.write(LT["EN10MB"])

    c = Cap("ip6-frag-order.pcap", "EN10MB(1)", eth,
            "IPv6 fragment trains: 1,700 bytes in order (1,232+476); 2,865 out of order (3 fragments sent 2,0,1)")
    for qid, size, order in ((0x3101, 1700, [0, 1]), (0x3102, 2865, [2, 0, 1])):
        c.add(udp6(C6, S6, qid + 40000, 53, query(qid)))
        fr = frag6(udp6(S6, C6, 53, qid + 40000, dnskey_answer(qid, size)), split(size + 8, 1232), qid)
        for i in order:
            c.add(fr[i], dt=0.02)
    c.counts(dns_queries=2, dns_responses=2, ip6_datagrams=2)
    c.write(LT["EN10MB"])

    c = Cap("ip6-frag-missing.pcap", "EN10MB(1)", eth,
            "IPv6 2,865-byte answers in 3 fragments: one missing the first, one missing the last (never reassemble)")
    for qid, keep in ((0x3201, [1, 2]), (0x3202, [0, 1])):
        c.add(udp6(C6, S6, qid + 40000, 53, query(qid)))
        fr = frag6(udp6(S6, C6, 53, qid + 40000, dnskey_answer(qid, 2865)), split(2873, 1232), qid)
        for i in keep:
            c.add(fr[i], dt=0.02)
    c.counts(dns_queries=2, dns_responses=0, ip6_datagrams=2, ip6_incomplete=2)
    c.write(LT["EN10MB"])

    c = Cap("ip6-atomic.pcap", "EN10MB(1)", eth,
            "IPv6 atomic fragment (RFC 6946: fragment header with offset 0 and M=0) carrying a whole 864-byte answer")
    c.add(udp6(C6, S6, 43301, 53, query(0x3301)))
    c.add(frag6(udp6(S6, C6, 53, 43301, dnskey_answer(0x3301, 864)), [(0, 872, False)], 0x3301)[0], dt=0.02)
    c.counts(dns_queries=1, dns_responses=1)
    c.write(LT["EN10MB"])

    c = Cap("ip6-rfc7112.pcap", "EN10MB(1)", eth,
            "RFC 7112 violations, first fragment without the whole header chain: (a) the fragmentable part starts with a "
            "24-byte destination-options header split 16/8 between the fragments; (b) the first fragment holds only an "
            "8-byte destination-options header, so the UDP header is in the second. Both reassemble to 1,139-byte answers")
    for qid, dest, first in ((0x3401, ext_opts_unknown(24), 16), (0x3402, ext_opts(60), 8)):
        c.add(udp6(C6, S6, qid + 40000, 53, query(qid)))
        a = ip6_chain(udp6(S6, C6, 53, qid + 40000, dnskey_answer(qid, 1139)), [dest])
        for f in frag6(a, [(0, first), (first, len(a) - 40 - first)], qid):
            c.add(f, dt=0.02)
    c.counts(dns_queries=2, dns_responses=2, ip6_datagrams=2)
    c.write(LT["EN10MB"])

    c = Cap("ip6-unknown-nh.pcap", "EN10MB(1)", eth,
            "IPv6 next header 253 (RFC 3692 experimental, unknown to a decoder) directly, and after a destination-options header")
    body = material("nh253", 64)
    c.add(bytes(IPv6(src=C6, dst=S6, nh=253) / Raw(body)))
    c.add(ip6_chain(bytes(IPv6(src=C6, dst=S6, nh=253) / Raw(body)), [ext_opts(60)]))
    c.counts()
    c.write(LT["EN10MB"])

    c = Cap("ip6-long-chain.pcap", "EN10MB(1)", eth,
            "IPv6 absurd header chain: 300 destination-options headers (2,400 bytes) before a UDP DNS query; "
            "a bounded decoder gives up on it")
    q = udp6(C6, S6, 43601, 53, query(0x3601))
    c.add(ip6_chain(q, [ext_opts(60)] * 300))
    # Our analyzer bounds the chain, so the query inside is not counted.
    c.counts(dns_queries=0)
    c.write(LT["EN10MB"])


def build_icmp():
    c = Cap("icmp4-fragneeded.pcap", "EN10MB(1)", eth,
            "ICMPv4 needs-frag (3/4), seen at the server: MTU 1,280 quoting a whole DF 1,425-byte answer (IP header + 8), "
            "then the retried query's answer fragmented for 1,280; MTU 1,400 quoting the first fragment (DF+MF) of a 2,865-byte answer")
    c.add(udp4(C4, S4, 44001, 53, query(0x4001)))
    a = udp4(S4, C4, 53, 44001, dnskey_answer(0x4001, 1425))
    c.add(a, dt=0.001)
    c.add(icmp4(R4, S4, ICMP(type=3, code=4, nexthopmtu=1280), a[:28]), dt=0.001)
    c.add(udp4(C4, S4, 44001, 53, query(0x4001)), dt=1.0)
    a2 = udp4(S4, C4, 53, 44001, dnskey_answer(0x4001, 1425), ident=0x4001, df=False)
    for f in frag4(a2, split(1433, 1256)):
        c.add(f, dt=0.001)
    c.add(udp4(C4, S4, 44002, 53, query(0x4002)))
    fr = frag4(udp4(S4, C4, 53, 44002, dnskey_answer(0x4002, 2865), ident=0x4002), split(2873, 1480), df=True)
    for f in fr:
        c.add(f, dt=0.001)
    c.add(icmp4(R4, S4, ICMP(type=3, code=4, nexthopmtu=1400), fr[0][:28]), dt=0.001)
    c.counts(dns_queries=3, dns_responses=3, icmp_fragneeded=2, ip4_datagrams=2)
    c.write(LT["EN10MB"])

    c = Cap("icmp4-timeexceeded.pcap", "EN10MB(1)", eth,
            "ICMPv4 time exceeded: code 0 from a router quoting a whole TTL-1 query (RFC 1812 style, as Linux does); "
            "code 1 (reassembly) from the client 30 s after the first fragment of a 2,865-byte answer, quoting 548 bytes of it")
    q = udp4(C4, S4, 44101, 53, query(0x4101), ttl=1)
    c.add(q)
    c.add(icmp4(R4, C4, ICMP(type=11, code=0), q), dt=0.001)
    c.add(udp4(C4, S4, 44102, 53, query(0x4102)), dt=1)
    fr = frag4(udp4(S4, C4, 53, 44102, dnskey_answer(0x4102, 2865), ident=0x4102, df=False), split(2873, 1480))
    c.add(fr[0], dt=0.02)
    c.add(icmp4(C4, S4, ICMP(type=11, code=1), fr[0][:548]), dt=30)
    c.counts(dns_queries=2, dns_responses=0, icmp_timeexceeded=2, ip4_datagrams=1, ip4_incomplete=1)
    c.write(LT["EN10MB"])

    c = Cap("icmp6-ptb.pcap", "EN10MB(1)", eth,
            "ICMPv6 packet too big, MTU 1,280, seen at the server, quoting the first 1,232 bytes of a whole 1,425-byte "
            "answer; the retried query's answer then comes in two fragments")
    c.add(udp6(C6, S6, 44201, 53, query(0x4201)))
    a = udp6(S6, C6, 53, 44201, dnskey_answer(0x4201, 1425))
    c.add(a, dt=0.001)
    c.add(icmp6(R6, S6, ICMPv6PacketTooBig(mtu=1280), a[:1232]), dt=0.001)
    c.add(udp6(C6, S6, 44201, 53, query(0x4201)), dt=1)
    for f in frag6(a, split(1433, 1232), 0x4201):
        c.add(f, dt=0.001)
    c.counts(dns_queries=2, dns_responses=2, icmp6_ptb=1, ip6_datagrams=1)
    c.write(LT["EN10MB"])

    c = Cap("icmp6-timeexceeded.pcap", "EN10MB(1)", eth,
            "ICMPv6 time exceeded: code 0 from a router quoting a hop-limit-1 query; code 1 (reassembly) from the client "
            "60 s after the first of 3 fragments of a 2,865-byte answer, quoting 1,232 bytes of it")
    q = udp6(C6, S6, 44301, 53, query(0x4301), hlim=1)
    c.add(q)
    c.add(icmp6(R6, C6, ICMPv6TimeExceeded(code=0), q), dt=0.001)
    c.add(udp6(C6, S6, 44302, 53, query(0x4302)), dt=1)
    fr = frag6(udp6(S6, C6, 53, 44302, dnskey_answer(0x4302, 2865)), split(2873, 1232), 0x4302)
    c.add(fr[0], dt=0.02)
    c.add(icmp6(C6, S6, ICMPv6TimeExceeded(code=1), fr[0][:1232]), dt=60)
    c.counts(dns_queries=2, dns_responses=0, icmp_timeexceeded=2, ip6_datagrams=1, ip6_incomplete=1)
    c.write(LT["EN10MB"])


def build_tcp():
    c = Cap("dns-tcp.pcap", "EN10MB(1)", eth,
            "DNS over TCP after a UDP TC=1 answer: handshake (MSS 1,220), one query, a 1,425-byte answer split over two "
            "segments (1,220+207), then two queries in one segment and two answers in one segment, FIN teardown")
    c.add(udp4(C4, S4, 45001, 53, query(0x5001)))
    c.add(udp4(S4, C4, 53, 45001, tc_answer(0x5001)), dt=0.02)
    t = Tcp(C4, S4, 45002)
    c.add(t.seg(True, "S"), dt=0.001)
    c.add(t.seg(False, "SA"), dt=0.02)
    c.add(t.seg(True, "A"), dt=0.02)
    c.add(t.seg(True, "PA", tcp_dns(query(0x5001))), dt=0.0001)
    ans = tcp_dns(dnskey_answer(0x5001, 1425))
    c.add(t.seg(False, "A", ans[:1220]), dt=0.02)
    c.add(t.seg(False, "PA", ans[1220:]), dt=0.0001)
    c.add(t.seg(True, "A"), dt=0.0001)
    c.add(t.seg(True, "PA", tcp_dns(query(0x5002, ".", "SOA")) + tcp_dns(query(0x5003, ".", "NS"))), dt=0.001)
    c.add(t.seg(False, "PA", tcp_dns(soa_answer(0x5002)) + tcp_dns(ns_answer(0x5003))), dt=0.02)
    c.add(t.seg(True, "FA"), dt=0.001)
    c.add(t.seg(False, "FA"), dt=0.02)
    c.add(t.seg(True, "A"), dt=0.02)
    c.counts(dns_queries=4, dns_responses=4, dns_tc=1)
    c.write(LT["EN10MB"])

    # A capture started on a live connection: no SYN, so the reader must assume
    # the first segment of each direction starts a message.
    c = Cap("dns-tcp-midstream.pcap", "EN10MB(1)", eth,
            "DNS over TCP picked up mid-connection (no handshake in the capture): a query in one segment, "
            "a 1,139-byte answer split over two segments (600+541), then a second query and answer")
    t = Tcp(C4, S4, 45101, cisn=700000, sisn=900000)
    c.add(t.seg(True, "PA", tcp_dns(query(0x5101))))
    ans = tcp_dns(dnskey_answer(0x5101, 1139))
    c.add(t.seg(False, "A", ans[:600]), dt=0.02)
    c.add(t.seg(False, "PA", ans[600:]), dt=0.0001)
    c.add(t.seg(True, "PA", tcp_dns(query(0x5102, ".", "SOA"))), dt=0.01)
    c.add(t.seg(False, "PA", tcp_dns(soa_answer(0x5102))), dt=0.02)
    c.add(t.seg(True, "A"), dt=0.001)
    c.counts(dns_queries=2, dns_responses=2)
    c.write(LT["EN10MB"])


def build_files():
    # Two Ethernet interfaces with different snaplens and timestamp resolutions.
    c = Cap("pcapng-two-ifaces.pcapng", "EN10MB(1),EN10MB(1)", eth,
            "pcapng, two Ethernet interfaces (same link type and snaplen): eth0 (microsecond) carries an IPv4 exchange, "
            "eth1 (nanosecond if_tsresol) an IPv6 one with a fragmented answer; records interleaved",
            made="scapy packets, pcapng blocks written by hand")
    exchange4(c, 0x6001, 1139, 46001)
    exchange6(c, 0x6002, 1425, 46002, frag_per=1232, ident=0x6002)
    for i, r in enumerate(c.recs):
        r.iface = 0 if i < 2 else 1
        r.ts_ns = BASE_NS + [1, 3, 2, 4, 5][i] * 1000000 + (123 if i >= 2 else 0)  # interleave the two
    c.recs.sort(key=lambda r: r.ts_ns)
    write_pcapng(os.path.join(OUT, c.name), [(1, "eth0", 262144, 6), (1, "eth1", 262144, 9)], c.recs)
    c.counts(dns_queries=2, dns_responses=2, ip6_datagrams=1)
    c.manifest()

    # libpcap 1.10 refuses a pcapng whose interfaces differ in snaplen, even with one
    # link type; real files do this (pcapplusplus/dns_over_tcp.pcapng in ../shared/real-pcaps).
    c.name, c.covers = "pcapng-snaplens-differ.pcapng", (
        "the same records with eth0 snaplen 65535 and eth1 snaplen 262144: libpcap 1.10 refuses the file "
        "('an interface has a snapshot length ... different'); a reader that walks the blocks itself reads it")
    write_pcapng(os.path.join(OUT, c.name), [(1, "eth0", 65535, 6), (1, "eth1", 262144, 9)], c.recs)
    c.manifest()

    c = Cap("pcapng-mixed-linktypes.pcapng", "EN10MB(1),RAW(101)", eth,
            "pcapng with an Ethernet and a raw-IP interface: libpcap refuses mixed link types; the analyzer must "
            "reject it with a message naming the fix (editcap/tshark to split)",
            made="scapy packets, pcapng blocks written by hand")
    exchange4(c, 0x6101, 864, 46101)
    c.recs[1].data = c.recs[1].data[14:]
    c.recs[1].iface = 1
    write_pcapng(os.path.join(OUT, c.name), [(1, "eth0", 65535, 6), (101, "tun0", 65535, 6)], c.recs)
    c.manifest("reject")

    c = Cap("truncated.pcap", "EN10MB(1)", eth,
            "a pcap cut off in the middle of its 4th record's data (a capture killed while writing): 3 whole records",
            made="scapy packets, pcap written by hand, then cut")
    exchange4(c, 0x6201, 864, 46201)
    exchange4(c, 0x6202, 1139, 46202)
    out = write_pcap(os.path.join(OUT, c.name), LT["EN10MB"], c.recs)
    with open(os.path.join(OUT, c.name), "wb") as f:
        f.write(out[:len(out) - 600])
    c.expect["packets"] = 3
    c.counts(dns_queries=2, dns_responses=1, truncated_files=1)
    c.manifest()

    c = Cap("snaplen96.pcap", "EN10MB(1)", eth,
            "snaplen 96: queries whole, a 1,139-byte IPv4 answer cut to 96 bytes (DNS header present), an IPv6 "
            "1,425-byte answer in 2 fragments both cut (cannot be reassembled)",
            made="scapy packets, pcap written by hand with caplen < len")
    exchange4(c, 0x6301, 1139, 46301)
    exchange6(c, 0x6302, 1425, 46302, frag_per=1232, ident=0x6302)
    c.counts(dns_queries=2, dns_responses=1, ip6_datagrams=1, ip6_incomplete=1)
    c.write(LT["EN10MB"], snaplen=96)

    c = Cap("lying-length.pcap", "EN10MB(1)", eth,
            "hostile record headers, file snaplen 1,024: record 2 says its original length is 800 while 906 bytes are "
            "captured (len < caplen); record 4 holds 1,181 bytes, more than the snaplen (libpcap cuts it to 1,024)",
            made="scapy packets, record headers written by hand")
    exchange4(c, 0x6401, 864, 46401)
    exchange4(c, 0x6402, 1139, 46402)
    c.recs[1].orig = 800
    c.recs[3].orig = len(c.recs[3].data)
    c.counts(dns_queries=2, dns_responses=2, wirelen_short=1, over_snaplen=1)
    c.write(LT["EN10MB"], snaplen=1024)

    c = Cap("nanosecond.pcap", "EN10MB(1)", eth,
            "nanosecond-resolution pcap (magic 0xa1b23c4d): timestamps ending in 123 ns and 456,789 ns")
    exchange4(c, 0x6501, 864, 46501)
    c.recs[0].ts_ns = BASE_NS + 123
    c.recs[1].ts_ns = BASE_NS + 20456789
    c.counts(dns_queries=1, dns_responses=1)
    c.write(LT["EN10MB"], nano=True)


def build_points_icmp():
    """Two-point pairs for dnsfrag-analyze --points: 'outside' (point 1, client side) and
    'inside' (point 2, server side). A router beyond 'outside' (client side) sends
    needs-frag / packet-too-big about the server's answers, toward the server."""
    nat_srv, nat_cli = "203.0.113.53", "203.0.113.2"

    def pair(name, covers, cases):
        """cases: (family, qid, sport, passes, nat) each: query, answer, ICMP error at outside (and inside when it passes)."""
        out = Cap(f"points-icmp-{name}-outside.pcap", "EN10MB(1)", eth, covers + "; point 1 of 2 (client side)")
        ins = Cap(f"points-icmp-{name}-inside.pcap", "EN10MB(1)", eth, covers + "; point 2 of 2 (server side)")
        icmp_count = {"icmp_fragneeded": [0, 0], "icmp6_ptb": [0, 0]}
        for fam, qid, sport, passes, nat in cases:
            if fam == 4:
                # outside sees the public server address; inside the real one and the client behind source NAT
                osrv, ocli, oport = (nat_srv if nat else S4), C4, sport
                isrv, icli, iport = S4, (nat_cli if nat else C4), (sport + 10000 if nat else sport)
                mk = lambda s, d, sp, dp, m: udp4(s, d, sp, dp, m)  # noqa: E731
                err = lambda src, dst, a: icmp4(src, dst, ICMP(type=3, code=4, nexthopmtu=1280), a[:576])  # noqa: E731
                key = "icmp_fragneeded"
            else:
                osrv, ocli, oport, isrv, icli, iport = S6, C6, sport, S6, C6, sport
                mk = lambda s, d, sp, dp, m: udp6(s, d, sp, dp, m)  # noqa: E731
                err = lambda src, dst, a: icmp6(src, dst, ICMPv6PacketTooBig(mtu=1280), a[:1232])  # noqa: E731
                key = "icmp6_ptb"
            q, ans = query(qid), dnskey_answer(qid, 1425)
            router = R4 if fam == 4 else R6
            out.add(mk(ocli, osrv, oport, 53, q), dt=0.010)
            ins.add(mk(icli, isrv, iport, 53, q), dt=0.011)
            ins.add(mk(isrv, icli, 53, iport, ans), dt=0.010)
            out.add(mk(osrv, ocli, 53, oport, ans), dt=0.011)
            out.add(err(router, osrv, mk(osrv, ocli, 53, oport, ans)), dt=0.001)
            icmp_count[key][0] += 1
            if passes:
                ins.add(err(router, isrv, mk(isrv, icli, 53, iport, ans)), dt=0.002)
                icmp_count[key][1] += 1
        n = len(cases)
        for k, c in enumerate((out, ins)):
            c.counts(dns_queries=n, dns_responses=n, icmp_fragneeded=icmp_count["icmp_fragneeded"][k],
                     icmp6_ptb=icmp_count["icmp6_ptb"][k])
            c.write(LT["EN10MB"])

    pair("drop", "ICMP filtered between the points: a router beyond 'outside' answers a whole 1,425-byte DF answer "
         "with needs-frag (IPv4, MTU 1,280, quoting 576 bytes) and packet-too-big (IPv6, quoting 1,232 bytes) toward "
         "the server; both errors are seen at 'outside', neither at 'inside' (a PMTU black hole)",
         [(4, 0x7101, 47101, False, False), (6, 0x7102, 47102, False, False)])
    pair("pass", "ICMP passing the points: as points-icmp-drop-* but both errors reach 'inside'; IPv4 through NAT "
         "(outside sees the server as 203.0.113.53, inside sees the client as 203.0.113.2 with its port + 10,000, "
         "also in the quote)",
         [(4, 0x7201, 47201, True, True), (6, 0x7202, 47202, True, False)])


def main():
    os.makedirs(OUT, exist_ok=True)
    build_links()
    build_ip4()
    build_ip6()
    build_icmp()
    build_tcp()
    build_files()
    build_points_icmp()
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("# pcaps/MANIFEST - the reference captures, written by make-synthetic.py (do not edit by hand).\n"
                "# One line per file, tab-separated: file, link type(s) LINKTYPE(number), how it was made, what it covers,\n"
                "# and what a DNS-aware analyzer following dnsfrag's counting rules should count (key=value), or\n"
                "# 'reject' when the analyzer must refuse the file. Counting rules: ip4_frags/ip6_frags count top-level\n"
                "# fragments, not headers quoted in ICMP errors; dns_* count DNS messages on port 53 (UDP after\n"
                "# reassembly, TCP per RFC 7766 message), never mDNS; a fragmented message counts once.\n")
        for line in MANIFEST:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
