#!/usr/bin/python3
"""craft-fixture.py - the crafted packets written again, independently, with scapy.

Usage: craft-fixture.py PCAP CASES

CASES holds one case per line (blank lines and # comments skipped), fields
separated by spaces:

    name src dst sport dport ttl df id frag_data qname qtype qid udp_size do pad_to [hex hex ...]

the parameters tests/probe/craft-send was given (sport: the port it bound and
printed; pad_to 0: no padding; frag_data 0: one packet) followed by the packets
the C crafter says it built (its "packet=" lines), which are checked too.

For each case the fixture builds, from the parameters alone, the DNS query
(scapy's DNS layer, OPT with an RFC 7830 padding option), the UDP datagram
(scapy computes the checksum over the whole datagram) and the IP packets that
carry it (IPv4 fragments by MF / offset, IPv6 by a fragment header), then
requires that:
  1. every expected packet is in the capture, byte for byte from the IP header
     on (Ethernet framing stripped, nothing else);
  2. the capture holds no other packet of that datagram (same IPv4 id / IPv6
     fragment id, or the same source port), i.e. nothing was re-sent or changed;
  3. the C crafter's own bytes equal the fixture's;
  4. the capture holds the server's answer: UDP from dst port dport to src port
     sport, a DNS response (QR) with the query's id.
Prints one line per check; exits 0 when all pass, 1 otherwise.
"""
import socket
import sys

from scapy.all import (DNS, DNSQR, DNSRROPT, EDNS0TLV, IP, UDP, Ether, IPv6,
                       IPv6ExtHdrFragment, Raw, rdpcap)
from scapy.layers.l2 import CookedLinux

failures = 0


def check(ok, msg):
    global failures
    print(("ok   " if ok else "FAIL ") + msg)
    if not ok:
        failures += 1


def dns_query(qname, qtype, qid, udp_size, do, pad_to):
    def build(opts):
        opt = DNSRROPT(rrname=".", type=41, rclass=udp_size, extrcode=0, version=0,
                       z=0x8000 if do else 0, rdata=opts)
        return bytes(DNS(id=qid, qr=0, opcode=0, rd=0, qd=DNSQR(qname=qname, qtype=qtype, qclass=1),
                         ar=opt))
    base = build([])
    if not pad_to:
        return base
    n = pad_to - len(base) - 4
    assert n >= 0, "pad_to too small"
    q = build([EDNS0TLV(optcode=12, optlen=n, optdata=b"\0" * n)])
    assert len(q) == pad_to, (len(q), pad_to)
    return q


