// Firewall-mark rules (DesiredState.marks): checked, and compiled into what the data
// plane matches (bpf/include/fwmark.h): per (family, protocol, destination prefix) the
// port ranges -> mark of every rule whose destination covers that prefix, in rule
// order. The program finds the longest prefix holding the packet's destination (an
// LPM trie) and takes the first range holding its port, which is exactly the first
// rule in order that matches: a rule matches an address iff its prefix contains the
// longest configured prefix that does.
import { parseIp, ipFromBytes, prefixMask, type Family, type IpAddr } from './addr.js';
import type { FieldError } from './result.js';
import type { MarkRule, Protocol } from './model.js';

/** Sizes of the data plane's mark maps (bpf/include/consts.h IPVX_MARK_*). */
export const MARK_LIMITS = {
  /** Port ranges that may apply to one destination prefix (the program scans them). */
  rangesPerPrefix: 16,
  /** Distinct (family, protocol, prefix) entries. */
  prefixes: 1024,
  /** Port ranges in all. */
  ranges: 4096,
} as const;

export const MAX_MARK = 0xffffffff;

export interface PortRange { lo: number; hi: number }

/** "80", "80,443", "8000-8100" or "8000:8100" (iptables); "" = every port. */
export function parsePorts(text: string): PortRange[] | string {
  const t = text.trim();
  if (t === '') return [{ lo: 0, hi: 65535 }];
  const out: PortRange[] = [];
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)\s*(?:[-:]\s*(\d+)\s*)?$/.exec(part);
    if (!m) return `'${part.trim()}' is not a port or a range (80, 80-90, 80:90)`;
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 65535 || hi > 65535) return `'${part.trim()}': ports are 0-65535`;
    if (hi < lo) return `'${part.trim()}': the range ends before it starts`;
    out.push({ lo, hi });
  }
  return out;
}

/** Canonical text of a port list: "80,443,8000-8100"; "" for every port. */
export function formatPorts(ranges: PortRange[]): string {
  if (ranges.length === 1 && ranges[0]!.lo === 0 && ranges[0]!.hi === 65535) return '';
  return ranges.map((r) => (r.lo === r.hi ? String(r.lo) : `${r.lo}-${r.hi}`)).join(',');
}

interface Prefix { addr: IpAddr; bits: number }

/** "203.0.113.10", "203.0.113.0/24", "2001:db8::/32": the network (host bits must be zero). */
export function parsePrefix(text: string): Prefix | string {
  const [a, len, extra] = text.trim().split('/');
  if (extra !== undefined) return `'${text}' is not an address or a prefix`;
  const r = parseIp(a ?? '');
  if (!r.ok) return `'${text}': ${r.errors[0]!.message}`;
  const max = r.value.family === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return `'${text}': the prefix length must be 0-${max}`;
  const mask = prefixMask(r.value.family, bits);
  if (r.value.bytes.some((b, i) => (b & ~mask[i]!) !== 0)) return `'${text}': host bits are set (did you mean ${networkText(r.value, bits)}?)`;
  return { addr: r.value, bits };
}

function networkText(a: IpAddr, bits: number): string {
  const mask = prefixMask(a.family, bits);
  return `${ipFromBytes(a.bytes.map((b, i) => b & mask[i]!)).text}/${bits}`;
}

const prefixText = (p: Prefix) => `${p.addr.text}/${p.bits}`;

