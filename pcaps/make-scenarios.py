#!/usr/bin/python3
"""make-scenarios.py - write dnsfrag's transaction-level scenario captures and
pcaps/scenarios/MANIFEST, and check them against bin/dnsfrag-analyze and tshark.

make-synthetic.py exercises the packet layer (links, fragments, TCP framing).
The captures here exercise the layer above it: one DNS transaction story per
file, each ending in one verdict, TCP outcome, ICMP attribution or policy of
dnsfrag-analyze, with the health and exit code the analyzer should give.

Every capture is built offline: scapy builds the IP/UDP/TCP/ICMP/DNS bytes and
wrpcap writes Ethernet pcap files. Nothing is ever sent. Only documentation
addresses are used (RFC 5737, RFC 3849; MAC addresses from RFC 7042).

Realistic on purpose: EDNS0 OPT in every query and answer (DO set, as a
validating resolver sends it), answers of exact sizes (TXT records padded to the
byte, or a root-DNSKEY-like set: 864, 1,139, 1,425, 1,700 bytes as NSD serves a
signed root), name compression as servers use it, IPv4 answers fragmented at a
1,500-byte MTU (1,480 payload bytes per fragment, distinct IP ids, DF clear),
unfragmented IPv4 packets with DF and IP id 0 (Linux UDP), IPv6 answers
fragmented at 1,232 bytes of data (NSD), TCP with Linux-like options (MSS,
SACK-permitted, timestamps, window scale), the RFC 7766 length prefix, delayed
ACKs and FIN teardown, client ports >= 1024, a 12 ms round trip.

Deterministic: timestamps start at 2026-11-01T00:00:00Z, ids, ports and sequence
numbers are fixed, and padding/key material comes from SHAKE-256 of a fixed
label, so a rerun writes byte-identical files.

Run with Debian's /usr/bin/python3 (python3-scapy):
    pcaps/make-scenarios.py [OUTDIR]          write the captures and the MANIFEST
    pcaps/make-scenarios.py --check [OUTDIR]  write them, then run bin/dnsfrag-analyze
                                              (text and --json) and tshark on each and
                                              compare with what the MANIFEST says
"""
import calendar
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from decimal import Decimal

from scapy.config import conf
conf.verb = 0
from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRROPT, dns_compress  # noqa: E402
from scapy.layers.inet import IP, UDP, TCP, ICMP  # noqa: E402
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment, ICMPv6PacketTooBig, ICMPv6EchoRequest, ICMPv6EchoReply  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.utils import wrpcap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
BASE_NS = calendar.timegm((2026, 11, 1, 0, 0, 0)) * 10**9
RTT = 0.012            # client <-> server round trip
BACK_TO_BACK = 0.00005  # between fragments/segments sent in one burst

# Addresses: client, server, the router in front of the server (IPv4 and IPv6).
C4, S4, R4 = "192.0.2.10", "198.51.100.53", "203.0.113.1"
C6, S6, R6 = "2001:db8:1::10", "2001:db8:53::53", "2001:db8:ffff::1"
# RFC 7042 documentation MACs: the host a capture was taken on, and its next hop.
MAC = {"client": "00:00:5e:00:53:0a", "client-gw": "00:00:5e:00:53:01",
       "server": "00:00:5e:00:53:35", "server-gw": "00:00:5e:00:53:fe"}
TTL_HOPS = 6            # hops between client and server: remote packets arrive with 64 - 6


def material(label, n):
    """n deterministic pseudo-random bytes (stands in for keys, signatures and padding)."""
    return hashlib.shake_256(label.encode()).digest(n)


# ---------------------------------------------------------------- DNS messages

def opt(bufsize, do=True):
    return DNSRROPT(rclass=bufsize, z=0x8000 if do else 0)


def chain(records):
    """scapy 2.5 wants a section as a chain of records (rr1/rr2/...), not a list."""
    out = records[0]
    for r in records[1:]:
        out = out / r
    return out


def query(qid, qname, qtype, bufsize, do=True):
    """A resolver's query to an authoritative server: RD clear, EDNS0 with DO."""
    return bytes(DNS(id=qid, rd=0, qd=DNSQR(qname=qname, qtype=qtype), ar=opt(bufsize, do)))


def txt_answer(qid, qname, size, bufsize=4096):
    """An authoritative TXT answer of exactly size bytes, compressed as servers
    send it: TXT records of up to 1,024 bytes of RDATA each (four 255-byte
    strings), the last one shortened to hit the size."""
    def build(rdlens):
        an = []
        for i, r in enumerate(rdlens):
            k = (r + 255) // 256          # strings in this record
            text = material(f"txt.{qid}.{i}", r).hex().encode()[:r - k]
            strings = [text[j:j + 255] for j in range(0, 255 * k, 255)][:k]
            strings += [b""] * (k - len(strings))
            an.append(DNSRR(rrname=qname, type="TXT", ttl=300, rdata=strings))
        m = DNS(id=qid, qr=1, aa=1, rd=0, qd=DNSQR(qname=qname, qtype="TXT"),
                an=chain(an) if an else None, ar=opt(bufsize))
        return bytes(dns_compress(m))
    base = len(build([]))
    per_rr = 12  # compressed owner (2) + type, class, TTL, RDLENGTH (10)
    n = 1
    while True:
        rest = size - base - per_rr * n - 1024 * (n - 1)
        if 1 <= rest <= 1024:
            break
        n += 1
        assert n < 100, size
    m = build([1024] * (n - 1) + [rest])
    assert len(m) == size, (len(m), size)
    return m


def dnskey_answer(qid, size, bufsize=4096):
    """A root-DNSKEY-like answer (to '. DNSKEY' with DO) of exactly size bytes:
    RSA-2048 keys (KSK 20326, standby KSK 38696, ZSKs) and RRSIGs as a signed
    root serves them: 2 keys + 1 RRSIG = 864 bytes, 3 + 1 = 1,139, 3 + 2 = 1,425,
    4 + 2 = 1,700; the last signature is stretched for other sizes."""
    def key(i):
        flags = 257 if i < 2 else 256
        rdata = struct.pack("!HBB", flags, 3, 8) + b"\x03\x01\x00\x01" + material(f"key.{qid}.{i}", 256)
        return DNSRR(rrname=".", type="DNSKEY", ttl=172800, rdata=rdata)

    def sig(i, extra=0):
        rdata = struct.pack("!HBBIIIH", 48, 8, 0, 172800,
                            calendar.timegm((2026, 11, 21, 0, 0, 0)), calendar.timegm((2026, 10, 31, 0, 0, 0)),
                            (20326, 38696)[i % 2]) + b"\x00" + material(f"sig.{qid}.{i}", 256 + extra)
        return DNSRR(rrname=".", type="RRSIG", ttl=172800, rdata=rdata)

    nkeys, nsigs = 2, 1
    while True:
        cur = 28 + 275 * nkeys + 286 * nsigs
        step = 275 if nkeys - nsigs < 2 else 286
        if size - cur < step:
            break
        if step == 275:
            nkeys += 1
        else:
            nsigs += 1
    extra = size - (28 + 275 * nkeys + 286 * nsigs)
    an = [key(i) for i in range(nkeys)] + [sig(i, extra if i == nsigs - 1 else 0) for i in range(nsigs)]
    m = bytes(DNS(id=qid, qr=1, aa=1, rd=0, qd=DNSQR(qname=".", qtype="DNSKEY"), an=chain(an), ar=opt(bufsize)))
    assert len(m) == size, (len(m), size)
    return m


def tc_answer(qid, qname, qtype, bufsize=1232):
    """What NSD sends when the answer does not fit: TC=1, the question and OPT, nothing else."""
    return bytes(DNS(id=qid, qr=1, aa=1, tc=1, rd=0, qd=DNSQR(qname=qname, qtype=qtype), ar=opt(bufsize)))


def tcp_frame(msg):
    """RFC 7766: a two-byte length before each message."""
    return struct.pack("!H", len(msg)) + msg


# ---------------------------------------------------------------- IP datagrams

