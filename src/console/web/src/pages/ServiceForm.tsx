// Add or edit a virtual service: protocol, VIP and port, scheduler and its flags,
// persistence and netmask, the default forwarding method, the health check of its reals,
// the sorry server and quorum. Reals and dynamic weights are kept as they are.
import { useState } from 'preact/hooks';
import { config } from '../store.js';
import { findService, putService, serviceId } from '../model.js';
import { hostPort, serviceName } from '../format.js';
import { ChangeDialog, useChangeFlow } from '../components/ChangeDialog.js';
import { Field, FormActions, text, type Errors } from '../components/Field.js';
import { compact, num, num0, str } from './formValues.js';
import type { HealthSpec, ServiceSpec } from '../types.js';

const SCHEDULERS = [
  ['rr', 'rr: round robin'], ['wrr', 'wrr: weighted round robin'], ['lc', 'lc: least connections'], ['wlc', 'wlc: weighted least connections'],
  ['sed', 'sed: shortest expected delay'], ['nq', 'nq: never queue'], ['sh', 'sh: source hashing'], ['mh', 'mh: Maglev hashing'],
] as const;
const CHECKS = [['', 'none'], ['tcp', 'TCP connect'], ['http', 'HTTP'], ['https', 'HTTPS'], ['send-expect', 'send / expect'], ['udp', 'UDP']] as const;

type Check = Record<string, string | boolean>;

function checkValues(h: HealthSpec | undefined): Check {
  const c = (h?.check ?? {}) as unknown as Record<string, unknown>;
  const out: Check = {};
  for (const k of ['type', 'port', 'path', 'host', 'statusCodes', 'bodyRegex', 'send', 'expect', 'payload', 'minLength', 'maxLength']) out[k] = str(c[k]);
  out.verifyTls = Boolean(c.verifyTls);
  out.useRegex = Boolean(c.useRegex);
  return out;
}

