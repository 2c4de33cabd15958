// The packet library used by BPF fixtures: known vectors (RFC 1071, hand-computed
// sums written out below, and bytes produced by a separate Python implementation),
// build -> parse round trips for every option, and detection of corruption.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  onesSum, inetChecksum, fromHex, hex, macBytes, macText, buildFrame, parseFrame, ipPacket, parsePacket,
  ether, ethFrame, ipip, ip6ip6, encap, icmp4FragNeeded, icmp6PacketTooBig, arpRequest, arp, tcpFlagsByte,
  tcpFlagsText, withMacs, stripEther, ETH_P_IP, ETH_P_IPV6, ETH_P_ARP, IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_FRAGMENT,
} from '../../lib/packet.js';

test('RFC 1071 section 3 example: sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2', () => {
  const b = fromHex('00 01 f2 03 f4 f5 f6 f7');
  assert.equal(onesSum(b), 0xddf2);
  assert.equal(inetChecksum(b), 0x220d);
  // Odd length: the last byte is padded with a zero on the right.
  assert.equal(onesSum(fromHex('01')), 0x0100);
  // Carries fold back: ffff + 0001 = 1 0000 -> 0001.
  assert.equal(onesSum(fromHex('ffff 0001')), 0x0001);
});

test('IPv4 header checksum of the classic example header (b861)', () => {
  // 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7 (bytes only; no address is configured anywhere)
  const h = fromHex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');
  assert.equal(inetChecksum(h), 0xb861);
});

test('UDP/IPv4: hand-computed checksum a632', () => {
  // Pseudo-header + header + data, 16-bit words:
  // c000+0201+c633+6402+0011+000a + 04d2+0035+000a+0000 + 6869 = 2 59cb -> 59cd; ~59cd = a632.
  const p = ipPacket({ src: '192.0.2.1', dst: '198.51.100.2', proto: 'udp', udp: { sport: 1234, dport: 53 }, payload: 'hi' });
  assert.equal(hex(p), hex(fromHex('4500001e0000000040118e98c0000201c633640204d20035000aa6326869')));
  const parsed = parsePacket(p);
  assert.equal(parsed.udp?.checksum, 0xa632);
  assert.equal(parsed.headerChecksumOk, true);
  assert.equal(parsed.l4ChecksumOk, true);
});

test('TCP/IPv6 SYN equals independently computed bytes (checksum b7dc)', () => {
  const p = ipPacket({
    src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp',
    tcp: { sport: 40000, dport: 80, seq: 1, flags: 'S', window: 65535 },
  });
  assert.equal(hex(p), hex(fromHex(
    '600000000014064020010db800000000000000000000000120010db80000000000000000000000029c40005000000001000000005002ffffb7dc0000')));
});

test('TCP/IPv4 SYN-ACK with DF, id, ttl and data equals independently computed bytes', () => {
  const p = ipPacket({
    src: '203.0.113.10', dst: '192.0.2.20', ttl: 63, id: 0x1c46, df: true, proto: 'tcp',
    tcp: { sport: 80, dport: 40001, seq: 0x11223344, ack: 0x55667788, flags: 'SA', window: 29200 }, payload: 'abc',
  });
  assert.equal(hex(p), hex(fromHex('4500002b1c4640003f062168cb00710ac000021400509c41112233445566778850127210cd560000616263')));
});

test('ICMP error checksums equal independently computed values', () => {
  const fn = icmp4FragNeeded({ src: '192.0.2.1', dst: '192.0.2.2', mtu: 1400, quoted: new TextEncoder().encode('abcdefgh') });
  const pf = parsePacket(fn);
  assert.equal(pf.icmp?.checksum, 0x65ee);
  assert.equal(pf.icmp?.mtu, 1400);
  assert.equal(pf.icmp?.type, 3);
  assert.equal(pf.icmp?.code, 4);
  assert.equal(pf.l4ChecksumOk, true);
  const ptb = icmp6PacketTooBig({ src: '2001:db8::2', dst: '2001:db8::1', mtu: 1280, quoted: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]) });
  const pp = parsePacket(ptb);
  assert.equal(pp.protocol, 58);
  assert.equal(pp.icmp?.kind, 'icmpv6');
  assert.equal(pp.icmp?.checksum, 0x9130);
  assert.equal(pp.icmp?.mtu, 1280);
  assert.equal(pp.l4ChecksumOk, true);
});

