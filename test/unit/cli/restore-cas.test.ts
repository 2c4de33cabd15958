// ipvx -R is a read-modify-write of the whole configuration: it must never overwrite a
// change another client made between its read and its write (compare-and-swap on the
// configuration's serial, retried on the new state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { restoreRules, RESTORE_ATTEMPTS, type ConfigClient } from '../../../src/cli/restore-rules.js';
import { parseRestoreInput } from '../../../src/ipvsadm/index.js';
import { IpvxError } from '../../../src/api/client.js';
import { stateToPlain } from '../../../src/config/schema.js';
import { emptyState, type DesiredState, type ServiceSpec } from '../../../src/core/model.js';

const service = (vip: string): ServiceSpec => ({
  vip, port: 80, protocol: 'tcp', scheduler: 'wlc', flags: [], persistence: 0, persistenceMask: '', method: 'dr', reals: [],
});

/** A daemon's ApplyConfig/GetConfig with a serial; `meanwhile` runs once, between -R's first read and its write. */
function fakeDaemon(meanwhile: (s: DesiredState) => DesiredState, times = 1) {
  let state: DesiredState = { ...emptyState(), services: [service('203.0.113.1')] };
  let serial = 1;
  let reads = 0, pending = 0;
  const applied: (string | undefined)[] = [];
  const client = {
    async getConfig() {
      reads++;
      if (reads <= times) pending++;
      return { ...(stateToPlain(state) as object), serial: String(serial) };
    },
    async applyConfig(next: DesiredState, _dry = false, expected?: number | string) {
      applied.push(expected === undefined ? undefined : String(expected));
      if (pending) { pending--; state = meanwhile(state); serial++; } // another client got in first
      if (expected !== undefined && String(expected) !== String(serial)) throw new IpvxError(grpc.status.ABORTED, 'expected_serial: the configuration changed');
      state = next;
      serial++;
      return { changes: [], applied: true, changesOmitted: 0, serial: String(serial) };
    },
  } as unknown as ConfigClient;
  return { client, state: () => state, applied, reads: () => reads };
}

const RULES = '-A -t 198.51.100.1:80 -s rr\n-a -t 198.51.100.1:80 -r 192.0.2.11:80 -g -w 1\n';
const vips = (s: DesiredState) => s.services.map((x) => x.vip).sort();

test('-R whose read was overtaken by another client applies its lines again to the new state: both changes stay', async () => {
  const cmds = parseRestoreInput(RULES);
  assert.ok(cmds.ok);
  const d = fakeDaemon((s) => ({ ...s, services: [...s.services, service('203.0.113.2')] }));
  assert.deepEqual(await restoreRules(d.client, cmds.value), { ok: true });
  assert.deepEqual(vips(d.state()), ['198.51.100.1', '203.0.113.1', '203.0.113.2']);
  assert.equal(d.reads(), 2);
  assert.deepEqual(d.applied, ['1', '2']); // each write names the serial it read
});

test('-R gives up with the conflict after repeated overtaking, and has changed nothing', async () => {
  const cmds = parseRestoreInput(RULES);
  assert.ok(cmds.ok);
  const d = fakeDaemon((s) => ({ ...s, services: [...s.services, service(`203.0.113.${s.services.length + 1}`)] }), 100);
  await assert.rejects(restoreRules(d.client, cmds.value), (e: Error) => e instanceof IpvxError && e.isConflict);
  assert.ok(!vips(d.state()).includes('198.51.100.1'));
  assert.equal(d.applied.length, RESTORE_ATTEMPTS);
});