def udp4(src, dst, sport, dport, payload, ident=0, df=True, ttl=64):
    """A UDP datagram as Linux sends it: DF and IP id 0 when it fits the MTU."""
    return bytes(IP(src=src, dst=dst, id=ident, flags="DF" if df else 0, ttl=ttl) /
                 UDP(sport=sport, dport=dport) / Raw(payload))


def udp6(src, dst, sport, dport, payload, hlim=64):
    return bytes(IPv6(src=src, dst=dst, hlim=hlim) / UDP(sport=sport, dport=dport) / Raw(payload))


def pieces(total, per):
    """(offset, length) pieces of a payload of total bytes, per bytes each (a multiple of 8)."""
    assert per % 8 == 0
    return [(off, min(per, total - off)) for off in range(0, total, per)]


def frag4(dgram, per=1480, df=False, layout=None, data=None):
    """IPv4 fragments of a whole datagram: per bytes of payload each (1,480 at a
    1,500-byte MTU), or the (offset, length) pieces of layout. data replaces the
    payload bytes the pieces are cut from (to make overlaps that disagree)."""
    ip = IP(dgram)
    body = data if data is not None else dgram[20:]
    total = len(dgram) - 20
    out = []
    for off, n in (layout or pieces(total, per)):
        flags = (2 if df else 0) | (1 if off + n < total else 0)
        out.append(bytes(IP(src=ip.src, dst=ip.dst, id=ip.id, ttl=ip.ttl, proto=ip.proto, flags=flags,
                            frag=off // 8) / Raw(body[off:off + n])))
    return out


def frag6(dgram, ident, per=1232):
    """IPv6 fragments as NSD's kernel sends them: 1,232 bytes of data each
    (the 1,280 minimum MTU less the IPv6 and fragment headers)."""
    ip = IPv6(dgram)
    body = dgram[40:]
    out = []
    for off, n in pieces(len(body), per):
        out.append(bytes(IPv6(src=ip.src, dst=ip.dst, hlim=ip.hlim, nh=44) /
                         IPv6ExtHdrFragment(nh=ip.nh, offset=off // 8, m=1 if off + n < len(body) else 0, id=ident) /
                         Raw(body[off:off + n])))
    return out


# ---------------------------------------------------------------- captures

def count_frag(ip):
    """'ip4_frags', 'ip6_frags' or None: what a top-level packet adds to the fragment counts."""
    if ip[0] >> 4 == 4:
        return "ip4_frags" if struct.unpack("!H", ip[6:8])[0] & 0x3FFF else None
    return "ip6_frags" if ip[6] == 44 else None


class Cap:
    """One capture being built: Ethernet frames on the link of one host (the
    client, unless said otherwise), the capture clock, and what it should show."""

    def __init__(self, name, local=(C4, C6), host="client"):
        self.name, self.local, self.host = name, set(local), host
        self.t = BASE_NS
        self.frames = []
        self.counts = {"frames": 0, "ip4_frags": 0, "ip6_frags": 0}

    def wait(self, secs):
        self.t += int(round(secs * 10**9))

    def put(self, ip, dt=0.0):
        """Append one IP packet dt seconds after the previous one."""
        self.wait(dt)
        src = IP(ip).src if ip[0] >> 4 == 4 else IPv6(ip).src
        me, gw = MAC[self.host], MAC[self.host + "-gw"]
        s, d = (me, gw) if src in self.local else (gw, me)
        f = Ether(src=s, dst=d, type=0x0800 if ip[0] >> 4 == 4 else 0x86DD) / Raw(ip)
        f.time = Decimal(self.t) / Decimal(10**9)
        self.frames.append(f)
        self.counts["frames"] += 1
        k = count_frag(ip)
        if k:
            self.counts[k] += 1

    def write(self, outdir):
        wrpcap(os.path.join(outdir, self.name), self.frames)


class Tcp:
    """One TCP connection from a Linux client to a Linux DNS server on port 53.

    send() appends the next segment to the capture and advances sequence
    numbers; lost=True means the segment was sent but never reached the
    capture point (nor the peer): the sender's sequence advances, the peer's
    acknowledgement does not. Options as Linux sends them: MSS, SACK-permitted,
    timestamps and window scale 7 on SYNs; NOP, NOP, timestamps after. IP ids:
    the client's count up from a per-connection start; the server's SYN+ACK and
    RST carry 0 (no socket yet), its later segments count up from their own start."""

    def __init__(self, cap, cli, srv, cport, cisn, sisn, cipid, sipid, cmss=1460, smss=1460):
        self.cap = cap
        self.end = {True: dict(addr=cli, port=cport, nxt=cisn, rcv=0, ipid=cipid, ts0=cisn >> 12, tsecr=0, mss=cmss),
                    False: dict(addr=srv, port=53, nxt=sisn, rcv=0, ipid=sipid, ts0=sisn >> 12, tsecr=0, mss=smss)}

    def send(self, from_client, flags, payload=b"", dt=0.0, lost=False):
        self.cap.wait(dt)
        s, o = self.end[from_client], self.end[not from_client]
        tsval = (s["ts0"] + (self.cap.t - BASE_NS) // 10**6) & 0xFFFFFFFF
        if "R" in flags:
            opts, window = [], 0
        elif "S" in flags:
            opts = [("MSS", s["mss"]), ("SAckOK", b""), ("Timestamp", (tsval, s["tsecr"])), ("NOP", None), ("WScale", 7)]
            window = 64240 if from_client else 65160
        else:
            opts, window = [("NOP", None), ("NOP", None), ("Timestamp", (tsval, s["tsecr"]))], 502 if from_client else 509
        seq, ack = s["nxt"], s["rcv"] if "A" in flags else 0
        if "R" in flags and "A" in flags:  # a RST answering a SYN: seq 0, ack the SYN
            seq, ack = 0, o["nxt"]
        no_socket = not from_client and ("R" in flags or flags == "SA")
        ident = 0 if no_socket else s["ipid"]
        if not no_socket:
            s["ipid"] += 1
        ttl = 64 if s["addr"] in self.cap.local else 64 - TTL_HOPS
        seg = TCP(sport=s["port"], dport=o["port"], seq=seq, ack=ack, flags=flags, window=window, options=opts)
        ip = IP(src=s["addr"], dst=o["addr"], id=ident, flags="DF", ttl=ttl) / seg
        pkt = bytes(ip / Raw(payload)) if payload else bytes(ip)
        if "R" not in flags:
            s["nxt"] += len(payload) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
        if not lost:
            o["rcv"] = s["nxt"] if "R" not in flags else o["rcv"]
            o["tsecr"] = tsval
            self.cap.put(pkt)
        return pkt

    def handshake(self, dt):
        self.send(True, "S", dt=dt)
        self.send(False, "SA", dt=RTT)
        self.send(True, "A", dt=BACK_TO_BACK)

    def answer(self, msg, dt=RTT):
        """The server's answer in MSS-sized segments (MSS less 12 bytes of
        timestamp option), the client acknowledging every second one and the last."""
        data = tcp_frame(msg)
        size = self.end[True]["mss"] - 12
        segs = [data[i:i + size] for i in range(0, len(data), size)]
        for i, chunk in enumerate(segs):
            last = i == len(segs) - 1
            self.send(False, "PA" if last else "A", chunk, dt=dt if i == 0 else BACK_TO_BACK)
            if i % 2 == 1 or last:
                self.send(True, "A", dt=BACK_TO_BACK)
        return len(segs)

    def close(self):
        """The client closes (it has its answer); the server closes at once."""
        self.send(True, "FA", dt=0.0002)
        self.send(False, "FA", dt=RTT)
        self.send(True, "A", dt=BACK_TO_BACK)


def exchange_udp4(c, qid, cport, qname, qtype, bufsize, answer, frag_id=None, keep=None, dt=0.0, df_frags=False):
    """Query and answer over IPv4 at the client. A datagram over 1,500 bytes is
    fragmented by the server (frag_id, 1,480 bytes per fragment); keep lists the
    fragments that reach the capture (None: all). Returns the answer's packets."""
    c.put(udp4(C4, S4, cport, 53, query(qid, qname, qtype, bufsize)), dt=dt)
    dg = udp4(S4, C4, 53, cport, answer, ident=frag_id or 0, df=frag_id is None, ttl=64 - TTL_HOPS)
    pkts = [dg] if frag_id is None else frag4(dg, df=df_frags)
    for i, p in enumerate(pkts):
        if keep is None or i in keep:
            c.put(p, dt=RTT if p is pkts[0] or (keep and i == min(keep)) else BACK_TO_BACK)
    return pkts


# ---------------------------------------------------------------- scenarios

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


Q3000 = "3000.size.example."
Q800 = "800.size.example."


@scenario
def s01():
    c = Cap("01-v4-whole-ok.pcap")
    exchange_udp4(c, 0xA101, 41001, Q800, "TXT", 1232, txt_answer(0xA101, Q800, 800, 1232))
    return c, dict(
        shows="IPv4 query with EDNS 1232 and DO; the 800-byte TXT answer arrives whole (DF, IP id 0)",
        health="OK", verdicts=["whole/not-tried"],
        why="every answer arrived; nothing fragmented, so fragmentation is not exercised; no EDNS size is "
            "recommended: an 800-byte answer says nothing of where the limit is (1232 stays the default)",
        json={"recommended_edns_size": None,
              "families": [{"family": 4, "fragmentation_exercised": False, "largest_whole": 800}]},
        tshark=dict(frames=2, ip4_frags=0, dns_queries=1, dns_responses=1, dns_lens=[800]),
        tshark_note="2 frames; DNS response 800 bytes, UDP length 808, DF set")


@scenario
def s02():
    c = Cap("02-v4-fragmented-ok.pcap")
    exchange_udp4(c, 0xA201, 41201, Q3000, "TXT", 4096, txt_answer(0xA201, Q3000, 3000), frag_id=0x5C1A)
    return c, dict(
        shows="IPv4 query with EDNS 4096; the 3,000-byte answer arrives in 3 fragments of 1,500, 1,500 and 68 bytes "
              "(1,480+1,480+48 payload bytes, IP id 0x5c1a, DF clear) and reassembles",
        health="OK", verdicts=["fragmented/not-tried"],
        why="every answer arrived, this one only in fragments: fragile (RFC 8900), not failed",
        json={"paths": [{"health": "OK", "largest_fragmented": 3000, "largest_fragment_ip": 1500,
                         "why": "every answer arrived (some only in fragments: fragile, RFC 8900)"}],
              "evidence": [{"verdict": "fragmented", "answer": {"size": 3000, "fragments": 3,
                                                                "fragment_ip_sizes": [1500, 1500, 68]}}]},
        tshark=dict(frames=4, ip4_frags=3, dns_queries=1, dns_responses=1, dns_lens=[3000]),
        tshark_note="4 frames; 3 IPv4 fragments reassembled in frame 4 (ip.reassembled.length 3008), DNS response 3,000 bytes")


@scenario
def s03():
    c = Cap("03-v4-nonfirst-frags-dropped-tcp-ok.pcap")
    ans = txt_answer(0xA301, Q3000, 3000)
    exchange_udp4(c, 0xA301, 41301, Q3000, "TXT", 4096, ans, frag_id=0x7E02, keep=[0])
    # ~2 s later the resolver gives up on UDP and asks again over TCP: new port, new id.
    t = Tcp(c, C4, S4, 41302, cisn=0x1F3A0001, sisn=0x6B210001, cipid=0x3A10, sipid=0x9C40)
    c.wait(2.0)
    t.handshake(dt=0)
    t.send(True, "PA", tcp_frame(query(0xA302, Q3000, "TXT", 4096)), dt=BACK_TO_BACK)
    n = t.answer(txt_answer(0xA302, Q3000, 3000))
    assert n == 3
    t.close()
    return c, dict(
        shows="the key case: only the first of 3 fragments of a 3,000-byte answer arrives (an ACL without a fragments "
              "clause drops non-first fragments); 2 s later the resolver asks the same question over TCP (new port, new "
              "DNS id): handshake (MSS 1460), query, the whole answer in 3 segments (1,448+1,448+106 bytes), FIN teardown",
        health="WARNING", verdicts=["fragments-lost/complete"],
        why="fragments lost, TCP fallback works: not a path failure, but fragmented answers do not get through "
            "(only the first fragment arrived)",
        json={"paths": [{"health": "WARNING", "why": "1 fragmented answer(s) lost; TCP fallback works",
                         "smallest_lost": 3000,
                         "lost_trains": {"first_missing": 0, "last_missing": 1, "only_first_arrived": 1}}],
              "evidence": [{"verdict": "fragments-lost", "delivered": True,
                            "fragments_lost": {"arrived": 1, "first_arrived": True, "last_arrived": False,
                                               "tied_by_addresses": False, "ranges": [[0, 1480]]},
                            "tcp": {"outcome": "complete", "answer_size": 3000}}]},
        tshark=dict(frames=14, ip4_frags=1, dns_queries=2, dns_responses=1, dns_lens=[3000], tcp=12),
        tshark_note="14 frames; 1 IPv4 fragment (offset 0, MF) never reassembled, no UDP DNS response; TCP stream 0: "
                    "DNS query and a 3,000-byte response reassembled from 3 segments (tcp.reassembled.length 3002)")


@scenario
def s03_policy():
    return "03-v4-nonfirst-frags-dropped-tcp-ok.pcap", dict(
        options=["--policy=fragments-required"],
        shows="the same capture judged for an operator who must pass the 2017-style 4,096-byte check",
        health="CRITICAL", verdicts=["fragments-lost/complete"],
        why="--policy=fragments-required makes any lost fragmented answer CRITICAL, TCP or not",
        json={"config": {"policy": "fragments-required"},
              "paths": [{"why": "1 fragmented answer(s) lost and the policy requires fragments"}]})


@scenario
def s04():
    c = Cap("04-v4-first-frag-lost.pcap")
    exchange_udp4(c, 0xA401, 41401, Q3000, "TXT", 4096, txt_answer(0xA401, Q3000, 3000), frag_id=0x11D7, keep=[1, 2])
    c.wait(1.0)  # the resolver waits; no TCP in this capture
    return c, dict(
        shows="only fragments 2 and 3 of a 3,000-byte answer arrive (a DNS-aware firewall drops the first fragment, "
              "the only one with the UDP and DNS headers); no retry",
        health="WARNING", verdicts=["fragments-lost/not-tried"],
        why="a train without its first fragment is tied to the unanswered query by addresses and time; fragments "
            "lost, TCP not exercised",
        json={"paths": [{"health": "WARNING", "why": "1 fragmented answer(s) lost; TCP fallback not exercised",
                         "lost_trains": {"first_missing": 1}}],
              "evidence": [{"verdict": "fragments-lost", "fragments_lost": {
                  "arrived": 2, "first_arrived": False, "last_arrived": True, "tied_by_addresses": True,
                  "total_length": 3008, "ranges": [[1480, 3008]]}}]},
        tshark=dict(frames=3, ip4_frags=2, dns_queries=1, dns_responses=0, dns_lens=[]),
        tshark_note="3 frames; 2 IPv4 fragments (offsets 1480 and 2960) never reassembled; no DNS response")


@scenario
def s05():
    c = Cap("05-v6-last-frag-lost.pcap")
    qid, cport = 0xA501, 41501
    c.put(udp6(C6, S6, cport, 53, query(qid, Q3000, "TXT", 4096)))
    fr = frag6(udp6(S6, C6, 53, cport, txt_answer(qid, Q3000, 3000), hlim=64 - TTL_HOPS), ident=0x9E3779B9)
    assert [len(f) for f in fr] == [1280, 1280, 592]
    c.put(fr[0], dt=RTT)
    c.put(fr[1], dt=BACK_TO_BACK)
    c.wait(1.0)
    return c, dict(
        shows="IPv6: a 3,000-byte answer fragmented by the server at 1,232 bytes of data (NSD), fragment id "
              "0x9e3779b9; the last fragment (544 bytes of data) never arrives",
        health="WARNING", verdicts=["fragments-lost/not-tried"],
        why="the first fragment ties the train to its query; fragments lost, TCP not exercised",
        json={"families": [{"family": 6, "health": "WARNING", "fragmentation_exercised": True}],
              "paths": [{"family": 6, "health": "WARNING", "lost_trains": {"last_missing": 1}}],
              "evidence": [{"verdict": "fragments-lost", "fragments_lost": {
                  "arrived": 2, "first_arrived": True, "last_arrived": False, "tied_by_addresses": False,
                  "ranges": [[0, 2464]]}}]},
        tshark=dict(frames=3, ip6_frags=2, dns_queries=1, dns_responses=0, dns_lens=[]),
        tshark_note="3 frames; 2 IPv6 fragments, never reassembled (last missing); no DNS response")


@scenario
def s06():
    c = Cap("06-v4-tc-tcp-complete.pcap")
    qid = 0xA601
    c.put(udp4(C4, S4, 41601, 53, query(qid, ".", "DNSKEY", 1232)))
    c.put(udp4(S4, C4, 53, 41601, tc_answer(qid, ".", "DNSKEY"), ttl=64 - TTL_HOPS), dt=RTT)
    t = Tcp(c, C4, S4, 41602, cisn=0x2B000001, sisn=0x7C000001, cipid=0x4B20, sipid=0xA550)
    t.handshake(dt=0.0003)
    t.send(True, "PA", tcp_frame(query(qid, ".", "DNSKEY", 1232)), dt=BACK_TO_BACK)
    assert t.answer(dnskey_answer(qid, 1425)) == 1
    t.close()
    return c, dict(
        shows="'. DNSKEY' with DO and EDNS 1232: the 1,425-byte root-like answer does not fit, the server sends TC=1; "
              "the resolver retries over TCP at once (same id): handshake, query, answer in one segment, teardown",
        health="OK", verdicts=["truncated/complete"],
        why="truncated and then complete over TCP is exactly what RFC 9715 / Flag Day 2020 expect; the per-size row "
            "is the answer's real size (1,425, told by TCP), not the 28-byte TC=1 stub",
        json={"paths": [{"health": "OK", "sizes": [{"answer_size": 1425}]}],
              "evidence": [{"verdict": "truncated", "delivered": True, "answer": {"tc": True},
                            "tcp": {"outcome": "complete", "answer_size": 1425}}]},
        tshark=dict(frames=11, dns_queries=2, dns_responses=2, dns_tc=1, dns_lens=[1425], tcp=9),
        tshark_note="11 frames; UDP answer with TC set; TCP stream 0 with a 1,425-byte DNSKEY response in one segment")


@scenario
def s07():
    c = Cap("07-v4-tc-tcp-reset.pcap")
    qid = 0xA701
    c.put(udp4(C4, S4, 41701, 53, query(qid, ".", "DNSKEY", 1232)))
    c.put(udp4(S4, C4, 53, 41701, tc_answer(qid, ".", "DNSKEY"), ttl=64 - TTL_HOPS), dt=RTT)
    t = Tcp(c, C4, S4, 41702, cisn=0x2C000001, sisn=0, cipid=0x4C30, sipid=0)
    t.send(True, "S", dt=0.0003)
    t.send(False, "RA", dt=RTT)
    return c, dict(
        shows="TC=1 to an EDNS-1232 '. DNSKEY' query, then the SYN to port 53 is answered by RST+ACK "
              "(TCP/53 closed or blocked by a firewall that resets)",
        health="CRITICAL", verdicts=["truncated/reset"],
        why="UDP gave only TC=1 and TCP was reset: the answer cannot be obtained at all; its size is unknown, so "
            "the per-size row is '? (asked 1232)', not the TC=1 stub's 28 bytes",
        json={"paths": [{"health": "CRITICAL", "why": "1 answer(s) came neither over UDP nor over TCP",
                         "sizes": [{"answer_size": None, "advertised": 1232}]}],
              "evidence": [{"verdict": "truncated", "delivered": False, "tcp": {"outcome": "reset"}}]},
        tshark=dict(frames=4, dns_queries=1, dns_responses=1, dns_tc=1, dns_lens=[], tcp=2),
        tshark_note="4 frames; TC set on the UDP answer; SYN then RST,ACK (seq 0, ack ISN+1)")


@scenario
def s08():
    c = Cap("08-v4-tc-tcp-syn-timeout.pcap")
    qid = 0xA801
    c.put(udp4(C4, S4, 41801, 53, query(qid, ".", "DNSKEY", 1232)))
    c.put(udp4(S4, C4, 53, 41801, tc_answer(qid, ".", "DNSKEY"), ttl=64 - TTL_HOPS), dt=RTT)
    t = Tcp(c, C4, S4, 41802, cisn=0x2D000001, sisn=0, cipid=0x4D40, sipid=0)
    t.send(True, "S", dt=0.0003)
    for rto in (1.0, 2.0):  # Linux: initial RTO 1 s, doubled
        t.end[True]["nxt"] -= 1  # a retransmitted SYN reuses the ISN
        t.send(True, "S", dt=rto)
    c.wait(1.0)
    return c, dict(
        shows="TC=1, then a SYN to port 53 and two retransmissions (after 1 s and 2 s more, same ISN); no SYN+ACK "
              "ever arrives (TCP/53 silently dropped)",
        health="CRITICAL", verdicts=["truncated/syn-timeout"],
        why="UDP gave only TC=1 and the TCP handshake never completed: the answer cannot be obtained at all; "
            "per-size row '? (asked 1232)'",
        json={"paths": [{"health": "CRITICAL", "sizes": [{"answer_size": None, "advertised": 1232}]}],
              "evidence": [{"verdict": "truncated", "delivered": False, "tcp": {"outcome": "syn-timeout"}}]},
        tshark=dict(frames=5, dns_queries=1, dns_responses=1, dns_tc=1, dns_lens=[], tcp=3),
        tshark_note="5 frames; tshark marks frames 4 and 5 as TCP retransmissions of the SYN")


@scenario
def s09():
    c = Cap("09-v4-tc-tcp-blackhole.pcap")
    qid = 0xA901
    c.put(udp4(C4, S4, 41901, 53, query(qid, Q3000, "TXT", 1232)))
    c.put(udp4(S4, C4, 53, 41901, tc_answer(qid, Q3000, "TXT"), ttl=64 - TTL_HOPS), dt=RTT)
    t = Tcp(c, C4, S4, 41902, cisn=0x2E000001, sisn=0x7E000001, cipid=0x4E50, sipid=0xA770)
    t.handshake(dt=0.0003)
    t.send(True, "PA", tcp_frame(query(qid, Q3000, "TXT", 1232)), dt=BACK_TO_BACK)
    t.send(False, "A", dt=RTT + 0.040)  # the server's delayed ACK of the query gets through
    # The answer's full-sized segments (1,500-byte packets) die at a smaller-MTU hop whose
    # needs-frag never reaches the server; so do the retransmissions.
    data = tcp_frame(txt_answer(qid, Q3000, 3000))
    for i in range(0, len(data), 1448):
        t.send(False, "PA" if i + 1448 >= len(data) else "A", data[i:i + 1448], dt=0.001, lost=True)
    c.wait(4.9)
    t.send(True, "FA")          # the resolver gives up ~5 s after its query
    t.send(False, "A", dt=RTT)  # the server acks the FIN: its sequence is 3,002 bytes past what arrived
    c.wait(0.5)
    return c, dict(
        shows="TC=1, then a complete handshake (client MSS 1460), the query over TCP and the server's ACK of it; "
              "the server's 1,448-byte answer segments never arrive (a PMTU black hole: a smaller-MTU hop, "
              "needs-frag filtered); the client gives up with FIN 5 s later; the server's ACK of the FIN shows its "
              "sequence 3,002 bytes ahead",
        health="CRITICAL", verdicts=["truncated/handshake-then-stall"],
        why="handshake then stall: the answer comes neither over UDP (TC=1) nor over TCP; per-size row "
            "'? (asked 1232)'",
        json={"paths": [{"health": "CRITICAL", "sizes": [{"answer_size": None, "advertised": 1232}]}],
              "evidence": [{"verdict": "truncated", "delivered": False,
                            "tcp": {"outcome": "handshake-then-stall", "answer_frame": 0}}]},
        tshark=dict(frames=9, dns_queries=2, dns_responses=1, dns_tc=1, dns_lens=[], tcp=7),
        tshark_note="9 frames; TC on the UDP answer; TCP: handshake, query, server ACK, client FIN; tshark flags the "
                    "server's last ACK 'previous segment not captured' (3,002 bytes missing)")


@scenario
def s10():
    c = Cap("10-v4-no-answers.pcap")
    for i, size in enumerate((1232, 1400, 1452, 1472, 1500)):
        qid, name = 0xAA01 + i, f"{size}.size.example."
        c.put(udp4(C4, S4, 42001 + i, 53, query(qid, name, "TXT", 4096)), dt=0.2 if i else 0)
    c.wait(2.0)
    return c, dict(
        shows="a size sweep of five TXT queries (1,232 to 1,500-byte answers), 200 ms apart, to a server that never "
              "answers",
        health="WARNING", verdicts=["no-answer/not-tried"] * 5,
        why="5 of 5 answers missing, above the 20% loss threshold; no TCP was tried, so nothing proves the answers "
            "unobtainable (not CRITICAL)",
        json={"paths": [{"health": "WARNING", "why": "5 of 5 UDP answers missing (threshold 20%)"}]},
        tshark=dict(frames=5, dns_queries=5, dns_responses=0, dns_lens=[]),
        tshark_note="5 frames; 5 DNS queries, no responses (tshark: 'no response found')")


@scenario
def s11():
    c = Cap("11-orphan-and-duplicate-answer.pcap")
    # The capture starts after the first query left: its answer has no query.
    c.put(udp4(S4, C4, 53, 42101, txt_answer(0xAB01, Q800, 800, 1232), ttl=64 - TTL_HOPS))
    # A query answered twice: the server is slow (1.2 s), the client retransmits the same query
    # (same id, same port, as dig does), and the server answers each copy.
    qid = 0xAB02
    q = udp4(C4, S4, 42102, 53, query(qid, "1139.size.example.", "TXT", 1232))
    a = udp4(S4, C4, 53, 42102, txt_answer(qid, "1139.size.example.", 1139, 1232), ttl=64 - TTL_HOPS)
    c.put(q, dt=0.5)
    c.put(q, dt=1.0)
    c.put(a, dt=0.2 + RTT / 2)
    c.put(a, dt=1.0)
    return c, dict(
        shows="an 800-byte answer whose query is not in the capture (it started late); then a query retransmitted "
              "after 1 s (same id and port) and answered twice by a slow server (1,139 bytes each, 1 s apart)",
        health="OK", verdicts=["answer-without-query/not-tried", "whole/not-tried"],
        why="every query has its answer; the orphan answer is evidence, never a sample, and the duplicate answer "
            "is noted in the evidence",
        json={"paths": [{"health": "OK", "duplicate_answers": 1, "counts": {"transactions": 1}}],
              "evidence": [{"verdict": "answer-without-query", "query": None, "id": 0xAB01},
                           {"verdict": "whole", "id": 0xAB02, "duplicate_answers": 1, "query": {"copies": 2}}],
              "packet_layer": {"matching": {"answers_without_query": 1, "duplicate_answers": 1,
                                            "retransmitted_queries": 1}}},
        tshark=dict(frames=5, dns_queries=2, dns_responses=3, dns_lens=[800, 1139, 1139]),
        tshark_note="5 frames; tshark links response frame 4 to query frame 2 and marks query frame 3 and "
                    "response frame 5 as DNS retransmissions (dns.retransmission); frame 1 has no request")


@scenario
def s12():
    c = Cap("12-icmp-needsfrag-ptb-at-server.pcap", local=(S4, S6), host="server")
    # IPv4: a 1,700-byte '. DNSKEY' answer leaves the server in 2 fragments with DF set
    # (a server that does PMTU discovery on fragments, e.g. dnsfrag-responder in DF mode);
    # the 1,500-byte first fragment meets a 1,400 MTU at 203.0.113.1, which drops it and
    # sends needs-frag quoting its IP header and 8 bytes (the UDP header).
    qid = 0xAC01
    c.put(udp4(C4, S4, 42201, 53, query(qid, ".", "DNSKEY", 4096), ttl=64 - TTL_HOPS))
    a = udp4(S4, C4, 53, 42201, dnskey_answer(qid, 1700), ident=0x2F6B, df=False)
    fr = frag4(a, df=True)
    assert [len(f) for f in fr] == [1500, 248]
    for i, f in enumerate(fr):
        c.put(f, dt=0.0002 if i == 0 else BACK_TO_BACK)
    c.put(bytes(IP(src=R4, dst=S4, id=0x8C21, ttl=64) / ICMP(type=3, code=4, nexthopmtu=1400) / Raw(fr[0][:28])),
          dt=0.0003)
    # The resolver retries after 1.2 s (new port and id); the server now knows the path MTU
    # and fragments the same answer at 1,400: 1,376 + 332 bytes of payload.
    qid2 = 0xAC02
    c.put(udp4(C4, S4, 42202, 53, query(qid2, ".", "DNSKEY", 4096), ttl=64 - TTL_HOPS), dt=1.2)
    fr2 = frag4(udp4(S4, C4, 53, 42202, dnskey_answer(qid2, 1700), ident=0x2F6C, df=False), per=1376, df=True)
    assert [len(f) for f in fr2] == [1396, 352]
    for i, f in enumerate(fr2):
        c.put(f, dt=0.0002 if i == 0 else BACK_TO_BACK)
    # IPv6: a 1,425-byte answer sent whole (a server that does not fragment at 1,232 like NSD);
    # 2001:db8:ffff::1 has a 1,280 link: packet-too-big, quoting as much as fits in 1,280 bytes.
    qid3 = 0xAC03
    c.put(udp6(C6, S6, 42203, 53, query(qid3, ".", "DNSKEY", 4096), hlim=64 - TTL_HOPS), dt=1.0)
    a6 = udp6(S6, C6, 53, 42203, dnskey_answer(qid3, 1425))
    assert len(a6) == 1473
    c.put(a6, dt=0.0002)
    c.put(bytes(IPv6(src=R6, dst=S6, hlim=64) / ICMPv6PacketTooBig(mtu=1280) / Raw(a6[:1232])), dt=0.0003)
    qid4 = 0xAC04
    c.put(udp6(C6, S6, 42204, 53, query(qid4, ".", "DNSKEY", 4096), hlim=64 - TTL_HOPS), dt=1.2)
    for i, f in enumerate(frag6(udp6(S6, C6, 53, 42204, dnskey_answer(qid4, 1425)), ident=0x4F1BBCDD)):
        c.put(f, dt=0.0002 if i == 0 else BACK_TO_BACK)
    return c, dict(
        shows="captured at the server: IPv4 needs-frag (3/4, next-hop MTU 1,400) from router 203.0.113.1 quoting "
              "the first fragment (DF+MF, IP header + 8 bytes) of a 1,700-byte '. DNSKEY' answer (DF on fragments, as a "
              "server doing PMTU discovery on them sends it, e.g. dnsfrag-responder's DF mode; Linux clears DF when "
              "it fragments), then the retried "
              "query's answer re-fragmented for 1,400 (1,396+352-byte packets); IPv6 packet-too-big (MTU 1,280) "
              "from 2001:db8:ffff::1 quoting the first 1,232 bytes of a whole 1,425-byte answer, then the retried "
              "answer in 2 fragments (1,232+201 bytes of data)",
        health="OK", verdicts=["fragmented/not-tried", "fragmented/not-tried", "whole/not-tried",
                               "fragmented/not-tried"],
        why="both ICMP errors are attributed to the answers they quote (by addresses and ports), with their MTUs; "
            "every answer left the server and the retries' answers fit the learned MTU. Seen at the server, the "
            "first answers look delivered although the ICMP says a hop dropped them, so they bound nothing: the "
            "path MTU bounds must not cross ([1396, 1400] for IPv4, [1280, 1280] for IPv6) and the recommended "
            "EDNS size must fit the MTU the ICMP names (at most 1,232 for IPv6)",
        json={"paths": [{"family": 4, "health": "OK", "icmp_mtu": 1400, "icmp": {"needs-frag": 1}},
                        {"family": 6, "health": "OK", "icmp_mtu": 1280, "icmp": {"packet-too-big": 1}}],
              "evidence": [{"id": 0xAC01, "icmp": [{"kind": "needs-frag", "about": "answer", "mtu": 1400,
                                                    "from": R4}]},
                           {"id": 0xAC02, "verdict": "fragmented", "answer": {"fragment_ip_sizes": [1396, 352]}},
                           {"id": 0xAC03, "icmp": [{"kind": "packet-too-big", "about": "answer", "mtu": 1280,
                                                    "from": R6}]},
                           {"id": 0xAC04, "verdict": "fragmented"}],
              "packet_layer": {"matching": {"icmp_unattributed": 0}}},
        predicates=[("text: no path MTU bounds [low, high] with low > high", lambda rep, text: not any(
                        int(a) > int(b) for a, b in re.findall(r"path MTU within \[(\d+), (\d+)\]", text))),
                    ("json: recommended EDNS size fits the PTB MTU 1,280 (<= 1232) or is not measured",
                     lambda rep, text: rep["recommended_edns_size"] is None or rep["recommended_edns_size"] <= 1232)],
        tshark=dict(frames=13, ip4_frags=4, ip6_frags=2, dns_queries=4, dns_responses=4,
                    dns_lens=[1700, 1700, 1425, 1425], icmp_fragneeded=1, icmp6_ptb=1),
        tshark_note="13 frames; 4 IPv4 fragments in 2 trains and 2 IPv6 fragments, all reassembled; ICMP 3/4 with "
                    "MTU of next hop 1400 quoting the UDP header 53->42201; ICMPv6 type 2 MTU 1280 quoting a UDP "
                    "datagram 53->42203. Unfiltered, tshark also counts what the ICMP errors quote (ip.flags.mf: 5 frames, "
                    "dns.flags.response==1: 5 frames)")


@scenario
def s13():
    c = Cap("13-v4-reassembly-timeout.pcap")
    fr = exchange_udp4(c, 0xAD01, 42301, Q3000, "TXT", 4096, txt_answer(0xAD01, Q3000, 3000), frag_id=0x4A6E,
                       keep=[0])
    # Linux gives up on the train after net.ipv4.ipfrag_time (30 s) and says so with ICMP
    # time exceeded code 1, quoting the first fragment up to a 576-byte ICMP packet.
    c.put(bytes(IP(src=C4, dst=S4, id=0x51E7, ttl=64) / ICMP(type=11, code=1) / Raw(fr[0][:548])), dt=30.004)
    return c, dict(
        shows="only the first of 3 fragments of a 3,000-byte answer arrives; 30.004 s later (net.ipv4.ipfrag_time 30 s "
              "and a timer tick) the "
              "client sends ICMP time exceeded, code 1 (fragment reassembly), quoting that first fragment "
              "(548 bytes, a 576-byte ICMP packet)",
        health="WARNING", verdicts=["fragments-lost/not-tried"],
        why="fragments lost, TCP not exercised; the reassembly timeout ICMP belongs to this answer (its quote names "
            "the ports) and is evidence of its own",
        json={"paths": [{"health": "WARNING", "icmp": {"reassembly-timeout": 1}}],
              "evidence": [{"verdict": "fragments-lost",
                            "fragments_lost": {"arrived": 1, "first_arrived": True, "last_arrived": False},
                            "icmp": [{"kind": "reassembly-timeout", "about": "answer", "from": C4}]}],
              "packet_layer": {"matching": {"icmp_unattributed": 0, "trains_unattributed": 0}}},
        tshark=dict(frames=3, ip4_frags=1, dns_queries=1, dns_responses=0, dns_lens=[], icmp_timeexceeded=1),
        tshark_note="3 frames; 1 IPv4 fragment never reassembled; ICMP 11/1 'Fragment reassembly time exceeded' "
                    "30.004 s after the fragment quoting IP id 0x4a6e, UDP 53->42301. Unfiltered, tshark also counts the "
                    "quoted fragment and DNS header (ip.flags.mf: 2 frames, dns.flags.response==1: 1 frame)")


@scenario
def s14():
    c = Cap("14-v4-overlap-discarded.pcap")
    qid, cport = 0xAE01, 42401
    c.put(udp4(C4, S4, cport, 53, query(qid, Q3000, "TXT", 4096)))
    a = udp4(S4, C4, 53, cport, txt_answer(qid, Q3000, 3000), ident=0x6D3B, df=False, ttl=64 - TTL_HOPS)
    evil = bytearray(a[20:])
    evil[1472:1480] = b"\xEE" * 8  # the second fragment claims 8 bytes the first already carried, differently
    fr = frag4(a, layout=[(0, 1480)]) + frag4(a, layout=[(1472, 1480), (2952, 56)], data=bytes(evil))
    assert [len(f) for f in fr] == [1500, 1500, 76]
    for i, f in enumerate(fr):
        c.put(f, dt=RTT if i == 0 else BACK_TO_BACK)
    return c, dict(
        shows="a 3,000-byte answer whose second fragment starts at offset 1,472 instead of 1,480: its first 8 bytes "
              "overlap the first fragment's last 8 with different data (an overlap attack or a broken middlebox); "
              "the third fragment completes the datagram",
        health="WARNING", verdicts=["overlap-discarded/not-tried"],
        why="RFC 5722 (and Linux for IPv4): a receiver discards a datagram rebuilt from overlapping fragments, so "
            "the answer is lost; counted with lost fragmented answers, TCP not exercised",
        json={"paths": [{"health": "WARNING"}],
              "evidence": [{"verdict": "overlap-discarded", "delivered": False,
                            "answer": {"receiver_discards": True, "fragments": 3}}],
              "packet_layer": {"frag_overlap": 1}},
        tshark=dict(frames=4, ip4_frags=3, dns_queries=1, dns_responses=1, dns_lens=[3000]),
        tshark_note="4 frames; tshark reassembles the 3 fragments but flags 'Overlap: True' and 'Conflicting data "
                    "in fragment overlap' (ip.fragment.overlap.conflict); it still decodes the DNS response")


@scenario
def s15():
    c = Cap("15-no-dns.pcap")
    pattern = bytes(range(0x10, 0x40))
    for seq in (1, 2, 3):
        c.put(bytes(IP(src=C4, dst=S4, id=0x1000 + seq, flags="DF", ttl=64) /
                    ICMP(type=8, id=0x0B0E, seq=seq) / Raw(struct.pack("!II", 0, seq) + pattern)), dt=1.0 if seq > 1 else 0)
        c.put(bytes(IP(src=S4, dst=C4, id=0x2000 + seq, ttl=64 - TTL_HOPS) /
                    ICMP(type=0, id=0x0B0E, seq=seq) / Raw(struct.pack("!II", 0, seq) + pattern)), dt=RTT)
    c.put(bytes(IPv6(src=C6, dst=S6, hlim=64) / ICMPv6EchoRequest(id=0x0B0F, seq=1, data=pattern)), dt=1.0)
    c.put(bytes(IPv6(src=S6, dst=C6, hlim=64 - TTL_HOPS) / ICMPv6EchoReply(id=0x0B0F, seq=1, data=pattern)), dt=RTT)
    return c, dict(
        shows="no DNS at all: three IPv4 echo request/reply pairs and one IPv6 pair to the server",
        health="UNKNOWN", verdicts=[],
        why="no DNS transaction: nothing to judge (the measurement could not be made)",
        json={"paths": [], "evidence": []},
        tshark=dict(frames=8, dns_queries=0, dns_responses=0, dns_lens=[]),
        tshark_note="8 frames: ICMP echo request/reply x3, ICMPv6 echo request/reply x1; no DNS")


# ---- beyond the fifteen: the same stories in conditions that real captures always have

@scenario
def s16():
    c = Cap("16-v4-nonfirst-frags-dropped-busy-capture.pcap")
    ans = txt_answer(0xB601, Q3000, 3000)
    exchange_udp4(c, 0xB601, 42601, Q3000, "TXT", 4096, ans, frag_id=0x3D90, keep=[0])
    t = Tcp(c, C4, S4, 42602, cisn=0x3F000001, sisn=0x8E000001, cipid=0x5A60, sipid=0xB880)
    c.wait(2.0)
    t.handshake(dt=0)
    t.send(True, "PA", tcp_frame(query(0xB602, Q3000, "TXT", 4096)), dt=BACK_TO_BACK)
    t.answer(txt_answer(0xB602, Q3000, 3000))
    t.close()
    # The resolver keeps working, as any capture longer than a minute shows: a small
    # exchange every 2 s from 4 s to 24 s after the first query.
    start = c.t
    for i in range(11):
        c.wait((BASE_NS + int((4 + 2 * i) * 10**9) - c.t) / 10**9)
        qid = 0xB610 + i
        exchange_udp4(c, qid, 42610 + i, Q800, "TXT", 1232, txt_answer(qid, Q800, 800, 1232))
    assert c.t > start
    return c, dict(
        shows="scenario 03 (only the first fragment of a 3,000-byte answer arrives; TCP retry 2 s later gets it) "
              "in a capture that goes on: eleven whole 800-byte exchanges every 2 s from 4 s to 24 s",
        health="WARNING", verdicts=["fragments-lost/complete"] + ["whole/not-tried"] * 11,
        why="the same evidence as scenario 03 must give the same verdict whatever follows it: the incomplete train "
            "(which the reassembler only gives up on after 30 s or at the end) belongs to the query its first "
            "fragment names, even when the transaction's 10 s window has passed by then",
        json={"paths": [{"health": "WARNING", "why": "1 fragmented answer(s) lost; TCP fallback works"}],
              "evidence": [{"verdict": "fragments-lost", "id": 0xB601,
                            "fragments_lost": {"arrived": 1, "first_arrived": True},
                            "tcp": {"outcome": "complete"}}],
              "packet_layer": {"matching": {"trains_unattributed": 0}}},
        tshark=dict(frames=36, ip4_frags=1, dns_queries=13, dns_responses=12, dns_lens=[3000] + [800] * 11, tcp=12),
        tshark_note="36 frames; as scenario 03 (1 lone first fragment, TCP stream 0 with the 3,000-byte response), "
                    "then 11 query/response pairs of 800 bytes")


@scenario
def s17():
    c = Cap("17-icmp-needsfrag-older-of-two-at-server.pcap", local=(S4, S6), host="server")
    # A resolver with two queries in flight to the same server (another port, another name).
    qa, qb = 0xB701, 0xB702
    c.put(udp4(C4, S4, 42701, 53, query(qa, ".", "DNSKEY", 4096), ttl=64 - TTL_HOPS))
    c.put(udp4(C4, S4, 42702, 53, query(qb, Q800, "TXT", 4096), ttl=64 - TTL_HOPS), dt=0.0001)
    fr = frag4(udp4(S4, C4, 53, 42701, dnskey_answer(qa, 1700), ident=0x2F70, df=False), df=True)
    for i, f in enumerate(fr):
        c.put(f, dt=0.0001 if i == 0 else BACK_TO_BACK)
    c.put(udp4(S4, C4, 53, 42702, txt_answer(qb, Q800, 800)), dt=0.0001)
    c.put(bytes(IP(src=R4, dst=S4, id=0x8C22, ttl=64) / ICMP(type=3, code=4, nexthopmtu=1400) / Raw(fr[0][:28])),
          dt=0.0002)
    return c, dict(
        shows="captured at the server: two queries in flight from one resolver (ports 42701 and 42702); the first's "
              "1,700-byte answer leaves in 2 fragments (DF), the second's 800-byte answer whole; router 203.0.113.1 "
              "sends needs-frag (MTU 1,400) quoting the first answer's first fragment (ports 53 -> 42701)",
        health="OK", verdicts=["fragmented/not-tried", "whole/not-tried"],
        why="the quote names ports 53 -> 42701 and IP id 0x2f70: it belongs to the first transaction, whichever "
            "transaction between the two addresses is newer",
        json={"paths": [{"health": "OK", "icmp_mtu": 1400, "icmp": {"needs-frag": 1}}],
              "evidence": [{"id": qa, "verdict": "fragmented",
                            "icmp": [{"kind": "needs-frag", "about": "answer", "mtu": 1400, "from": R4}]}],
              "packet_layer": {"matching": {"icmp_unattributed": 0}}},
        tshark=dict(frames=6, ip4_frags=2, dns_queries=2, dns_responses=2, dns_lens=[1700, 800], icmp_fragneeded=1),
        tshark_note="6 frames; 2 IPv4 fragments reassembled (1,700-byte DNSKEY response), an 800-byte response; "
                    "ICMP 3/4 MTU 1400 quoting IP id 0x2f70, UDP 53 -> 42701")


@scenario
def s18():
    c = Cap("18-v4-tc-retry-beside-unanswered-query.pcap")
    # A resolver with two queries in flight to one server: '. DNSKEY' (answered TC=1) and,
    # 1 ms later, an 800-byte TXT whose answer is lost. The TCP retry is for '. DNSKEY'.
    qb, qa = 0xB801, 0xB802
    c.put(udp4(C4, S4, 42801, 53, query(qb, ".", "DNSKEY", 1232)))
    c.put(udp4(C4, S4, 42802, 53, query(qa, Q800, "TXT", 1232)), dt=0.001)
    c.put(udp4(S4, C4, 53, 42801, tc_answer(qb, ".", "DNSKEY"), ttl=64 - TTL_HOPS), dt=RTT - 0.001)
    t = Tcp(c, C4, S4, 42803, cisn=0x41000001, sisn=0x91000001, cipid=0x6000, sipid=0xC000)
    t.handshake(dt=0.0003)
    t.send(True, "PA", tcp_frame(query(qb, ".", "DNSKEY", 1232)), dt=BACK_TO_BACK)
    t.answer(dnskey_answer(qb, 1425))
    t.close()
    c.wait(1.0)
    return c, dict(
        shows="two queries in flight: '. DNSKEY' (EDNS 1232) answered TC=1, and 1 ms after it an 800-byte TXT query "
              "whose answer never comes; the TCP connection that follows asks '. DNSKEY' and gets its 1,425 bytes",
        health="WARNING", verdicts=["truncated/complete", "no-answer/not-tried"],
        why="the TCP connection is the retry of the truncated '. DNSKEY' (its query names that question), so TCP "
            "works; the TXT query was never retried over TCP: 1 of 2 answers missing (above 20%), nothing proves "
            "it unobtainable, so WARNING, not CRITICAL",
        json={"paths": [{"health": "WARNING", "counts": {"failed_both": 0}}],
              "evidence": [{"id": qb, "verdict": "truncated", "tcp": {"outcome": "complete"}},
                           {"id": qa, "verdict": "no-answer", "tcp": {"outcome": "not-tried", "syn_frame": 0}}]},
        tshark=dict(frames=12, dns_queries=3, dns_responses=2, dns_tc=1, dns_lens=[1425], tcp=9),
        tshark_note="12 frames; TC on the '. DNSKEY' UDP answer, no response to the TXT query; TCP stream 0 with "
                    "the 1,425-byte DNSKEY response")


EXIT = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}


# ---------------------------------------------------------------- manifest

def manifest_lines(results):
    lines = [
        "# pcaps/scenarios/MANIFEST - DNS transaction scenarios, written by pcaps/make-scenarios.py (do not edit by hand).",
        "# One line per (file, analyzer options), tab-separated: file, options ('-' for none), the health and exit code",
        "# bin/dnsfrag-analyze should give, the verdict of each transaction as verdict/tcp-outcome (in capture order),",
        "# what the capture shows, why that is the right judgement, and tshark 4.0's view with default preferences",
        "# (frames; IPv4/IPv6 fragment packets, DNS queries/responses/TC answers and TCP segments in frames that are",
        "# not ICMP errors, since tshark also decodes what an ICMP error quotes). Verdicts are compared as a multiset.",
        "# `pcaps/make-scenarios.py --check` rewrites the files, runs the analyzer (text and --json) and tshark, and",
        "# checks all of it, plus finer evidence (JSON fields) the generator states per scenario.",
        "# Client 192.0.2.10 / 2001:db8:1::10, server 198.51.100.53 / 2001:db8:53::53, routers 203.0.113.1 /",
        "# 2001:db8:ffff::1; captured at the client unless a line says at the server. Times from 2026-11-01T00:00:00Z.",
    ]
    for fname, ex in results:
        tv = ex.get("tshark")
        tcounts = " ".join(f"{k}={v}" for k, v in tv.items() if k != "dns_lens") if tv else "(same file as above)"
        tnote = f"tshark: {tcounts}; {ex['tshark_note']}" if tv else "tshark: see the line above"
        lines.append("\t".join([fname, " ".join(ex.get("options", [])) or "-", ex["health"], str(EXIT[ex["health"]]),
                                ",".join(ex["verdicts"]) or "(none)", ex["shows"], ex["why"], tnote]))
    return lines


def build(outdir):
    os.makedirs(outdir, exist_ok=True)
    results = []
    for fn in SCENARIOS:
        c, ex = fn()
        if isinstance(c, Cap):
            c.write(outdir)
            fname = c.name
            ex.setdefault("tshark", {})
            for k in ("frames", "ip4_frags", "ip6_frags"):
                ex["tshark"].setdefault(k, c.counts[k])
                assert ex["tshark"][k] == c.counts[k], (c.name, k, ex["tshark"][k], c.counts[k])
        else:
            fname = c
        results.append((fname, ex))
    with open(os.path.join(outdir, "MANIFEST"), "w") as f:
        f.write("\n".join(manifest_lines(results)) + "\n")
    return results


# ---------------------------------------------------------------- check

def subset(want, got, path="$"):
    """Problems where got does not hold everything want says (dicts: keys are a
    subset; lists of dicts: matched in order; other values: equal)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: want an object, got {got!r}"]
        out = []
        for k, v in want.items():
            out += subset(v, got.get(k), f"{path}.{k}") if k in got else [f"{path}.{k}: missing"]
        return out
    if isinstance(want, list) and want and isinstance(want[0], dict):
        if not isinstance(got, list):
            return [f"{path}: want a list, got {got!r}"]
        if path.endswith(("paths", "families")):
            # match by family/order: each wanted item against the first got item that fits
            out = []
            for i, w in enumerate(want):
                cands = [g for g in got if all(g.get(k) == w[k] for k in ("family",) if k in w)]
                if not cands:
                    out.append(f"{path}[{i}]: no item with {w.get('family')}")
                    continue
                errs = [subset(w, g, f"{path}[{i}]") for g in cands]
                out += min(errs, key=len)
            return out
        if len(got) != len(want):
            return [f"{path}: want {len(want)} items, got {len(got)}"]
        out = []
        for i, (w, g) in enumerate(zip(want, got)):
            out += subset(w, g, f"{path}[{i}]")
        return out
    return [] if want == got else [f"{path}: want {want!r}, got {got!r}"]


def verdict_list(rep):
    """verdict/tcp of every transaction: evidence holds all but plain whole answers."""
    ev = [f"{e['verdict']}/{e['tcp']['outcome']}" for e in rep["evidence"]]
    whole = sum(p["counts"]["verdicts"]["whole"] for p in rep["paths"])
    whole_in_ev = sum(1 for e in rep["evidence"] if e["verdict"] == "whole")
    return ev + ["whole/not-tried"] * (whole - whole_in_ev)


TSHARK_FILTERS = {
    # Top-level only: tshark also decodes the fragment header and DNS message quoted
    # inside an ICMP error, which neither the analyzer nor the MANIFEST counts.
    "frames": "frame", "ip4_frags": "(ip.flags.mf==1 || ip.frag_offset>0) && !icmp",
    "ip6_frags": "ipv6.fraghdr && !icmpv6", "dns_queries": "dns.flags.response==0 && !icmp && !icmpv6",
    "dns_responses": "dns.flags.response==1 && !icmp && !icmpv6",
    "dns_tc": "dns.flags.truncated==1 && !icmp && !icmpv6", "tcp": "tcp && !icmp",
    "icmp_fragneeded": "icmp.type==3 && icmp.code==4",
    "icmp6_ptb": "icmpv6.type==2", "icmp_timeexceeded": "icmp.type==11 || icmpv6.type==3",
}


def tshark_view(path, env):
    out = {}
    for k, flt in TSHARK_FILTERS.items():
        r = subprocess.run(["tshark", "-n", "-r", path, "-Y", flt], capture_output=True, text=True, env=env)
        out[k] = len([ln for ln in r.stdout.splitlines() if ln.strip()])
    # sizes of the DNS responses tshark decoded whole: UDP length - 8, or the TCP length prefix
    r = subprocess.run(["tshark", "-n", "-r", path, "-Y", "dns.flags.response==1 && dns.flags.truncated==0 && !icmp && !icmpv6",
                        "-T", "fields", "-e", "udp.length", "-e", "dns.length"],
                       capture_output=True, text=True, env=env)
    lens = []
    for ln in r.stdout.splitlines():
        f = ln.split("\t")
        udp = f[0].split(",")[-1] if f[0] else ""
        lens.append(int(f[1].split(",")[-1]) if len(f) > 1 and f[1] else int(udp) - 8)
    out["dns_lens"] = lens
    return out


def check(outdir, results):
    analyze = os.environ.get("DNSFRAG_ANALYZE", os.path.join(TOP, "bin", "dnsfrag-analyze"))
    if not os.access(analyze, os.X_OK):
        print(f"make-scenarios: {analyze} not built (make bin/dnsfrag-analyze)")
        return 1
    have_tshark = shutil.which("tshark") is not None
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=os.path.join(tmp, "ws"))
    os.makedirs(env["WIRESHARK_CONFIG_DIR"])
    failed = 0
    tviews = {}
    try:
        for fname, ex in results:
            path = os.path.join(outdir, fname)
            opts = ex.get("options", [])
            problems = []   # health, exit code, verdicts: what the MANIFEST promises
            details = []    # the finer evidence (JSON fields, text predicates, tshark's view)
            txt = subprocess.run([analyze] + opts + [path], capture_output=True, text=True)
            js = subprocess.run([analyze, "--json"] + opts + [path], capture_output=True, text=True)
            try:
                rep = json.loads(js.stdout)
            except ValueError as e:
                rep = None
                problems.append(f"--json output is not JSON: {e}")
            want_exit = EXIT[ex["health"]]
            if txt.returncode != want_exit:
                problems.append(f"text exit {txt.returncode}, want {want_exit}")
            if js.returncode != want_exit:
                problems.append(f"--json exit {js.returncode}, want {want_exit}")
            if not txt.stdout.startswith(ex["health"] + ":"):
                problems.append(f"text headline {txt.stdout.splitlines()[0] if txt.stdout else '(none)'!r}")
            got_health, got_verdicts = "?", []
            if rep:
                got_health = rep["health"]
                if rep["health"] != ex["health"] or rep["exit_code"] != want_exit:
                    problems.append(f"json health {rep['health']}/{rep['exit_code']}, want {ex['health']}/{want_exit}")
                got_verdicts = verdict_list(rep)
                if sorted(got_verdicts) != sorted(ex["verdicts"]):
                    problems.append(f"verdicts {got_verdicts}, want {ex['verdicts']}")
                details += subset(ex.get("json", {}), rep)
                for desc, pred in ex.get("predicates", []):
                    if not pred(rep, txt.stdout):
                        details.append(f"not true: {desc}")
            if have_tshark and "tshark" in ex:
                tv = tviews.get(fname) or tshark_view(path, env)
                tviews[fname] = tv
                for k, v in ex["tshark"].items():
                    if tv.get(k, 0) != v:
                        details.append(f"tshark {k}={tv.get(k)}, want {v}")
            status = "FAIL" if problems else "DIFF" if details else "ok"
            failed += bool(problems or details)
            print(f"{status:4} {fname} {' '.join(opts)}: {got_health} exit {txt.returncode}; "
                  f"{', '.join(got_verdicts) or '(no transactions)'}")
            for p in problems + details:
                print(f"       {p}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(results) - failed} passed, {failed} failed (FAIL: health, exit code or verdicts differ; "
          "DIFF: only the finer evidence differs)")
    return 1 if failed else 0


def main(argv):
    do_check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    outdir = args[0] if args else os.path.join(HERE, "scenarios")
    results = build(outdir)
    return check(outdir, results) if do_check else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
