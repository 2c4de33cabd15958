// Flow and persistence entries in a form another director can install (HA connection
// sync). The maps hold this director's own real/service ids (with generations) and
// CLOCK_MONOTONIC timestamps, which mean nothing on the peer. What travels instead:
// the client tuple, the service (VIP, port, protocol), the real's address and port,
// the state and the entry's age; for NAT also the client-side MAC and the name of the
// interface the client's packets came in on, which the reverse (reply) entry needs.
// The receiver maps all of it onto its own ids (XdpDataplane.installFlows).
import { defineStruct } from './layout.js';
import { flowKey } from './codec.js';

type A = Uint8Array;

/** Flow key: the client's 5-tuple towards the VIP (flow_key, already portable). */
export const portableFlowKey = flowKey;

/** Flags of a portable flow. */
export const PFLOW_F = { nat: 1 << 0 } as const;

export const portableFlowVal = defineStruct<{
  real: A; rport: number; svcPort: number; state: number; flags: number; ageMs: number; clientMac: A; ifname: A;
}>('portable_flow_val', 52, {
  real: ['addr', 0], rport: ['be16', 16], svcPort: ['be16', 18], state: ['u8', 20], flags: ['u8', 21],
  ageMs: ['u32', 24], clientMac: ['mac', 28], ifname: ['addr', 36],
});

export const portablePersistKey = defineStruct<{ vip: A; svcPort: number; proto: number; family: number; client: A }>(
  'portable_persist_key', 36, {
    vip: ['addr', 0], svcPort: ['be16', 16], proto: ['u8', 18], family: ['u8', 19], client: ['addr', 20],
  });

export const portablePersistVal = defineStruct<{ real: A; rport: number; ageMs: number }>('portable_persist_val', 24, {
  real: ['addr', 0], rport: ['be16', 16], ageMs: ['u32', 20],
});

export type PortableKind = 'flow' | 'persist';

/** One exported entry: encoded key and value of its kind. */
export interface PortableEntry {
  kind: PortableKind;
  key: Uint8Array;
  value: Uint8Array;
}

/** A change to install on the receiving director. */
export interface PortableChange {
  kind: PortableKind;
  op: 'upsert' | 'delete';
  key: Uint8Array;
  value?: Uint8Array;
}

export interface InstallResult {
  installed: number;
  removed: number;
  /** Entries naming a service or real this director does not have (configs differ), or malformed. */
  skipped: number;
}

export const PORTABLE_SIZES: Record<PortableKind, { key: number; value: number }> = {
  flow: { key: portableFlowKey.size, value: portableFlowVal.size },
  persist: { key: portablePersistKey.size, value: portablePersistVal.size },
};

/** Where the age lives in a value: it changes all the time and is not a "change" of the entry. */
const AGE_FIELD: Record<PortableKind, { offset: number; size: number }> = {
  flow: { offset: 24, size: 4 },
  persist: { offset: 20, size: 4 },
};

/** The value without its age, as text: equal signatures = nothing to tell the peer. */
export function portableSignature(kind: PortableKind, value: Uint8Array): string {
  const a = AGE_FIELD[kind];
  const b = Uint8Array.from(value);
  b.fill(0, a.offset, a.offset + a.size);
  return Buffer.from(b).toString('hex');
}

/** Interface names travel as up to 15 bytes (IFNAMSIZ - 1), zero padded. */
export function ifnameBytes(name: string): Uint8Array {
  const b = Buffer.from(name, 'utf8');
  if (b.length > 15) throw new Error(`interface name '${name}' is longer than 15 bytes`);
  const out = new Uint8Array(16);
  out.set(b);
  return out;
}

export function ifnameText(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(b.subarray(0, end < 0 ? b.length : end)).toString('utf8');
}

/** An age in ms as the u32 field holds it (saturates at ~49 days). */
export function ageField(ms: number | bigint): number {
  const n = typeof ms === 'bigint' ? Number(ms) : ms;
  return Math.max(0, Math.min(0xffffffff, Math.floor(n)));
}
