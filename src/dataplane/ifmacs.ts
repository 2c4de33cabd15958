// The MAC address of each interface the director is attached to, which the program
// compares with a frame's destination (see if_macs and if_macs_direct in maps.h): in
// the if_macs_direct array when the index fits, so the per-packet check is an inlined
// array lookup, else in the if_macs hash (the program reads it for an empty slot).
import { ifMac } from './codec.js';
import { u32Key } from './layout.js';
import type { MapHandle } from './writer.js';

export interface IfMacMaps {
  if_macs: MapHandle;
  /** Absent in objects built before it existed (benchmarks of older builds). */
  if_macs_direct?: MapHandle;
}

/** Write (or, without a MAC, remove) an interface's MAC; removal stops the check there. */
export function writeIfMac(maps: IfMacMaps, ifindex: number, mac: Uint8Array | undefined): void {
  const key = u32Key(ifindex);
  const direct = maps.if_macs_direct && ifindex < maps.if_macs_direct.maxEntries ? maps.if_macs_direct : undefined;
  if (mac) {
    (direct ?? maps.if_macs).update(key, ifMac.encode({ addr: mac, valid: 1 }));
  } else {
    direct?.update(key, new Uint8Array(ifMac.size));
    maps.if_macs.delete(key);
  }
}