def expected_packets(c):
    v6 = ":" in c["src"]
    dnsb = dns_query(c["qname"], c["qtype"], c["qid"], c["udp_size"], c["do"], c["pad_to"])
    # The UDP datagram, checksum by scapy in the context of the real addresses.
    if v6:
        dgram = bytes(IPv6(src=c["src"], dst=c["dst"]) / UDP(sport=c["sport"], dport=c["dport"]) / Raw(dnsb))[40:]
    else:
        dgram = bytes(IP(src=c["src"], dst=c["dst"]) / UDP(sport=c["sport"], dport=c["dport"]) / Raw(dnsb))[20:]
    fd = c["frag_data"]
    pieces = [(0, dgram)] if not fd else [(off, dgram[off:off + fd]) for off in range(0, len(dgram), fd)]
    pkts = []
    for off, data in pieces:
        mf = off + len(data) < len(dgram)
        if v6:
            ip6 = IPv6(version=6, tc=0, fl=0, src=c["src"], dst=c["dst"], hlim=c["ttl"])
            if fd:
                p = ip6 / IPv6ExtHdrFragment(nh=17, res1=0, offset=off // 8, res2=0, m=int(mf), id=c["id"]) / Raw(data)
            else:
                ip6.nh = 17
                p = ip6 / Raw(data)
        else:
            flags = (2 if c["df"] else 0) | (1 if mf else 0)
            p = IP(version=4, ihl=5, tos=0, id=c["id"], flags=flags, frag=off // 8, ttl=c["ttl"], proto=17,
                   src=c["src"], dst=c["dst"]) / Raw(data)
        pkts.append(bytes(p))
    return pkts, v6


def ip_bytes(frame):
    """The frame from its IP header on, trimmed to the IP length (no link padding)."""
    if frame.haslayer(Ether) or frame.haslayer(CookedLinux):
        payload = bytes(frame.payload)
    else:
        payload = bytes(frame)
    if not payload:
        return None
    ver = payload[0] >> 4
    if ver == 4 and len(payload) >= 20:
        return payload[:int.from_bytes(payload[2:4], "big")]
    if ver == 6 and len(payload) >= 40:
        return payload[:40 + int.from_bytes(payload[4:6], "big")]
    return None


def related(b, c, v6):
    """Does captured IP packet b belong to the case's datagram (whatever the host did to it)?"""
    if v6:
        if b[8:24] != socket.inet_pton(socket.AF_INET6, c["src"]) or \
                b[24:40] != socket.inet_pton(socket.AF_INET6, c["dst"]):
            return False
        nh, rest = b[6], b[40:]
        if nh == 44 and len(rest) >= 8:
            if int.from_bytes(rest[4:8], "big") == c["id"]:
                return True
            offset = int.from_bytes(rest[2:4], "big") & 0xfff8
            return offset == 0 and rest[0] == 17 and len(rest) >= 10 and \
                int.from_bytes(rest[8:10], "big") == c["sport"]
        return nh == 17 and len(rest) >= 2 and int.from_bytes(rest[0:2], "big") == c["sport"]
    addrs = socket.inet_pton(socket.AF_INET, c["src"]) + socket.inet_pton(socket.AF_INET, c["dst"])
    if b[12:20] != addrs or b[9] != 17:
        return False
    if int.from_bytes(b[4:6], "big") == c["id"]:
        return True
    ihl = (b[0] & 15) * 4
    first = int.from_bytes(b[6:8], "big") & 0x1fff == 0
    return first and len(b) >= ihl + 2 and int.from_bytes(b[ihl:ihl + 2], "big") == c["sport"]


def answer_of(b, c, v6):
    """The DNS answer's size when b is the server's answer to the case's query."""
    p = IPv6(b) if v6 else IP(b)
    if not p.haslayer(UDP) or p.src != c["dst"] or p.dst != c["src"]:
        return None
    u = p[UDP]
    if u.sport != c["dport"] or u.dport != c["sport"]:
        return None
    raw = bytes(u.payload)
    if len(raw) < 12 or int.from_bytes(raw[0:2], "big") != c["qid"] or not raw[2] & 0x80:
        return None
    return len(raw)


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    frames = [ip_bytes(f) for f in rdpcap(sys.argv[1])]
    frames = [b for b in frames if b]
    names = ("name src dst sport dport ttl df id frag_data qname qtype qid udp_size do pad_to").split()
    for line in open(sys.argv[2]):
        line = line.split("#")[0].strip()
        if not line:
            continue
        f = line.split()
        c = dict(zip(names, f[:len(names)]))
        for k in names[3:]:
            if k != "qname":
                c[k] = int(c[k], 0)
        c_hex = [bytes.fromhex(h) for h in f[len(names):]]
        want, v6 = expected_packets(c)
        name = c["name"]
        seen = [b for b in frames if related(b, c, v6)]
        # The query may have been fragmented by the host's reassembly into other
        # pieces: compare as a set, and show the first difference otherwise.
        for i, w in enumerate(want):
            hit = w in seen
            detail = ""
            if not hit and seen:
                cand = seen[min(i, len(seen) - 1)]
                at = next((j for j in range(min(len(cand), len(w))) if cand[j] != w[j]), min(len(cand), len(w)))
                detail = " (closest capture: %d bytes vs %d expected, first difference at byte %d)" % (
                    len(cand), len(w), at)
            check(hit, "%s: packet %d/%d (%d bytes) on the wire byte for byte as the fixture%s" % (
                name, i + 1, len(want), len(w), detail))
        extra = [b for b in seen if b not in want]
        check(not extra and len(seen) == len(want),
              "%s: no other packet of the datagram on the wire (%d seen, %d expected)" % (name, len(seen), len(want)))
        check(c_hex == want, "%s: the C crafter's %d packet(s) equal the fixture's %d" % (name, len(c_hex), len(want)))
        sizes = [s for s in (answer_of(b, c, v6) for b in frames) if s is not None]
        check(bool(sizes), "%s: the server answered (DNS id 0x%04x, %s bytes)" % (
            name, c["qid"], sizes[0] if sizes else "no answer"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