test('MAC and hex helpers', () => {
  assert.deepEqual(Array.from(macBytes('02:00:0a:ff:00:01')), [2, 0, 10, 255, 0, 1]);
  assert.equal(macText(Uint8Array.from([2, 0, 10, 255, 0, 1])), '02:00:0a:ff:00:01');
  assert.throws(() => macBytes('02:00:00:00:00'));
  assert.equal(hex(Uint8Array.from([0, 1, 2])), '0000: 00 01 02');
  assert.equal(hex(new Uint8Array(17)).split('\n').length, 2);
  assert.equal(tcpFlagsByte('SA'), 0x12);
  assert.equal(tcpFlagsByte('AS'), 0x12);
  assert.equal(tcpFlagsText(0x11), 'FA');
  assert.equal(tcpFlagsText(tcpFlagsByte('RA')), 'RA');
  assert.throws(() => tcpFlagsByte('X'));
});

test('ether(): header with and without an 802.1Q tag', () => {
  const e = ether({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', type: 0x0800 });
  assert.equal(hex(e), hex(fromHex('ffffffffffff 020000000001 0800')));
  const t = ether({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', type: 0x86dd, vlan: 100, pcp: 5 });
  assert.equal(hex(t), hex(fromHex('020000000002 020000000001 8100 a064 86dd')));
});

test('round trip: TCP over IPv4 with every header field and a VLAN tag', () => {
  const f = buildFrame({
    ethSrc: '02:00:00:00:00:0a', ethDst: '02:00:00:00:00:0b', vlan: 42,
    src: '198.51.100.7', dst: '203.0.113.80', ttl: 17, tos: 0x10, id: 4321, df: true,
    proto: 'tcp', tcp: { sport: 55555, dport: 443, seq: 0xfffffff0, ack: 7, flags: 'PA', window: 512, options: Uint8Array.from([1, 1, 8]) },
    payload: 'hello',
  });
  const p = parseFrame(f);
  assert.deepEqual(p.problems, []);
  assert.equal(p.ok, true);
  assert.equal(p.eth.src, '02:00:00:00:00:0a');
  assert.equal(p.eth.dst, '02:00:00:00:00:0b');
  assert.equal(p.eth.vlan, 42);
  assert.equal(p.eth.type, ETH_P_IP);
  assert.equal(p.eth.headerLength, 18);
  const ip = p.ip!;
  assert.equal(ip.version, 4);
  assert.equal(ip.src, '198.51.100.7');
  assert.equal(ip.dst, '203.0.113.80');
  assert.equal(ip.ttl, 17);
  assert.equal(ip.tos, 0x10);
  assert.equal(ip.id, 4321);
  assert.equal(ip.df, true);
  assert.equal(ip.mf, false);
  assert.equal(ip.fragOffset, 0);
  assert.equal(ip.protocol, 6);
  assert.equal(ip.headerLength, 20);
  assert.equal(ip.totalLength, 20 + 24 + 5);
  const t = ip.tcp!;
  assert.equal(t.sport, 55555);
  assert.equal(t.dport, 443);
  assert.equal(t.seq, 0xfffffff0);
  assert.equal(t.ack, 7);
  assert.equal(t.flags, 'PA');
  assert.equal(t.window, 512);
  assert.equal(t.headerLength, 24);
  assert.deepEqual(Array.from(t.options), [1, 1, 8, 0]);
  assert.equal(new TextDecoder().decode(ip.payload), 'hello');
  assert.equal(p.ipv4HeaderChecksumOk, true);
  assert.equal(p.l4ChecksumOk, true);
  assert.equal(p.lengthsOk, true);
  assert.equal(p.trailer.length, 0);
});

test('round trip: IPv4 options are padded and counted in IHL', () => {
  const f = buildFrame({
    src: '192.0.2.1', dst: '192.0.2.2', ipOptions: Uint8Array.from([0x94, 0x04, 0, 0, 0x01]), // router alert + NOP
    proto: 'udp', udp: { sport: 1, dport: 2 }, payload: 'x',
  });
  const p = parseFrame(f);
  assert.deepEqual(p.problems, []);
  assert.equal(p.ip!.ihl, 7);
  assert.equal(p.ip!.headerLength, 28);
  assert.deepEqual(Array.from(p.ip!.options), [0x94, 4, 0, 0, 1, 0, 0, 0]);
  assert.equal(p.ip!.udp!.length, 9);
  assert.equal(p.l4ChecksumOk, true);
});

test('round trip: UDP over IPv6 and UDP/IPv4 with checksum 0', () => {
  const f6 = buildFrame({ src: '2001:db8:1::10', dst: '2001:db8:2::20', ttl: 9, flowLabel: 0xabcde, tos: 0x28, proto: 'udp', udp: { sport: 5353, dport: 53 }, payload: 'q' });
  const p6 = parseFrame(f6);
  assert.deepEqual(p6.problems, []);
  assert.equal(p6.eth.type, ETH_P_IPV6);
  assert.equal(p6.ip!.version, 6);
  assert.equal(p6.ip!.src, '2001:db8:1::10');
  assert.equal(p6.ip!.hopLimit, 9);
  assert.equal(p6.ip!.flowLabel, 0xabcde);
  assert.equal(p6.ip!.tos, 0x28);
  assert.equal(p6.ip!.payloadLength, 9);
  assert.equal(p6.ip!.udp!.dport, 53);
  assert.equal(p6.ipv4HeaderChecksumOk, undefined);
  assert.equal(p6.l4ChecksumOk, true);

  const z = parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp', udp: { sport: 1, dport: 2 }, udpZeroChecksum: true }));
  assert.equal(z.ip!.udp!.checksum, 0);
  assert.equal(z.l4ChecksumOk, true);
  // Zero is not allowed over IPv6.
  const z6 = parseFrame(buildFrame({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp', udp: { sport: 1, dport: 2 }, udpZeroChecksum: true }));
  assert.equal(z6.l4ChecksumOk, false);
  assert.equal(z6.ok, false);
});

test('round trip: ICMP echo over both families', () => {
  const p4 = parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'icmp', icmp: { type: 8, id: 77, seq: 3 }, payload: 'ping' }));
  assert.deepEqual(p4.problems, []);
  assert.equal(p4.ip!.protocol, 1);
  assert.equal(p4.ip!.icmp!.type, 8);
  assert.equal(p4.ip!.icmp!.id, 77);
  assert.equal(p4.ip!.icmp!.seq, 3);
  const p6 = parseFrame(buildFrame({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'icmp', icmp: { type: 128, id: 5, seq: 6 } }));
  assert.deepEqual(p6.problems, []);
  assert.equal(p6.ip!.protocol, 58);
  assert.equal(p6.ip!.icmp!.kind, 'icmpv6');
  assert.equal(p6.l4ChecksumOk, true);
});

test('round trip: IPv4 fragments (first with MF, later one without an L4 header)', () => {
  const first = parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', id: 99, mf: true, proto: 'udp', udp: { sport: 1, dport: 2 }, payload: new Uint8Array(16) }));
  assert.deepEqual(first.problems, []);
  assert.equal(first.ip!.mf, true);
  assert.equal(first.ip!.isFragment, true);
  assert.equal(first.ip!.udp!.sport, 1);
  assert.equal(first.l4ChecksumOk, undefined);
  const later = parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', id: 99, fragOffset: 3, proto: 'udp', payload: Uint8Array.from([1, 2, 3]) }));
  assert.deepEqual(later.problems, []);
  assert.equal(later.ip!.fragOffset, 3);
  assert.equal(later.ip!.udp, undefined);
  assert.deepEqual(Array.from(later.ip!.payload), [1, 2, 3]);
  assert.equal(later.ip!.totalLength, 23);
});

test('round trip: IPv6 fragment header and other extension headers', () => {
  const f = buildFrame({
    src: '2001:db8::1', dst: '2001:db8::2', v6Ext: [{ type: 0, body: new Uint8Array(6) }],
    frag6: { offset: 0, more: true, id: 0xdeadbeef }, proto: 'tcp', tcp: { sport: 1000, dport: 80, flags: 'S' },
  });
  const p = parseFrame(f);
  assert.deepEqual(p.problems, []);
  assert.equal(p.ip!.nextHeader, 0);
  assert.deepEqual(p.ip!.extHeaders, [{ type: 0, length: 8 }, { type: IPPROTO_FRAGMENT, length: 8 }]);
  assert.equal(p.ip!.protocol, 6);
  assert.equal(p.ip!.headerLength, 56);
  assert.equal(p.ip!.id, 0xdeadbeef);
  assert.equal(p.ip!.mf, true);
  assert.equal(p.ip!.isFragment, true);
  assert.equal(p.ip!.tcp!.dport, 80);
  const later = parseFrame(buildFrame({ src: '2001:db8::1', dst: '2001:db8::2', frag6: { offset: 185, id: 1 }, proto: 'tcp', payload: 'rest' }));
  assert.deepEqual(later.problems, []);
  assert.equal(later.ip!.fragOffset, 185);
  assert.equal(later.ip!.mf, false);
  assert.equal(later.ip!.tcp, undefined);
  assert.equal(new TextDecoder().decode(later.ip!.payload), 'rest');
});

test('raw protocol number: payload straight after the IP header', () => {
  const p = parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 132, payload: Uint8Array.from([9, 9]) }));
  assert.deepEqual(p.problems, []);
  assert.equal(p.ip!.protocol, 132);
  assert.equal(p.ip!.l4, undefined);
  assert.equal(p.l4ChecksumOk, undefined);
  assert.deepEqual(Array.from(p.ip!.payload), [9, 9]);
});

test('IPIP: outer IPv4 around an inner IPv4 packet, parsed recursively', () => {
  const inner = ipPacket({ src: '198.51.100.9', dst: '203.0.113.1', proto: 'tcp', tcp: { sport: 4000, dport: 80, flags: 'S' } });
  const outer = ipip({ src: '192.0.2.254', dst: '192.0.2.11', ttl: 32, df: true }, inner);
  assert.equal(outer.length, 20 + inner.length);
  assert.deepEqual(outer.subarray(20), inner);
  const p = parseFrame(ethFrame({ ethSrc: '02:00:00:00:00:fe', ethDst: '02:00:00:00:00:11' }, outer));
  assert.deepEqual(p.problems, []);
  assert.equal(p.ip!.protocol, IPPROTO_IPIP);
  assert.equal(p.ip!.src, '192.0.2.254');
  assert.equal(p.ip!.ttl, 32);
  assert.equal(p.ip!.df, true);
  assert.equal(p.ip!.totalLength, 20 + inner.length);
  assert.equal(p.ip!.inner!.src, '198.51.100.9');
  assert.equal(p.ip!.inner!.tcp!.flags, 'S');
  assert.equal(p.ipv4HeaderChecksumOk, true);
  assert.equal(p.l4ChecksumOk, true);
  // A bad inner header checksum is reported through the frame.
  const badInner = Uint8Array.from(inner); badInner[10] ^= 0xff;
  const pb = parseFrame(ethFrame({}, ipip({ src: '192.0.2.254', dst: '192.0.2.11' }, badInner)));
  assert.equal(pb.ipv4HeaderChecksumOk, false);
  assert.equal(pb.ok, false);
});

test('IP6IP6 and IPv4-in-IPv6 encapsulation', () => {
  const inner = ipPacket({ src: '2001:db8:c::1', dst: '2001:db8:f::80', proto: 'udp', udp: { sport: 7, dport: 53 }, payload: 'dns' });
  const outer = ip6ip6({ src: '2001:db8::fe', dst: '2001:db8::11', ttl: 10 }, inner);
  const p = parseFrame(ethFrame({}, outer));
  assert.deepEqual(p.problems, []);
  assert.equal(p.ip!.nextHeader, IPPROTO_IPV6);
  assert.equal(p.ip!.payloadLength, inner.length);
  assert.equal(p.ip!.inner!.dst, '2001:db8:f::80');
  assert.equal(p.ip!.inner!.udp!.sport, 7);
  assert.equal(p.l4ChecksumOk, true);
  const v4in6 = encap({ src: '2001:db8::fe', dst: '2001:db8::11' }, ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'icmp', icmp: { type: 8 } }));
  const q = parsePacket(v4in6);
  assert.equal(q.nextHeader, IPPROTO_IPIP);
  assert.equal(q.inner!.version, 4);
  assert.throws(() => ipip({ src: '192.0.2.1', dst: '192.0.2.2' }, inner));
  assert.throws(() => ip6ip6({ src: '2001:db8::1', dst: '2001:db8::2' }, ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', proto: 253 })));
});

test('ICMP errors quote the offending packet, which is parsed leniently', () => {
  const big = ipPacket({ src: '198.51.100.9', dst: '203.0.113.1', df: true, proto: 'tcp', tcp: { sport: 4000, dport: 80, flags: 'A' }, payload: new Uint8Array(1400) });
  const quoted = big.subarray(0, 28);
  const e = parseFrame(ethFrame({}, icmp4FragNeeded({ src: '203.0.113.1', dst: '198.51.100.9', mtu: 1380, quoted })));
  assert.deepEqual(e.problems, []);
  assert.equal(e.ip!.icmp!.mtu, 1380);
  assert.deepEqual(e.ip!.icmp!.quoted, quoted);
  assert.equal(e.ip!.icmp!.quotedIp!.src, '198.51.100.9');
  assert.equal(e.ip!.icmp!.quotedIp!.tcp!.sport, 4000);
  const big6 = ipPacket({ src: '2001:db8::9', dst: '2001:db8::1', proto: 'tcp', tcp: { sport: 4000, dport: 80 }, payload: new Uint8Array(1400) });
  const e6 = parseFrame(ethFrame({}, icmp6PacketTooBig({ src: '2001:db8::1', dst: '2001:db8::9', mtu: 1400, quoted: big6.subarray(0, 1232), hopLimit: 255 })));
  assert.deepEqual(e6.problems, []);
  assert.equal(e6.ip!.hopLimit, 255);
  assert.equal(e6.ip!.icmp!.type, 2);
  assert.equal(e6.ip!.icmp!.mtu, 1400);
  assert.equal(e6.ip!.icmp!.quotedIp!.dst, '2001:db8::1');
  assert.equal(e6.l4ChecksumOk, true);
});

test('ARP request and reply', () => {
  const f = arpRequest({ srcMac: '02:00:00:00:00:01', srcIp: '192.0.2.1', targetIp: '192.0.2.2' });
  assert.equal(f.length, 42);
  assert.equal(hex(f), hex(fromHex(
    'ffffffffffff 020000000001 0806  0001 0800 06 04 0001  020000000001 c0000201  000000000000 c0000202')));
  const p = parseFrame(f);
  assert.equal(p.eth.type, ETH_P_ARP);
  assert.deepEqual(p.arp, { op: 1, senderMac: '02:00:00:00:00:01', senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.2' });
  const r = parseFrame(arp({ op: 2, senderMac: '02:00:00:00:00:02', senderIp: '192.0.2.2', targetMac: '02:00:00:00:00:01', targetIp: '192.0.2.1', vlan: 7 }));
  assert.equal(r.eth.dst, '02:00:00:00:00:01');
  assert.equal(r.eth.vlan, 7);
  assert.equal(r.arp!.op, 2);
});

test('withMacs and stripEther', () => {
  const f = buildFrame({ vlan: 3, src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp', udp: { sport: 1, dport: 2 } });
  const g = withMacs(f, '02:00:00:00:00:aa', '02:00:00:00:00:bb');
  assert.equal(parseFrame(g).eth.dst, '02:00:00:00:00:aa');
  assert.equal(parseFrame(g).eth.src, '02:00:00:00:00:bb');
  assert.deepEqual(g.subarray(12), f.subarray(12));
  assert.deepEqual(stripEther(f), f.subarray(18));
});

test('corrupted checksums are detected; badChecksum knobs produce them', () => {
  const good = buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', tcp: { sport: 1, dport: 2 }, payload: 'data' });
  assert.equal(parseFrame(good).ok, true);
  // Flip one payload bit: L4 checksum fails, IP header still fine.
  const flipped = Uint8Array.from(good); flipped[flipped.length - 1] ^= 1;
  const pf = parseFrame(flipped);
  assert.equal(pf.l4ChecksumOk, false);
  assert.equal(pf.ipv4HeaderChecksumOk, true);
  assert.equal(pf.ok, false);
  assert.match(pf.problems.join(), /tcp: checksum/);
  // Change the TTL without fixing the header checksum.
  const ttl = Uint8Array.from(good); ttl[14 + 8] = 1;
  assert.equal(parseFrame(ttl).ipv4HeaderChecksumOk, false);
  // Knobs.
  const b1 = parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', tcp: { sport: 1, dport: 2 }, badChecksum: { ip: true } }));
  assert.equal(b1.ipv4HeaderChecksumOk, false);
  assert.equal(b1.l4ChecksumOk, true);
  for (const proto of ['tcp', 'udp', 'icmp'] as const) {
    for (const [src, dst] of [['192.0.2.1', '192.0.2.2'], ['2001:db8::1', '2001:db8::2']] as const) {
      const b = parseFrame(buildFrame({ src, dst, proto, tcp: { sport: 1, dport: 2 }, udp: { sport: 1, dport: 2 }, icmp: { type: src.includes(':') ? 128 : 8 }, badChecksum: { l4: true } }));
      assert.equal(b.l4ChecksumOk, false, `${proto} ${src}`);
    }
  }
});

test('inconsistent lengths are reported', () => {
  const good = buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp', udp: { sport: 1, dport: 2 }, payload: 'abcdef' });
  // Truncated frame: IPv4 total length larger than what is present.
  const cut = parseFrame(good.subarray(0, good.length - 3));
  assert.equal(cut.lengthsOk, false);
  assert.match(cut.problems.join(), /total length/);
  // Ethernet padding after the packet is a trailer, not a problem.
  const padded = parseFrame(new Uint8Array([...good, 0, 0, 0, 0]));
  assert.equal(padded.ok, true);
  assert.equal(padded.trailer.length, 4);
  // Lying length fields via overrides.
  assert.equal(parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp', udp: { sport: 1, dport: 2 }, override: { udpLength: 50 } })).lengthsOk, false);
  assert.equal(parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'udp', udp: { sport: 1, dport: 2 }, override: { ihl: 4 } })).lengthsOk, false);
  assert.equal(parseFrame(buildFrame({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp', udp: { sport: 1, dport: 2 }, override: { payloadLength: 100 } })).lengthsOk, false);
  assert.equal(parseFrame(buildFrame({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', tcp: { sport: 1, dport: 2 }, override: { tcpDataOffset: 15 } })).lengthsOk, false);
  // Truncated headers at each layer do not throw.
  for (const n of [0, 10, 14, 20, 33, 40]) assert.equal(parseFrame(good.subarray(0, n)).ok, false, `cut at ${n}`);
  const t6 = buildFrame({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp', tcp: { sport: 1, dport: 2 } });
  for (const n of [20, 54, 60, 70]) assert.equal(parseFrame(t6.subarray(0, n)).ok, false, `v6 cut at ${n}`);
  // Ethertype / version mismatch.
  const mism = Uint8Array.from(good); mism[12] = 0x86; mism[13] = 0xdd;
  assert.equal(parseFrame(mism).ok, false);
});

test('builder rejects what it cannot build', () => {
  assert.throws(() => ipPacket({ src: '192.0.2.1', dst: '2001:db8::1', proto: 'udp', udp: { sport: 1, dport: 2 } }), /mixed/);
  assert.throws(() => ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp' }), /tcp/);
  assert.throws(() => ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', proto: 253, ipOptions: new Uint8Array(41) }), /40/);
});
