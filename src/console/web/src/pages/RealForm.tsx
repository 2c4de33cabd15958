// Add or edit a real server: address, port, forwarding method, weight, thresholds.
import { useState } from 'preact/hooks';
import { config } from '../store.js';
import { findService, putReal, realId } from '../model.js';
import { hostPort, serviceName } from '../format.js';
import { ChangeDialog, useChangeFlow } from '../components/ChangeDialog.js';
import { Field, FormActions, text } from '../components/Field.js';
import { num, num0, str } from './formValues.js';
import type { RealSpec } from '../types.js';

export function RealForm(p: { sid: string; rid?: string | undefined; onClose: () => void }) {
  const state = config.value!.state;
  const svc = findService(state, p.sid)!;
  const old = p.rid ? svc.reals.find((r) => realId(r) === p.rid) : undefined;
  const [v, setV] = useState({
    address: old?.address ?? '', port: str(old ? old.port : ''), method: old?.method ?? '',
    weight: str(old?.weight ?? 1), upperThreshold: str(old?.upperThreshold || ''), lowerThreshold: str(old?.lowerThreshold || ''),
  });
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const flow = useChangeFlow(p.onClose);
  const si = state.services.findIndex((s) => s === svc);
  const ri = old ? svc.reals.indexOf(old) : svc.reals.length;
  const make = (base: typeof state) => {
    const real = {
      ...(old ?? {}),
      address: v.address.trim(), port: num0(v.port), method: v.method || svc.method, weight: num(v.weight) ?? 1,
      upperThreshold: num0(v.upperThreshold), lowerThreshold: num0(v.lowerThreshold),
    } as unknown as RealSpec;
    return putReal(base, p.sid, real, p.rid);
  };
  const title = old ? `Edit real ${hostPort(old.address, old.port || svc.port)}` : `Add a real to ${serviceName(svc)}`;
  return (
    <ChangeDialog title={title} flow={flow} prefix={`services[${si}].reals[${ri}]`} onClose={p.onClose} form={(errors) => (
      <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); void flow.plan(make); }} data-testid="real-form">
        <div class="grid">
          <Field label="Address" name="address" errors={errors} hint="IPv4 or IPv6">
            <input {...text('address', v.address, set('address'), errors)} autoFocus={!old} placeholder="198.51.100.1" spellcheck={false} />
          </Field>
          <Field label="Port" name="port" errors={errors} hint={`empty = the service's (${svc.port})`}>
            <input {...text('port', v.port, set('port'), errors)} inputMode="numeric" />
          </Field>
          <Field label="Forwarding" name="method" errors={errors}>
            <select {...text('method', v.method, set('method'), errors)} onChange={(e) => set('method')((e.target as HTMLSelectElement).value)}>
              <option value="">the service's ({svc.method.toUpperCase()})</option>
              <option value="dr">DR: direct routing (-g)</option>
              <option value="tun">TUN: IP-in-IP tunnel (-i)</option>
              <option value="nat">NAT: masquerading (-m)</option>
            </select>
          </Field>
          <Field label="Weight" name="weight" errors={errors} hint="0 = drained (no new connections)">
            <input {...text('weight', v.weight, set('weight'), errors)} inputMode="numeric" autoFocus={!!old} />
          </Field>
          <Field label="Upper threshold" name="upperThreshold" errors={errors} hint="connections; empty = no limit">
            <input {...text('upperThreshold', v.upperThreshold, set('upperThreshold'), errors)} inputMode="numeric" />
          </Field>
          <Field label="Lower threshold" name="lowerThreshold" errors={errors} hint="connections; empty = none">
            <input {...text('lowerThreshold', v.lowerThreshold, set('lowerThreshold'), errors)} inputMode="numeric" />
          </Field>
        </div>
        {old?.health ? <p class="muted small">This real has a health check of its own ({old.health.check.type}); it is kept as it is.</p> : null}
        <FormActions onCancel={p.onClose} />
      </form>
    )} />
  );
}
