// The Prometheus exporter against a stand-in controller: data-plane totals per scrape,
// and the HA node's heartbeat and sync figures while HA runs (absent while it does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Controller } from '../../../src/daemon/controller.js';
import type { HaStatus } from '../../../src/ha/node.js';
import { metricsRegistry } from '../../../src/metrics/exporter.js';

function fakeController(role: string): Controller {
  const c = Object.assign(new EventEmitter(), {
    role,
    current: { services: [{}], ha: { peerAddress: '198.51.100.3' } },
    health: undefined,
    stats: async () => ({ counters: { services: [], global: { forward_dr: 7n } } }),
  });
  return c as unknown as Controller;
}

function haStatus(over: Partial<HaStatus> = {}): HaStatus {
  return {
    role: 'active', priority: 150,
    peer: { address: '198.51.100.3', role: 'standby', priority: 100, preempt: true, alive: true, bootId: 'b', lastHeartbeatAt: 1_000 },
    lastHeartbeatAt: 1_000,
    syncLag: 250,
    heartbeatsAccepted: 41, heartbeatsSent: 43,
    rejected: { malformed: 0, forged: 3, replayed: 1, stale: 0, own: 0, foreign: 0 },
    errors: 0,
    sync: {
      sender: { queued: 0, dropped: 2, datagrams: 5, entries: 120, fullResyncs: 1, resyncInProgress: false, lagMs: 250 },
      receiver: { datagrams: 1, installed: 9, removed: 4, rejected: { malformed: 0, forged: 0, replayed: 0, stale: 0, own: 0, foreign: 0 }, lastAt: 900 },
    },
    ...over,
  };
}

async function scrape(m: ReturnType<typeof metricsRegistry>): Promise<string> {
  await m.refresh();
  return m.registry.metrics();
}

test('HA heartbeat and sync figures are exported while HA runs', async () => {
  let st: HaStatus | undefined = haStatus();
  const m = metricsRegistry(fakeController('active'), { ha: () => st });
  let text = await scrape(m);
  assert.match(text, /^ipvx_ha_role\{role="active"\} 1$/m);
  assert.match(text, /^ipvx_ha_heartbeats_sent_total\{peer="198\.51\.100\.3"\} 43$/m);
  assert.match(text, /^ipvx_ha_heartbeats_accepted_total\{peer="198\.51\.100\.3"\} 41$/m);
  assert.match(text, /^ipvx_ha_rejected_total\{peer="198\.51\.100\.3",kind="forged"\} 3$/m);
  assert.match(text, /^ipvx_ha_rejected_total\{peer="198\.51\.100\.3",kind="replayed"\} 1$/m);
  assert.match(text, /^ipvx_ha_peer_alive\{peer="198\.51\.100\.3"\} 1$/m);
  assert.match(text, /^ipvx_ha_sync_lag_seconds\{peer="198\.51\.100\.3"\} 0\.25$/m);
  assert.match(text, /^ipvx_ha_sync_entries_sent_total\{peer="198\.51\.100\.3"\} 120$/m);
  assert.match(text, /^ipvx_ha_sync_entries_received_total\{peer="198\.51\.100\.3"\} 13$/m);
  assert.match(text, /^ipvx_ha_sync_entries_dropped_total\{peer="198\.51\.100\.3"\} 2$/m);
  const age = Number(/^ipvx_ha_last_heartbeat_age_seconds\{peer="198\.51\.100\.3"\} (\S+)$/m.exec(text)?.[1]);
  assert.ok(age > 0, `heartbeat age ${age}`);
  assert.match(text, /^ipvx_dataplane_packets_total\{reason="forward_dr"\} 7$/m);

  // Totals follow the node (set per scrape, not added up scrape after scrape).
  st = haStatus({ heartbeatsSent: 50, peer: null, lastHeartbeatAt: null, syncLag: null });
  text = await scrape(m);
  assert.match(text, /^ipvx_ha_heartbeats_sent_total\{peer="198\.51\.100\.3"\} 50$/m);
  assert.match(text, /^ipvx_ha_peer_alive\{peer="198\.51\.100\.3"\} 0$/m);
  assert.doesNotMatch(text, /^ipvx_ha_last_heartbeat_age_seconds\{/m, 'no heartbeat yet: no age');
  assert.doesNotMatch(text, /^ipvx_ha_sync_lag_seconds\{peer="198\.51\.100\.3"\} \S+$/m);

  // HA switched off: the series go away.
  st = undefined;
  text = await scrape(m);
  assert.doesNotMatch(text, /^ipvx_ha_heartbeats_sent_total\{peer="198\.51\.100\.3"\} \S+$/m);
  assert.doesNotMatch(text, /^ipvx_ha_rejected_total\{/m);
});

test('the process\'s own figures are exported: resident memory, open descriptors, event-loop lag', async () => {
  const text = await scrape(metricsRegistry(fakeController('standalone')));
  for (const name of ['process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
    assert.match(text, new RegExp(`^${name} [0-9.e+-]+$`, 'm'), name);
  }
});
