// `ipvx realserver setup|teardown`: carries out the steps of plan.ts in the current
// network namespace and records what was there before, so teardown restores it exactly.
import { mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { IpAddr, ip, ipTo16 } from '../core/addr.js';
import { runSync, runSyncQuiet } from '../common/command.js';
import { BpfObject, attachXdp, detachXdp } from '../bpf/index.js';
import { vipKey } from '../dataplane/codec.js';
import { u16Key, u32Key } from '../dataplane/layout.js';
import { upInterfaces, defaultObjectPath } from '../dataplane/xdp.js';
import { pinDir as defaultPinDir, claimPinDir, shownPinPath, reachPinPath } from '../dataplane/pins.js';
import { netnsIdentity, formatOwner, parseOwner, ownerMismatch, type Owner } from '../common/netns.js';
import { resolveRunDir, realServerRecordPath } from '../common/paths.js';
import { setupSteps, Step, RealServerMethod } from './plan.js';

export interface RealServerOptions {
  vips: IpAddr[];
  method: RealServerMethod;
  interfaces?: string[];
  tunType?: 'ipip' | 'gue' | 'gre';
  tunPort?: number;
  pinDir?: string;
  /** Where the record of previous values goes (default <run dir>/realserver-<netns>.json). */
  recordPath?: string;
}

interface Record_ {
  /** The namespace that was set up: a record is never applied to another one. */
  netns?: Owner;
  method: RealServerMethod;
  addedAddresses: string[];
  sysctls: { key: string; previous: string }[];
  decap?: { interfaces: { name: string; ifindex: number }[]; pinDir: string };
}

const recordPath = (o: RealServerOptions) => o.recordPath ?? realServerRecordPath(resolveRunDir());

/** A record of this namespace, or an error saying whose it is and how to remove it. */
function readRecord(rec: string): Record_ {
  const r = JSON.parse(readFileSync(rec, 'utf8')) as Record_;
  const why = ownerMismatch(r.netns ? parseOwner(formatOwner(r.netns)) : undefined, netnsIdentity(), 'boot');
  if (why) throw new Error(`${rec} is not this namespace's record: ${why}. Nothing was changed; remove it with: rm ${rec}${r.decap ? ` && rm -r ${r.decap.pinDir}` : ''}`);
  return r;
}
const sysctlPath = (key: string) => '/proc/sys/' + key.replace(/\./g, '/');

function readSysctl(key: string): string {
  return readFileSync(sysctlPath(key), 'utf8').trim();
}
function writeSysctl(key: string, value: string): void {
  writeFileSync(sysctlPath(key), value);
}

function globalAddresses(ifnames: string[]): IpAddr[] {
  const out: IpAddr[] = [];
  for (const name of ifnames) {
    const j = JSON.parse(runSync('ip', ['-j', 'addr', 'show', 'dev', name])) as
      { addr_info: { local: string; scope: string }[] }[];
    for (const a of j[0]?.addr_info ?? []) if (a.scope === 'global') out.push(ip(a.local));
  }
  return out;
}

function hasAddress(a: IpAddr): boolean {
  const j = JSON.parse(runSync('ip', ['-j', 'addr', 'show', 'dev', 'lo'])) as
    { addr_info: { local: string }[] }[];
  return (j[0]?.addr_info ?? []).some((x) => ip(x.local).text === a.text);
}

export async function realServerSetup(o: RealServerOptions): Promise<Step[]> {
  const rec = recordPath(o);
  if (existsSync(rec)) {
    readRecord(rec); // another namespace's: says so
    throw new Error(`this namespace is already set up (${rec}); run 'ipvx realserver teardown' first`);
  }
  const ifaces = o.interfaces?.length ? upInterfaces().filter((i) => o.interfaces!.includes(i.name)) : upInterfaces();
  if (o.method === 'tun' && ifaces.length === 0) throw new Error('no interface to receive tunnelled packets on');
  const steps = setupSteps({
    vips: o.vips, method: o.method, interfaces: ifaces.map((i) => i.name),
    tunnelAddresses: globalAddresses(ifaces.map((i) => i.name)),
    ...(o.tunType ? { tunType: o.tunType } : {}), ...(o.tunPort ? { tunPort: o.tunPort } : {}),
  });
  const record: Record_ = { netns: netnsIdentity(), method: o.method, addedAddresses: [], sysctls: [] };
  mkdirSync(dirname(rec), { recursive: true });
  try {
    for (const s of steps) {
      if (s.kind === 'addr') {
        if (hasAddress(s.address)) continue;
        runSync('ip', ['addr', 'add', `${s.address.text}/${s.address.family === 4 ? 32 : 128}`, 'dev', 'lo']);
        record.addedAddresses.push(s.address.text);
      } else if (s.kind === 'sysctl') {
        if (!record.sysctls.some((x) => x.key === s.key)) record.sysctls.push({ key: s.key, previous: readSysctl(s.key) });
        writeSysctl(s.key, s.value);
      } else {
        const dir = o.pinDir ?? defaultPinDir() + '-decap';
        claimPinDir(dir);
        const obj = BpfObject.open(defaultObjectPath('ipvx_decap.bpf.o'));
        obj.setPinPath('decap_addrs', join(dir, 'decap_addrs'));
        obj.setPinPath('decap_gue_ports', join(dir, 'decap_gue_ports'));
        obj.load();
        const map = obj.map('decap_addrs');
        for (const a of s.addresses) map.update(vipKey.encode({ addr: ipTo16(a), family: a.family }), u32Key(1));
        for (const p of s.guePorts) obj.map('decap_gue_ports').update(u16Key(p), u32Key(1));
        // Kept as a person finds it (/sys/fs/bpf/...): this process may reach bpffs by a /proc/self/fd path.
        record.decap = { interfaces: [], pinDir: shownPinPath(dir) };
        for (const i of ifaces) {
          attachXdp(i.ifindex, obj.program('decap_ingress').fd, 'native');
          record.decap.interfaces.push(i);
        }
        obj.close();
      }
    }
  } catch (e) {
    undo(record);
    throw e;
  }
  writeFileSync(rec, JSON.stringify(record, null, 2));
  return steps;
}

function undo(r: Record_): void {
  for (const i of r.decap?.interfaces ?? []) {
    try { detachXdp(i.ifindex, 'native'); } catch { /* interface gone */ }
  }
  if (r.decap) rmSync(reachPinPath(r.decap.pinDir), { recursive: true, force: true });
  for (const s of [...r.sysctls].reverse()) {
    try { writeSysctl(s.key, s.previous); } catch { /* interface gone */ }
  }
  for (const a of r.addedAddresses) {
    const addr = ip(a);
    runSyncQuiet('ip', ['addr', 'del', `${addr.text}/${addr.family === 4 ? 32 : 128}`, 'dev', 'lo']); // false: already gone
  }
}

export async function realServerTeardown(o: Pick<RealServerOptions, 'recordPath'> = {}): Promise<void> {
  const rec = recordPath(o as RealServerOptions);
  if (!existsSync(rec)) throw new Error(`nothing to tear down: no record at ${rec}`);
  undo(readRecord(rec));
  rmSync(rec, { force: true });
}
