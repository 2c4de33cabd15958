// --json renderings of the listings. Field names are stable; numbers are JSON numbers.
// 64-bit counters (bigint in the daemon) are numbers while they fit exactly in a
// double (below 2^53, i.e. 9 PB of bytes) and decimal strings beyond that.
import type { DesiredState, Timeouts } from '../../core/model.js';
import type { Counters, FlowView } from '../../dataplane/port.js';
import { CONN_TAB_SIZE, IPVS_VERSION, type ListOptions } from './format.js';
import { buildRows, persistenceMaskText, type ListData } from './view.js';

export const counterJson = (v: bigint): number | string => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

const statsJson = (c: Counters) => ({
  conns: counterJson(c.conns), inPkts: counterJson(c.pktsIn), outPkts: counterJson(c.pktsOut),
  inBytes: counterJson(c.bytesIn), outBytes: counterJson(c.bytesOut),
});

/** The table: every service with scheduling, persistence, counters, rates and reals (with health). */
export function listJson(state: DesiredState, data: ListData, opts: Pick<ListOptions, 'sort' | 'service'> = {}) {
  return {
    version: IPVS_VERSION,
    connTableSize: CONN_TAB_SIZE,
    ...(state.marks?.length ? { marks: state.marks.map((m) => ({ ...m })) } : {}),
    services: buildRows(state, data, opts).map((row) => ({
      ...(row.spec.fwmark ? { fwmark: row.spec.fwmark, family: row.family } : {}),
      protocol: row.spec.protocol,
      address: row.address,
      port: row.spec.port,
      scheduler: row.spec.scheduler,
      flags: [...row.spec.flags],
      persistence: row.spec.persistence > 0
        ? { timeout: row.spec.persistence, netmask: persistenceMaskText(row.spec, row.family) || (row.family === 6 ? '128' : '255.255.255.255') }
        : null,
      ops: row.spec.ops === true,
      stats: statsJson(row.stats),
      rates: { ...row.rates },
      reals: row.reals.map((r) => ({
        address: r.address,
        port: r.port,
        forward: r.method,
        ...(r.method === 'tun' ? { tunnel: { type: r.spec.tunType ?? 'ipip', ...(r.spec.tunType === 'gue' ? { port: r.spec.tunPort } : {}), checksum: r.spec.tunChecksum ?? 'nocsum' } } : {}),
        weight: r.weight,
        configuredWeight: r.configuredWeight,
        health: r.health,
        ...(r.healthReason !== undefined ? { healthDetail: { reason: r.healthReason, since: r.healthSince } } : {}),
        activeConns: r.activeConns,
        inactiveConns: r.inactiveConns,
        persistConns: r.persistConns,
        upperThreshold: r.spec.upperThreshold,
        lowerThreshold: r.spec.lowerThreshold,
        stats: statsJson(r.stats),
        rates: { ...r.rates },
      })),
    })),
  };
}

export function connectionsJson(flows: Iterable<FlowView>) {
  return {
    connections: [...flows].map((f) => ({
      protocol: f.protocol, state: f.state, expiresIn: f.expiresIn,
      client: { address: f.client, port: f.clientPort },
      virtual: { address: f.vip, port: f.vport },
      real: { address: f.real, port: f.rport },
    })),
  };
}

export const timeoutJson = (t: Timeouts) => ({ timeout: { tcp: t.tcp, tcpFin: t.tcpFin, udp: t.udp } });

/** Pretty JSON text with a final newline, as the CLI prints it. */
export const toJsonText = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
