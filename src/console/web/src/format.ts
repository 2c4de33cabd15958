// How numbers, times and addresses read on the pages. Pure.

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A counter exactly, grouped by thousands ("1,234,567"); decimal strings (64-bit) too. */
export function count(v: number | string | bigint | undefined | null): string {
  if (v === undefined || v === null || v === '') return '0';
  if (typeof v === 'string') return v.length > 15 ? v.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : int.format(Number(v));
  return int.format(v);
}

const UNITS = ['', 'k', 'M', 'G', 'T', 'P'];

/** A rate, short ("0", "12", "3.4k", "1.2G"): 3 significant digits. */
export function rate(v: number | undefined | null): string {
  const n = v ?? 0;
  if (n === 0) return '0';
  if (Math.abs(n) < 1) return n.toFixed(2);
  let i = 0;
  let x = n;
  while (Math.abs(x) >= 1000 && i < UNITS.length - 1) { x /= 1000; i++; }
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${UNITS[i]}`.replace(/\.0+(?=\D|$)/, '').replace(/(\.\d*?)0+(?=\D|$)/, '$1');
}

/** "3 s", "4 min", "2 h 5 min", "3 d 4 h" */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** "12:03:04" in the browser's time zone; the full ISO time goes in a title. */
export function clock(iso: string | number): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '-' : d.toLocaleTimeString('en-GB', { hour12: false });
}

/** "addr:port", IPv6 in brackets, as ipvsadm writes them. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A service as ipvsadm -L names it: "TCP 203.0.113.10:80", or "FWM 1" ("FWM 1 IPv6") for a fwmark service. */
export function serviceName(s: { protocol: string; vip: string; port: number; fwmark?: number }): string {
  return s.fwmark ? `FWM ${s.fwmark}${s.vip.includes(':') ? ' IPv6' : ''}` : `${s.protocol.toUpperCase()} ${hostPort(s.vip, s.port)}`;
}

/** A real's forwarding: "TUN" for IPIP, "TUN gue:6080" / "TUN gre" for the other tunnel types. */
export function methodLabel(r: { method: string; tunType?: string; tunPort?: number }): string {
  const m = METHOD_LABEL[r.method] ?? r.method;
  return r.method === 'tun' && r.tunType && r.tunType !== 'ipip' ? `${m} ${r.tunType}${r.tunPort ? `:${r.tunPort}` : ''}` : m;
}

export const METHOD_LABEL: Record<string, string> = { dr: 'DR', tun: 'TUN', nat: 'NAT' };
/** ipvsadm's Forward column, for the title. */
export const METHOD_IPVSADM: Record<string, string> = { dr: 'Route', tun: 'Tunnel', nat: 'Masq' };