export function ServiceForm(p: { sid?: string | undefined; onClose: () => void }) {
  const state = config.value!.state;
  const old = p.sid ? findService(state, p.sid) : undefined;
  const [v, setV] = useState({
    protocol: old?.protocol ?? 'tcp', vip: old?.vip ?? '', port: str(old ? old.port : ''), scheduler: old?.scheduler ?? 'wlc',
    flags: [...(old?.flags ?? [])] as string[], persistence: str(old?.persistence || ''), persistenceMask: old?.persistenceMask ?? '',
    method: old?.method ?? 'dr', sorryAddress: old?.sorryServer?.address ?? '', sorryPort: str(old?.sorryServer?.port || ''),
    quorum: str(old?.quorum ?? ''), hysteresis: str(old?.hysteresis ?? ''),
    interval: str(old?.health?.interval ?? ''), timeout: str(old?.health?.timeout ?? ''), rise: str(old?.health?.rise ?? ''),
    fall: str(old?.health?.fall ?? ''), onFailure: old?.health?.onFailure ?? 'quiesce',
  });
  const [check, setCheck] = useState<Check>(checkValues(old?.health));
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const setC = (k: string) => (x: string | boolean) => setCheck({ ...check, [k]: x });
  const flow = useChangeFlow(p.onClose);
  const index = old ? state.services.indexOf(old) : state.services.length;
  // An exec check runs a program as root: the console shows it and keeps it, never edits it.
  const execCheck = old?.health?.check.type === 'exec';

  const health = (): HealthSpec | undefined => {
    if (execCheck) return old!.health;
    const t = check.type as string;
    if (!t) return undefined;
    const c = compact({
      type: t, port: num(check.port as string),
      ...(t === 'http' || t === 'https' ? { path: (check.path as string) || '/', host: check.host, statusCodes: check.statusCodes, bodyRegex: check.bodyRegex } : {}),
      ...(t === 'https' ? { verifyTls: check.verifyTls } : {}),
      ...(t === 'send-expect' ? { send: check.send, expect: check.expect, useRegex: check.useRegex } : {}),
      ...(t === 'udp' ? { payload: check.payload, minLength: num(check.minLength as string), maxLength: num(check.maxLength as string) } : {}),
    });
    return compact({
      ...(old?.health ?? {}), check: c, interval: num(v.interval), timeout: num(v.timeout), rise: num(v.rise), fall: num(v.fall), onFailure: v.onFailure,
    }) as unknown as HealthSpec;
  };

  const make = (base: typeof state) => {
    const svc = {
      ...(old ?? { reals: [] }),
      protocol: v.protocol, vip: v.vip.trim(), port: num0(v.port), scheduler: v.scheduler,
      flags: v.flags.filter((f) => f.startsWith(`${v.scheduler}-`)), persistence: num0(v.persistence), persistenceMask: v.persistenceMask.trim(),
      method: v.method,
    } as unknown as ServiceSpec & Record<string, unknown>;
    const h = health();
    if (h) svc.health = h; else delete svc.health;
    if (v.sorryAddress.trim()) svc.sorryServer = { address: v.sorryAddress.trim(), port: num0(v.sorryPort), method: old?.sorryServer?.method ?? v.method } as never;
    else delete svc.sorryServer;
    for (const k of ['quorum', 'hysteresis'] as const) {
      const x = num(v[k]);
      if (x === undefined) delete svc[k]; else svc[k] = x as never;
    }
    const next = putService(base, svc, p.sid);
    // A service that changed its identity (VIP, port, protocol) must not collide with another.
    if (!p.sid || serviceId(svc) !== p.sid) {
      if (next.services.filter((s) => serviceId(s) === serviceId(svc)).length > 1) throw new Error(`${serviceName({ ...svc, port: svc.port as number })} exists already`);
    }
    return next;
  };

  const t = check.type as string;
  const hasFlags = v.scheduler === 'sh' || v.scheduler === 'mh';
  const title = old ? `Edit ${old.protocol.toUpperCase()} ${hostPort(old.vip, old.port)}` : 'Add a virtual service';
  return (
    <ChangeDialog title={title} flow={flow} prefix={`services[${index}]`} onClose={p.onClose} wide form={(errors: Errors) => (
      <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); void flow.plan(make); }} data-testid="service-form">
        <fieldset>
          <legend>Virtual service</legend>
          <div class="grid">
            <Field label="Protocol" name="protocol" errors={errors}>
              <select {...text('protocol', v.protocol, set('protocol'), errors)} onChange={(e) => set('protocol')((e.target as HTMLSelectElement).value)}>
                <option value="tcp">TCP</option><option value="udp">UDP</option>
              </select>
            </Field>
            <Field label="Virtual IP" name="vip" errors={errors} hint="IPv4 or IPv6">
              <input {...text('vip', v.vip, set('vip'), errors)} autoFocus placeholder="203.0.113.10" spellcheck={false} />
            </Field>
            <Field label="Port" name="port" errors={errors} hint="0 = every port (persistent only)">
              <input {...text('port', v.port, set('port'), errors)} inputMode="numeric" placeholder="80" />
            </Field>
            <Field label="Scheduler" name="scheduler" errors={errors}>
              <select {...text('scheduler', v.scheduler, set('scheduler'), errors)} onChange={(e) => set('scheduler')((e.target as HTMLSelectElement).value)}>
                {SCHEDULERS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
              </select>
            </Field>
            {hasFlags ? (
              <Field label="Scheduler flags" name="flags" errors={errors}>
                <div class="checks">
                  {['fallback', 'port'].map((f) => {
                    const flag = `${v.scheduler}-${f}`;
                    return (
                      <label key={flag} class="check">
                        <input type="checkbox" checked={v.flags.includes(flag)} onChange={(e) => setV({ ...v, flags: (e.target as HTMLInputElement).checked ? [...v.flags, flag] : v.flags.filter((x) => x !== flag) })} />
                        {flag}
                      </label>
                    );
                  })}
                </div>
              </Field>
            ) : null}
            <Field label="Default forwarding" name="method" errors={errors}>
              <select {...text('method', v.method, set('method'), errors)} onChange={(e) => set('method')((e.target as HTMLSelectElement).value)}>
                <option value="dr">DR: direct routing</option><option value="tun">TUN: IP-in-IP tunnel</option><option value="nat">NAT: masquerading</option>
              </select>
            </Field>
            <Field label="Persistence" name="persistence" errors={errors} hint="seconds; empty = not persistent">
              <input {...text('persistence', v.persistence, set('persistence'), errors)} inputMode="numeric" />
            </Field>
            <Field label="Persistence netmask" name="persistenceMask" errors={errors} hint="e.g. 255.255.255.0, or /64 for IPv6">
              <input {...text('persistenceMask', v.persistenceMask, set('persistenceMask'), errors)} spellcheck={false} />
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Health check of the reals</legend>
          {execCheck ? (
            <p class="muted" data-testid="exec-check">Runs <code>{(old!.health!.check as { command: string }).command}</code>. Programs run as root are set in the
              configuration file on the director (<code>ipvx apply -f</code>), not here; the console keeps this check as it is.</p>
          ) : (
            <div class="grid">
              <Field label="Check" name="health.check.type" errors={errors}>
                <select {...text('health.check.type', t, setC('type'), errors)} onChange={(e) => setC('type')((e.target as HTMLSelectElement).value)}>
                  {CHECKS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
                </select>
              </Field>
              {t ? (
                <>
                  <Field label="Check port" name="health.check.port" errors={errors} hint="empty = the real's port">
                    <input {...text('health.check.port', check.port as string, setC('port'), errors)} inputMode="numeric" />
                  </Field>
                  {t === 'http' || t === 'https' ? (
                    <>
                      <Field label="Path" name="health.check.path" errors={errors}><input {...text('health.check.path', check.path as string, setC('path'), errors)} placeholder="/" spellcheck={false} /></Field>
                      <Field label="Host header" name="health.check.host" errors={errors} hint="empty = address:port"><input {...text('health.check.host', check.host as string, setC('host'), errors)} spellcheck={false} /></Field>
                      <Field label="Status codes" name="health.check.statusCodes" errors={errors} hint="default 200-299"><input {...text('health.check.statusCodes', check.statusCodes as string, setC('statusCodes'), errors)} /></Field>
                      <Field label="Body must match" name="health.check.bodyRegex" errors={errors} hint="regular expression; empty = any"><input {...text('health.check.bodyRegex', check.bodyRegex as string, setC('bodyRegex'), errors)} spellcheck={false} /></Field>
                    </>
                  ) : null}
                  {t === 'https' ? (
                    <Field label="Certificate" name="health.check.verifyTls" errors={errors}>
                      <label class="check"><input type="checkbox" checked={Boolean(check.verifyTls)} onChange={(e) => setC('verifyTls')((e.target as HTMLInputElement).checked)} /> verify</label>
                    </Field>
                  ) : null}
                  {t === 'send-expect' ? (
                    <>
                      <Field label="Send" name="health.check.send" errors={errors} hint="escapes \r \n \t"><input {...text('health.check.send', check.send as string, setC('send'), errors)} spellcheck={false} /></Field>
                      <Field label="Expect" name="health.check.expect" errors={errors}><input {...text('health.check.expect', check.expect as string, setC('expect'), errors)} spellcheck={false} /></Field>
                      <Field label="Expect is" name="health.check.useRegex" errors={errors}>
                        <label class="check"><input type="checkbox" checked={Boolean(check.useRegex)} onChange={(e) => setC('useRegex')((e.target as HTMLInputElement).checked)} /> a regular expression</label>
                      </Field>
                    </>
                  ) : null}
                  {t === 'udp' ? (
                    <>
                      <Field label="Payload" name="health.check.payload" errors={errors}><input {...text('health.check.payload', check.payload as string, setC('payload'), errors)} spellcheck={false} /></Field>
                      <Field label="Reply min bytes" name="health.check.minLength" errors={errors}><input {...text('health.check.minLength', check.minLength as string, setC('minLength'), errors)} inputMode="numeric" /></Field>
                      <Field label="Reply max bytes" name="health.check.maxLength" errors={errors}><input {...text('health.check.maxLength', check.maxLength as string, setC('maxLength'), errors)} inputMode="numeric" /></Field>
                    </>
                  ) : null}
                  <Field label="Interval" name="health.interval" errors={errors} hint="seconds (default 6)"><input {...text('health.interval', v.interval, set('interval'), errors)} inputMode="decimal" /></Field>
                  <Field label="Timeout" name="health.timeout" errors={errors} hint="seconds (default 3)"><input {...text('health.timeout', v.timeout, set('timeout'), errors)} inputMode="decimal" /></Field>
                  <Field label="Fall" name="health.fall" errors={errors} hint="failures to go down (default 1)"><input {...text('health.fall', v.fall, set('fall'), errors)} inputMode="numeric" /></Field>
                  <Field label="Rise" name="health.rise" errors={errors} hint="successes to come up (default 1)"><input {...text('health.rise', v.rise, set('rise'), errors)} inputMode="numeric" /></Field>
                  <Field label="When down" name="health.onFailure" errors={errors}>
                    <select {...text('health.onFailure', v.onFailure, set('onFailure'), errors)} onChange={(e) => set('onFailure')((e.target as HTMLSelectElement).value)}>
                      <option value="quiesce">quiesce: weight 0</option><option value="remove">remove the real</option>
                    </select>
                  </Field>
                </>
              ) : null}
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>When reals are down</legend>
          <div class="grid">
            <Field label="Sorry server" name="sorryServer.address" errors={errors} hint="used while no real is up"><input {...text('sorryServer.address', v.sorryAddress, set('sorryAddress'), errors)} spellcheck={false} /></Field>
            <Field label="Sorry server port" name="sorryServer.port" errors={errors}><input {...text('sorryServer.port', v.sorryPort, set('sorryPort'), errors)} inputMode="numeric" /></Field>
            <Field label="Quorum" name="quorum" errors={errors} hint="up weight needed; empty = none"><input {...text('quorum', v.quorum, set('quorum'), errors)} inputMode="numeric" /></Field>
            <Field label="Hysteresis" name="hysteresis" errors={errors}><input {...text('hysteresis', v.hysteresis, set('hysteresis'), errors)} inputMode="numeric" /></Field>
          </div>
        </fieldset>
        {old?.load ? <p class="muted small">Dynamic weights from {old.load.type === 'agent' ? `a load agent on port ${old.load.port}` : 'a load command'}: kept as they are.</p> : null}
        <FormActions onCancel={p.onClose} />
      </form>
    )} />
  );
}
