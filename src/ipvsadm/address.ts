// ipvsadm's address grammar (parse_service, parse_netmask), without name lookups:
// ipvx never resolves host or port names, it says so instead.
import { isIPv6 } from 'node:net';
import { parseIp } from '../core/addr.js';
import type { Family } from '../core/addr.js';

/** inet_aton(3): 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the rest. */
export function inetAton(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = p.length === 1 ? 0 : parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = Number(p);
    else return undefined;
    if (!Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return undefined;
  const lastBytes = 4 - nums.length;
  if (last >= 2 ** (8 * lastBytes)) return undefined;
  const bytes = [...nums];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes.join('.');
}

export interface HostPort {
  /** Canonical address text (dotted quad, RFC 5952 IPv6). */
  address: string;
  family: Family;
  /** undefined when the argument had no ":port". */
  port?: number;
}

export type AddressError = { kind: 'illegal' } | { kind: 'hostname'; name: string } | { kind: 'portname'; name: string };

const looksLikeHostname = (s: string) => /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(s) && /[A-Za-z]/.test(s);

/** parse_service: "host[:port]", "[v6]:port" or a bare IPv6 address (no port). */
export function parseHostPort(arg: string): { ok: true; value: HostPort } | { ok: false; error: AddressError } {
  const illegal = { ok: false as const, error: { kind: 'illegal' as const } };
  if (arg === '' || /^[0-9]+$/.test(arg)) return illegal;
  let host = arg;
  let portText: string | undefined;
  let bracketed = false;
  if (arg.startsWith('[')) {
    const close = arg.indexOf(']');
    if (close < 0 || arg[close + 1] !== ':') return illegal;
    host = arg.slice(1, close);
    portText = arg.slice(close + 2);
    bracketed = true;
  }
  let family: Family;
  let address: string;
  if (isIPv6(host)) {
    const r = parseIp(host);
    if (!r.ok) return illegal;
    family = 6;
    address = r.value.text;
  } else {
    if (!bracketed) {
      const colon = host.lastIndexOf(':');
      if (colon >= 0) { portText = host.slice(colon + 1); host = host.slice(0, colon); }
    }
    const v4 = inetAton(host);
    if (v4 === undefined) {
      return looksLikeHostname(host) ? { ok: false, error: { kind: 'hostname', name: host } } : illegal;
    }
    family = 4;
    address = v4;
  }
  if (portText === undefined) return { ok: true, value: { address, family } };
  const port = stringToNumber(portText, 0, 65535);
  if (port === undefined) {
    return /^[A-Za-z][A-Za-z0-9._+-]*$/.test(portText) ? { ok: false, error: { kind: 'portname', name: portText } } : illegal;
  }
  return { ok: true, value: { address, family, port } };
}

/** string_to_number: a whole decimal (strtol, optional sign) within [min, max]. */
export function stringToNumber(s: string, min: number, max: number): number | undefined {
  if (!/^\s*[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** -M for IPv4: any address inet_aton takes; the host mask is "" in the model. */
export function parseNetmask4(text: string): string | undefined {
  const m = inetAton(text);
  if (m === undefined) return undefined;
  return m === '255.255.255.255' ? '' : m;
}

/** -M for IPv6: atoi(), 1..128; 128 (host) is "" in the model. */
export function parseNetmask6(text: string): string | undefined {
  const m = /^\s*[+-]?[0-9]+/.exec(text);
  const n = m ? Number(m[0]) : 0;
  if (n < 1 || n > 128) return undefined;
  return n === 128 ? '' : String(n);
}