/** Checks every rule; returns them in canonical form (destination as "net/len", ports as formatPorts). */
export function checkMarks(rules: readonly MarkRule[], errs: FieldError[]): MarkRule[] {
  const out: MarkRule[] = [];
  rules.forEach((r, i) => {
    const at = `marks[${i}]`;
    const e0 = errs.length;
    if (!(Number.isInteger(r.mark) && r.mark >= 1 && r.mark <= MAX_MARK)) errs.push({ field: `${at}.mark`, message: `${String(r.mark)} is not a mark (1-${MAX_MARK})` });
    const p = parsePrefix(String(r.destination ?? ''));
    if (typeof p === 'string') errs.push({ field: `${at}.destination`, message: p });
    if (r.protocol !== 'tcp' && r.protocol !== 'udp') errs.push({ field: `${at}.protocol`, message: `'${String(r.protocol)}' is not tcp or udp` });
    const ports = parsePorts(String(r.ports ?? ''));
    if (typeof ports === 'string') errs.push({ field: `${at}.ports`, message: ports });
    if (errs.length === e0 && typeof p !== 'string' && typeof ports !== 'string') {
      out.push({ mark: r.mark, destination: prefixText(p), protocol: r.protocol, ports: formatPorts(ports) });
    } else {
      out.push(r);
    }
  });
  if (errs.length) return out;
  const compiled = compileMarks(out);
  if (compiled.length > MARK_LIMITS.prefixes) {
    errs.push({ field: 'marks', message: `${compiled.length} distinct destinations (per protocol); the data plane holds at most ${MARK_LIMITS.prefixes}` });
  }
  let total = 0;
  for (const c of compiled) {
    total += c.ranges.length;
    if (c.ranges.length > MARK_LIMITS.rangesPerPrefix) {
      errs.push({
        field: 'marks',
        message: `${c.ranges.length} port ranges apply to ${c.protocol} ${c.destination} (with the rules of the prefixes that contain it); at most ${MARK_LIMITS.rangesPerPrefix}`,
      });
    }
  }
  if (total > MARK_LIMITS.ranges) errs.push({ field: 'marks', message: `${total} port ranges in all; the data plane holds at most ${MARK_LIMITS.ranges}` });
  return out;
}

/** One entry of the data plane's prefix trie. */
export interface CompiledPrefix {
  family: Family;
  protocol: Protocol;
  /** The network address, 4 or 16 bytes, and its prefix length. */
  addr: Uint8Array;
  bits: number;
  /** "net/len", for messages. */
  destination: string;
  /** Ranges of every rule covering this prefix, in rule order: the first that holds the port wins. */
  ranges: { lo: number; hi: number; mark: number }[];
}

const covers = (outer: Prefix, inner: Prefix): boolean => {
  if (outer.addr.family !== inner.addr.family || outer.bits > inner.bits) return false;
  const mask = prefixMask(outer.addr.family, outer.bits);
  return outer.addr.bytes.every((b, i) => (b & mask[i]!) === (inner.addr.bytes[i]! & mask[i]!));
};

/** Valid (checked) rules -> the prefix entries, sorted by family, protocol, address, length. */
export function compileMarks(rules: readonly MarkRule[]): CompiledPrefix[] {
  const parsed = rules.map((r) => ({ r, p: parsePrefix(r.destination) as Prefix, ports: parsePorts(r.ports) as PortRange[] }));
  const seen = new Map<string, { family: Family; protocol: Protocol; p: Prefix }>();
  for (const { r, p } of parsed) seen.set(`${r.protocol}|${prefixText(p)}`, { family: p.addr.family, protocol: r.protocol, p });
  const out: CompiledPrefix[] = [];
  for (const { family, protocol, p } of seen.values()) {
    const ranges: CompiledPrefix['ranges'] = [];
    for (const x of parsed) {
      if (x.r.protocol !== protocol || !covers(x.p, p)) continue;
      for (const pr of x.ports) ranges.push({ ...pr, mark: x.r.mark });
    }
    out.push({ family, protocol, addr: p.addr.bytes, bits: p.bits, destination: prefixText(p), ranges });
  }
  const key = (c: CompiledPrefix) => `${c.family}|${c.protocol}|${Buffer.from(c.addr).toString('hex')}|${String(c.bits).padStart(3, '0')}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The mark the rules give a packet (the reference the program is tested against), or 0. */
export function markOf(rules: readonly MarkRule[], family: Family, protocol: Protocol, dst: Uint8Array, dport: number): number {
  for (const r of rules) {
    const p = parsePrefix(r.destination);
    if (typeof p === 'string' || r.protocol !== protocol || p.addr.family !== family) continue;
    if (!covers(p, { addr: { ...p.addr, bytes: dst }, bits: family === 4 ? 32 : 128 })) continue;
    const ports = parsePorts(r.ports);
    if (typeof ports !== 'string' && ports.some((x) => dport >= x.lo && dport <= x.hi)) return r.mark;
  }
  return 0;
}
