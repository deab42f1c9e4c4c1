#!/usr/bin/python3
"""make-hostile.py OUTDIR [--small] - write the hostile captures tests/hostile/test-hostile.sh runs.

Every file is built offline and deterministically (fixed timestamps, ids and
addresses from RFC 5737 / RFC 3849 documentation prefixes): scapy builds the
template packets, and the containers, the lying headers and the 300,000-train
floods are written by hand with struct (scapy would take minutes for the
floods). Nothing is ever sent. Files are written at test time into a temporary
directory and never committed; --small skips the floods (fragment trains
v4 and v6, TCP out-of-order bytes, unanswered queries).

Run with Debian's /usr/bin/python3 (python3-scapy)."""
import calendar
import os
import struct
import sys

from scapy.config import conf
conf.verb = 0
from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRROPT  # noqa: E402
from scapy.layers.inet import IP, UDP, TCP  # noqa: E402
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop  # noqa: E402
from scapy.packet import Raw  # noqa: E402

OUT = sys.argv[1]
SMALL = "--small" in sys.argv
BASE = calendar.timegm((2026, 11, 1, 0, 0, 0))
C4, S4 = "192.0.2.10", "198.51.100.53"
C6, S6 = "2001:db8:1::10", "2001:db8:53::53"
MAC_C, MAC_S = bytes.fromhex("00005e005301"), bytes.fromhex("00005e005302")
EN10MB = 1


def eth(ip):
    ether = 0x0800 if ip[0] >> 4 == 4 else 0x86DD
    return MAC_S + MAC_C + struct.pack("!H", ether) + ip


def pcap_header(linktype=EN10MB, snaplen=262144):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(i, data, caplen=None, orig=None, step_us=1000):
    """Record i, step_us microseconds after the previous one; caplen/orig may lie."""
    t = i * step_us
    return struct.pack("<IIII", BASE + t // 10**6, t % 10**6,
                       len(data) if caplen is None else caplen, len(data) if orig is None else orig) + data


def write(name, blob):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(blob)


def write_pcap(name, ips, linktype=EN10MB, link=eth):
    write(name, pcap_header(linktype) + b"".join(pcap_record(i, link(ip)) for i, ip in enumerate(ips)))


def query(qid, qname=".", qtype="DNSKEY"):
    return bytes(DNS(id=qid, rd=0, qd=DNSQR(qname=qname, qtype=qtype), ar=DNSRROPT(rclass=1232, z=0x8000)))


def q4(qid, sport):
    return bytes(IP(src=C4, dst=S4, id=0, flags="DF") / UDP(sport=sport, dport=53) / Raw(query(qid)))


def udp4_raw(payload, sport=53, dport=40000, src=S4, dst=C4):
    return bytes(IP(src=src, dst=dst, id=0, flags="DF") / UDP(sport=sport, dport=dport) / Raw(payload))


