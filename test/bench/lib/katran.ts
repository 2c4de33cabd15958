// Katran's balancer_ingress (facebookincubator/katran, lib/bpf, built outside this
// repository with its default flags and given with --katran PATH.o), loaded beside ipvx
// with its maps filled as ipvx's are in the same benchmark: one TCP IPv4 VIP and one TCP
// IPv6 VIP (the frames' VIP:port), their reals on Katran's Maglev ring (65,537 slots),
// one LRU of 1,048,576 flows per CPU (its lru_mapping map-in-map), filled, and the
// gateway MAC in ctl_array. Katran encapsulates everything (IPIP / IP6IP6) and sends it
// to that gateway.
//
// Katran's new-flow rate limit (MAX_CONN_RATE per CPU per second, 125,000 by default)
// lives in its `stats` map (key MAX_VIPS + NEW_CONN_RATE_CNTR: count, start of the
// second): `rateLimit('off')` zeroes the count before a run shorter than the limit, so
// every new flow is inserted; `rateLimit('flooded')` sets it far above the limit, so no
// new flow is (its flood mode).
import { BpfObject, BpfMap, BpfProgram, MAP_TYPE, numPossibleCpus } from '../../../src/bpf/index.js';
import { ip, ipTo16 } from '../../../src/core/addr.js';
import { maglevTable } from '../../../src/core/sched/maglev.js';
import { macBytes } from '../../lib/packet.js';
import { u32Key } from '../../../src/dataplane/layout.js';

/** balancer_consts.h defaults. */
const MAX_VIPS = 512;
const RING_SIZE = 65537;
const NEW_CONN_RATE_CNTR = 2;
const F_IPV6 = 1;
const FLOW_KEY_SIZE = 40; // struct flow_key: 16 + 16 + 4 + 1, padded
const LRU_VALUE_SIZE = 16; // struct real_pos_lru: u32 pos, u64 atime

export interface KatranVip { vip: string; port: number; reals: string[] }

export class KatranBench {
  private readonly lrus: BpfMap[] = [];

  private constructor(readonly obj: BpfObject) {}

  get program(): BpfProgram { return this.obj.program('balancer_ingress'); }

  static open(path: string, vips: KatranVip[], gatewayMac: string, lruSize: number): KatranBench {
    const obj = BpfObject.open(path);
    obj.load();
    const k = new KatranBench(obj);
    // One LRU per CPU, as Katran's control plane makes them (map-in-map).
    for (let cpu = 0; cpu < numPossibleCpus(); cpu++) {
      const lru = BpfMap.create(MAP_TYPE.lruHash, FLOW_KEY_SIZE, LRU_VALUE_SIZE, lruSize, `katran_lru${cpu}`);
      k.lrus.push(lru);
      obj.map('lru_mapping').update(u32Key(cpu), u32Key(lru.fd));
    }
    const ctl = new Uint8Array(8);
    ctl.set(macBytes(gatewayMac));
    obj.map('ctl_array').update(u32Key(0), ctl);
    let realIndex = 1; // Katran's real ids start at 1
    vips.forEach((v, vipNum) => {
      const a = ip(v.vip);
      const key = new Uint8Array(20); // struct vip_definition: address, port (network order), proto
      key.set(ipTo16(a));
      new DataView(key.buffer).setUint16(16, v.port, false);
      key[18] = 6;
      const meta = new Uint8Array(8);
      new DataView(meta.buffer).setUint32(4, vipNum, true);
      obj.map('vip_map').update(key, meta);
      const ids: number[] = [];
      for (const r of v.reals) {
        const def = new Uint8Array(20); // struct real_definition: address, flags
        const ra = ip(r);
        def.set(ipTo16(ra));
        def[16] = ra.family === 6 ? F_IPV6 : 0;
        obj.map('reals').update(u32Key(realIndex), def);
        ids.push(realIndex++);
      }
      // Katran's ring is Maglev over its reals; ipvx's Maglev builds the same kind of table.
      const ring = maglevTable(v.reals.map((r) => ({ key: r, weight: 1 })), RING_SIZE);
      const keys = new Uint8Array(RING_SIZE * 4), vals = new Uint8Array(RING_SIZE * 4);
      const kd = new DataView(keys.buffer), vd = new DataView(vals.buffer);
      ring.forEach((slot, i) => { kd.setUint32(i * 4, vipNum * RING_SIZE + i, true); vd.setUint32(i * 4, ids[slot]!, true); });
      (obj.map('ch_rings') as unknown as BpfMap).updateBatchFlat(keys, vals, RING_SIZE);
    });
    return k;
  }

  /** Fill every CPU's LRU with `n` random IPv4 flows (what a busy Katran holds). */
  fill(n: number): void {
    const CHUNK = 65536;
    for (const lru of this.lrus) {
      for (let done = 0; done < n; done += CHUNK) {
        const count = Math.min(CHUNK, n - done);
        const keys = new Uint8Array(count * FLOW_KEY_SIZE), vals = new Uint8Array(count * LRU_VALUE_SIZE);
        const kd = new DataView(keys.buffer), vd = new DataView(vals.buffer);
        for (let i = 0; i < count; i++) {
          const o = i * FLOW_KEY_SIZE;
          kd.setUint32(o, (Math.random() * 2 ** 32) >>> 0);
          kd.setUint32(o + 16, (Math.random() * 2 ** 32) >>> 0);
          kd.setUint32(o + 32, (Math.random() * 2 ** 32) >>> 0);
          keys[o + 36] = 6;
          vd.setUint32(i * LRU_VALUE_SIZE, 1 + (i % 750), true);
        }
        lru.updateBatchFlat(keys, vals, count);
      }
    }
  }

  /** An established flow (client -> VIP, TCP) in every CPU's LRU, on real `pos`. */
  addFlow(client: string, sport: number, vip: string, dport: number, pos = 1): void {
    const key = new Uint8Array(FLOW_KEY_SIZE);
    key.set(ipTo16(ip(client)), 0);
    key.set(ipTo16(ip(vip)), 16);
    new DataView(key.buffer).setUint16(32, sport, false);
    new DataView(key.buffer).setUint16(34, dport, false);
    key[36] = 6;
    const v = new Uint8Array(LRU_VALUE_SIZE);
    new DataView(v.buffer).setUint32(0, pos, true);
    for (const lru of this.lrus) lru.update(key, v);
  }

  /** Before a run: new flows are all inserted ('off', runs under 125,000 packets) or none is ('flooded'). */
  rateLimit(mode: 'off' | 'flooded'): void {
    const v = new Uint8Array(16);
    const dv = new DataView(v.buffer);
    dv.setBigUint64(0, mode === 'off' ? 0n : 1n << 62n, true);
    dv.setBigUint64(8, process.hrtime.bigint(), true); // bpf_ktime_get_ns: CLOCK_MONOTONIC
    const stats = this.obj.map('stats');
    stats.updatePerCpu(u32Key(MAX_VIPS + NEW_CONN_RATE_CNTR), Array.from({ length: numPossibleCpus() }, () => v));
  }

  close(): void {
    for (const l of this.lrus) l.close();
    this.obj.close();
  }
}
