// Add or edit a real server: address, port, forwarding method (and a TUN real's
// encapsulation: IPIP, GUE or GRE, as ipvsadm 1.31's --tun-type), weight, thresholds.
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
    tunType: old?.tunType ?? 'ipip', tunPort: str(old?.tunPort ?? ''), tunChecksum: old?.tunChecksum ?? 'nocsum',
  });
  const tun = (v.method || svc.method) === 'tun';
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const flow = useChangeFlow(p.onClose);
  const si = state.services.findIndex((s) => s === svc);
  const ri = old ? svc.reals.indexOf(old) : svc.reals.length;
  const make = (base: typeof state) => {
    const { tunType: _t, tunPort: _p, tunChecksum: _c, ...kept } = old ?? ({} as Partial<RealSpec>);
    // A tunnel's fields only for a TUN real, and only those its type has (ipvsadm refuses the others).
    const tunnel = !tun || v.tunType === 'ipip' ? {}
      : { tunType: v.tunType, ...(v.tunType === 'gue' ? { tunPort: num0(v.tunPort) } : {}), ...(v.tunChecksum !== 'nocsum' ? { tunChecksum: v.tunChecksum } : {}) };
    const real = {
      ...kept,
      address: v.address.trim(), port: num0(v.port), method: v.method || svc.method, weight: num(v.weight) ?? 1,
      upperThreshold: num0(v.upperThreshold), lowerThreshold: num0(v.lowerThreshold), ...tunnel,
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
          {tun ? (
            <>
              <Field label="Tunnel" name="tunType" errors={errors} hint="the real must decapsulate it (ipvx realserver setup --tun-type)">
                <select {...text('tunType', v.tunType, set('tunType'), errors)} onChange={(e) => set('tunType')((e.target as HTMLSelectElement).value)}>
                  <option value="ipip">IPIP (IP-in-IP)</option>
                  <option value="gue">GUE (UDP)</option>
                  <option value="gre">GRE</option>
                </select>
              </Field>
              {v.tunType === 'gue' ? (
                <Field label="GUE port" name="tunPort" errors={errors} hint="the UDP port the real decapsulates on">
                  <input {...text('tunPort', v.tunPort, set('tunPort'), errors)} inputMode="numeric" />
                </Field>
              ) : null}
              {v.tunType !== 'ipip' ? (
                <Field label="Tunnel checksum" name="tunChecksum" errors={errors}>
                  <select {...text('tunChecksum', v.tunChecksum, set('tunChecksum'), errors)} onChange={(e) => set('tunChecksum')((e.target as HTMLSelectElement).value)}>
                    <option value="nocsum">none (--tun-nocsum)</option>
                    <option value="csum">checksum (--tun-csum)</option>
                    {v.tunType === 'gue' ? <option value="remcsum">remote checksum offload (--tun-remcsum)</option> : null}
                  </select>
                </Field>
              ) : null}
            </>
          ) : null}
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