def frag4(ident, off, data, more, proto=17):
    return bytes(IP(src=S4, dst=C4, id=ident, proto=proto, flags=1 if more else 0, frag=off // 8) / Raw(data))


def frag6(ident, off, data, more, nh=17):
    return bytes(IPv6(src=S6, dst=C6, nh=44) / IPv6ExtHdrFragment(nh=nh, offset=off // 8, m=int(more), id=ident) /
                 Raw(data))


def dns_header(qid, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


# ---------------------------------------------------------------- the cases

def teardrop():
    """Teardrop (1997): the second fragment lies inside the first and ends before
    it, so 'end - offset' goes negative in a naive reassembler. Plus a partial
    overlap whose bytes differ (RFC 5722), in IPv4 and IPv6."""
    payload = bytes(UDP(sport=53, dport=40001) / Raw(b"T" * 40))
    v4 = [q4(1, 40001), frag4(7, 0, payload[:40], True), frag4(7, 16, b"X" * 4, False),
          frag4(8, 0, payload[:24], True), frag4(8, 16, b"Y" * 32, False)]
    write_pcap("teardrop-v4.pcap", v4)
    p6 = bytes(UDP(sport=53, dport=40002) / Raw(b"T" * 40))
    v6 = [frag6(9, 0, p6[:40], True), frag6(9, 16, b"X" * 4, False),
          frag6(10, 0, p6[:24], True), frag6(10, 16, b"Y" * 32, False)]
    write_pcap("teardrop-v6.pcap", v6)


def flood(n=300000):
    """n incomplete fragment trains, each a lone first fragment (MF=1) with its
    own id, 30 us apart (9 s: no train times out before the limits bite).
    Written by hand from one scapy template, patching id and checksum."""
    tmpl4 = eth(frag4(0, 0, bytes(UDP(sport=53, dport=40000, len=1000)), True))
    with open(os.path.join(OUT, "flood-v4.pcap"), "wb") as f:
        f.write(pcap_header())
        rec = bytearray(tmpl4)
        for i in range(n):
            ident = i & 0xFFFF
            src3 = 1 + (i >> 16)  # more than 65,536 ids: vary the source too
            rec[14 + 4:14 + 6] = struct.pack("!H", ident)
            rec[14 + 15] = src3
            rec[14 + 10:14 + 12] = b"\0\0"
            s = sum(struct.unpack("!10H", bytes(rec[14:34])))
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            rec[14 + 10:14 + 12] = struct.pack("!H", ~s & 0xFFFF)
            f.write(pcap_record(i, bytes(rec), step_us=30))
    tmpl6 = bytearray(eth(frag6(0, 0, bytes(UDP(sport=53, dport=40000, len=1000)), True)))
    with open(os.path.join(OUT, "flood-v6.pcap"), "wb") as f:
        f.write(pcap_header())
        for i in range(n):
            tmpl6[14 + 40 + 4:14 + 40 + 8] = struct.pack("!I", i + 1)
            f.write(pcap_record(i, bytes(tmpl6), step_us=30))


def ip4_raw(src, dst, proto, payload):
    """An IPv4 header by hand (DF, id 0) with its checksum: for the floods."""
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst))
    s = sum(struct.unpack("!10H", bytes(h)))
    s = (s & 0xFFFF) + (s >> 16)
    h[10:12] = struct.pack("!H", ~((s & 0xFFFF) + (s >> 16)) & 0xFFFF)
    return bytes(h) + payload


def tcp_flood(flows=70000, size=1200):
    """flows DNS-over-TCP connections (more than the 65,536 tracked), each a SYN
    then one size-byte segment 1,000 bytes past the stream start: out-of-order
    bytes the stream must hold (84 MB in all) until its limits give up on them."""
    dst = bytes([198, 51, 100, 53])
    with open(os.path.join(OUT, "flood-tcp.pcap"), "wb") as f:
        f.write(pcap_header())
        for i in range(flows):
            src, port = bytes([192, 0, 2, 1 + i // 50000]), 10000 + i % 50000  # never 5353 (mDNS)
            syn = struct.pack("!HHIIBBHHH", port, 53, 0, 0, 0x50, 0x02, 65535, 0, 0)
            seg = struct.pack("!HHIIBBHHH", port, 53, 1001, 0, 0x50, 0x10, 65535, 0, 0) + bytes(size)
            f.write(pcap_record(2 * i, eth(ip4_raw(src, dst, 6, syn)), step_us=10))
            f.write(pcap_record(2 * i + 1, eth(ip4_raw(src, dst, 6, seg)), step_us=10))


def query_flood(n=300000):
    """n queries from distinct ports, never answered, 10 us apart."""
    dst = bytes([198, 51, 100, 53])
    q = struct.pack("!HHHHH", 0, 1, 0, 0, 0) + b"\x07example\x00" + struct.pack("!HH", 1, 1)
    with open(os.path.join(OUT, "flood-queries.pcap"), "wb") as f:
        f.write(pcap_header())
        for i in range(n):
            src, port = bytes([192, 0, 2, 1 + i // 50000]), 10000 + i % 50000  # never 5353 (mDNS)
            m = struct.pack("!H", i & 0xFFFF) + q
            f.write(pcap_record(i, eth(ip4_raw(src, dst, 17, struct.pack("!HHHH", port, 53, 8 + len(m), 0) + m)),
                                step_us=10))


def oversize():
    """Fragments reaching past 65,535 bytes: offset 65,528 (the largest 13-bit
    offset) with 100 bytes, as the last and as a middle fragment; IPv4 and IPv6.
    A query comes first, so the dropped trains are tied to it (the fuzz_pipeline
    crash: a train dropped with no bytes held has no ranges to copy)."""
    head = bytes(UDP(sport=53, dport=40003, len=8 + 200)) + b"A" * 8
    v4 = [q4(3, 40003), frag4(12, 65528, b"C" * 100, True),
          frag4(11, 0, head, True), frag4(11, 65528, b"B" * 100, False)]
    v6 = [frag6(13, 0, head, True), frag6(13, 65528, b"B" * 100, False)]
    write_pcap("oversize.pcap", v4 + v6)


def tiny():
    """Zero-length and tiny fragments: a first fragment with no data at all, a
    1-byte first fragment (not a multiple of 8), 8-byte fragments, a zero-length
    last fragment, in IPv4 and IPv6."""
    p = bytes(UDP(sport=53, dport=40004) / Raw(b"Z" * 16))
    pk = [frag4(21, 0, b"", True), frag4(21, 0, p[:1], True), frag4(22, 0, p[:8], True), frag4(22, 8, p[8:16], True),
          frag4(22, 16, p[16:], True), frag4(22, 24, b"", False),
          frag6(23, 0, b"", True), frag6(23, 8, b"", False), frag6(24, 0, p[:1], True)]
    write_pcap("tiny-frags.pcap", pk)


def exthdr():
    """IPv6 extension-header chains that loop or run past the packet:
    a hop-by-hop header whose length runs past the packet; a chain of 40
    routing headers (each pointing to another); a fragment whose reassembled
    payload starts with another fragment header (nested fragmentation, a loop
    through reassembly); a hop-by-hop header in second position; a truncated
    header right at the end of the packet."""
    udp = bytes(UDP(sport=53, dport=40005) / Raw(b"E" * 16))
    past = bytearray(bytes(IPv6(src=S6, dst=C6, nh=0) / Raw(bytes([17, 200]) + bytes(6) + udp)))
    rh = b"".join(bytes([43, 0, 0, 0, 0, 0, 0, 0]) for _ in range(39)) + bytes([17, 0, 0, 0, 0, 0, 0, 0])
    chain = bytes(IPv6(src=S6, dst=C6, nh=43) / Raw(rh + udp))
    inner = bytes(IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=99)) + udp  # a fragment header inside
    nested = [frag6(31, 0, inner[:16], True, nh=44), frag6(31, 16, inner[16:], False, nh=44)]
    inner2 = bytes(IPv6ExtHdrFragment(nh=44, offset=0, m=1, id=98)) + bytes(IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=97)) + udp
    nested2 = [frag6(32, 0, inner2, False, nh=44)]
    hbh2 = bytes(IPv6(src=S6, dst=C6, nh=60) / Raw(bytes([0, 0, 1, 4, 0, 0, 0, 0]) + bytes([17, 0, 1, 4, 0, 0, 0, 0]) + udp))
    cut = bytes(IPv6(src=S6, dst=C6, nh=60) / Raw(bytes([17, 0, 1])))
    write_pcap("exthdr-chains.pcap", [bytes(past), chain] + nested + nested2 + [hbh2, cut])


def dns_names():
    """DNS compression loops and forward pointers: a question name pointing to
    itself, an answer name pointing to itself, two names pointing to each other,
    a pointer forward to bytes after it, a pointer past the message (all five
    malformed), and a legal answer whose 20 names each point to the one before;
    each as a response to a matching query."""
    ans = []
    q = lambda qid: bytes(IP(src=C4, dst=S4, id=0, flags="DF") / UDP(sport=41000 + qid, dport=53) / Raw(query(qid)))
    r = lambda qid, m: bytes(IP(src=S4, dst=C4, id=0, flags="DF") / UDP(sport=53, dport=41000 + qid) / Raw(m))
    # 1: question name is a pointer to itself (offset 12)
    m1 = dns_header(1, 0x8400, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 48, 1)
    # 2: root question, answer name pointing to itself (offset 17)
    m2 = dns_header(2, 0x8400, 1, 1, 0, 0) + b"\0" + struct.pack("!HH", 48, 1) + b"\xc0\x11" + \
        struct.pack("!HHIH", 48, 1, 300, 4) + b"abcd"
    # 3: two answer names pointing to each other
    m3 = dns_header(3, 0x8400, 1, 2, 0, 0) + b"\0" + struct.pack("!HH", 48, 1) + \
        b"\xc0\x23" + struct.pack("!HHIH", 48, 1, 300, 0) + b"\xc0\x11" + struct.pack("!HHIH", 48, 1, 300, 0)
    # 4: a label then a forward pointer to the end, then an OPT
    m4 = dns_header(4, 0x8400, 1, 1, 0, 1) + b"\x01a\xc0\x1e" + struct.pack("!HH", 48, 1) + \
        b"\0" + struct.pack("!HHIH", 48, 1, 300, 0) + b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)
    # 5: a pointer past the end of the message
    m5 = dns_header(5, 0x8400, 1, 0, 0, 0) + b"\xff\xff" + struct.pack("!HH", 48, 1)
    # 6: 20 answer names, each a pointer to the one before (backwards, legal: no loop)
    m6 = dns_header(6, 0x8400, 1, 20, 0, 0) + b"\0" + struct.pack("!HH", 48, 1)
    prev = 12
    for i in range(20):
        here = len(m6)
        m6 += struct.pack("!H", 0xC000 | prev) + struct.pack("!HHIH", 48, 1, 300, 0)
        prev = here
    for qid, m in enumerate([m1, m2, m3, m4, m5, m6], 1):
        ans += [q(qid), r(qid, m)]
    write_pcap("dns-compression.pcap", ans)


def opt_overrun():
    """OPT records that lie: an option longer than the OPT's RDATA, an RDATA
    longer than the message, two OPT records, an OPT with a non-root owner."""
    pk = []
    good = bytes(DNS(id=0, qr=1, qd=DNSQR(qname=".", qtype="DNSKEY")))[:-0 or None]
    base = lambda qid, ar: dns_header(qid, 0x8400, 1, 0, 0, ar) + b"\0" + struct.pack("!HH", 48, 1)
    opt = lambda rdlen, rdata, owner=b"\0": owner + struct.pack("!HHIH", 41, 4096, 0x8000, rdlen) + rdata
    ms = [base(1, 1) + opt(8, struct.pack("!HH", 10, 200) + bytes(4)),        # option runs past RDATA
          base(2, 1) + opt(500, struct.pack("!HH", 10, 8) + bytes(8)),        # RDATA runs past the message
          base(3, 2) + opt(0, b"") + opt(0, b""),                              # two OPTs
          base(4, 1) + opt(0, b"", owner=b"\x01x\0"),                          # OPT not at the root
          base(5, 1) + opt(3, b"\0\x0a\0")]                                    # option header cut
    for qid, m in enumerate(ms, 1):
        pk += [bytes(IP(src=C4, dst=S4, id=0, flags="DF") / UDP(sport=42000 + qid, dport=53) / Raw(query(qid))),
               udp4_raw(m, dport=42000 + qid)]
    write_pcap("opt-overrun.pcap", pk)
    del good


def tcp_lying():
    """DNS over TCP with lying length prefixes: a prefix of 60,000 then FIN
    after 100 bytes; a zero prefix then a real message; a prefix of 1 then a
    message; a prefix cut in half by the FIN."""
    pk = []
    for n, (stream, label) in enumerate([
            (struct.pack("!H", 60000) + b"L" * 100, "long"),
            (b"\0\0" + struct.pack("!H", len(query(2))) + query(2), "zero"),
            (b"\0\x01" + b"\x00" + struct.pack("!H", len(query(3))) + query(3), "one"),
            (b"\x00", "half")], 1):
        cp, isn_c, isn_s = 43000 + n, 1000, 5000
        c = lambda flags, seq, ack, data=b"": bytes(IP(src=C4, dst=S4, id=0, flags="DF") /
                                                    TCP(sport=cp, dport=53, flags=flags, seq=seq, ack=ack) / Raw(data))
        s = lambda flags, seq, ack, data=b"": bytes(IP(src=S4, dst=C4, id=0, flags="DF") /
                                                    TCP(sport=53, dport=cp, flags=flags, seq=seq, ack=ack) / Raw(data))
        pk += [c("S", isn_c, 0), s("SA", isn_s, isn_c + 1), c("A", isn_c + 1, isn_s + 1),
               s("PA", isn_s + 1, isn_c + 1, stream), s("FA", isn_s + 1 + len(stream), isn_c + 1),
               c("FA", isn_c + 1, isn_s + 2 + len(stream)), s("A", isn_s + 2 + len(stream), isn_c + 2)]
        del label
    write_pcap("tcp-lying.pcap", [p if p[0] >> 4 == 4 else p for p in pk])


def files():
    """Truncated capture files, records longer than the snaplen, unknown link types."""
    recs = [eth(q4(i, 44000 + i)) for i in range(4)]
    whole = pcap_header() + b"".join(pcap_record(i, r) for i, r in enumerate(recs))
    write("cut-file-header.pcap", whole[:10])
    write("cut-record-header.pcap", whole[:24 + 2 * (16 + len(recs[0])) + 7])
    write("cut-record-data.pcap", whole[:24 + 2 * (16 + len(recs[0])) + 16 + 20])
    # pcapng cut inside an enhanced packet block
    def block(btype, body):
        body += bytes(-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    ng = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)) + block(1, struct.pack("<HHI", 1, 0, 65535))
    for i, r in enumerate(recs):
        ng += block(6, struct.pack("<IIIII", 0, 0, i, len(r), len(r)) + r)
    write("cut-pcapng.pcapng", ng[:len(ng) - 30])
    # snaplen 128: a record claiming 1,500 captured bytes (more than the snaplen), then whole ones
    big = eth(udp4_raw(b"\0" * 1400))
    write("over-snaplen.pcap", pcap_header(snaplen=128) + pcap_record(0, recs[0]) + pcap_record(1, big) +
          pcap_record(2, recs[1][:128], orig=len(recs[1])))
    # a record header claiming 2 GB
    write("huge-caplen.pcap", pcap_header() + pcap_record(0, recs[0]) +
          struct.pack("<IIII", BASE, 5, 0x7FFFFFF0, 0x7FFFFFF0) + recs[1])
    # unknown link types: DLT_USER0 (147) and a value nobody assigned (65000)
    write("linktype-user0.pcap", pcap_header(linktype=147) + pcap_record(0, recs[0]))
    write("linktype-65000.pcap", pcap_header(linktype=65000) + pcap_record(0, recs[0]))


os.makedirs(OUT, exist_ok=True)
teardrop()
oversize()
tiny()
exthdr()
dns_names()
opt_overrun()
tcp_lying()
files()
if not SMALL:
    flood()
    tcp_flood()
    query_flood()
