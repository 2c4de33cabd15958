// Director-wide settings: high availability (piranha's primary/backup), BGP scale-out,
// the firewall-mark rules that feed fwmark services, and the connection timeouts. Secrets are never shown: "(unchanged)" keeps them.
import { useState } from 'preact/hooks';
import { config } from '../store.js';
import { ChangeDialog, useChangeFlow } from '../components/ChangeDialog.js';
import { Field, FormActions, RowsEditor, text, type Errors } from '../components/Field.js';
import { num, num0, str } from './formValues.js';
import type { BgpSpec, DesiredState, HaSpec, MarkRule } from '../types.js';

/** What the server sends in place of a secret (src/console/guard.ts MASK). */
const MASK = '(unchanged)';

function Section(p: { title: string; summary: string; children: preact.ComponentChildren; onEdit: () => void; testid: string }) {
  return (
    <section class="card" data-testid={p.testid}>
      <div class="section-head"><h2>{p.title}</h2><span class="spacer" /><button type="button" onClick={p.onEdit}>Edit</button></div>
      <p class="muted">{p.summary}</p>
      {p.children}
    </section>
  );
}

export function SettingsPage() {
  const state = config.value!.state;
  const [open, setOpen] = useState<'ha' | 'bgp' | 'marks' | 'timeouts' | null>(null);
  const close = () => setOpen(null);
  const ha = state.ha;
  const bgp = state.bgp;
  const marks = state.marks ?? [];
  return (
    <section class="page">
      <div class="page-head"><h1>Settings</h1></div>
      <div class="cards">
        <Section title="High availability" testid="ha-settings" onEdit={() => setOpen('ha')}
          summary={ha?.enabled ? `On: heartbeats to ${ha.peerAddress} every ${ha.keepalive} s, peer dead after ${ha.deadtime} s.` : 'Off: this director runs alone.'}>
          {ha ? (
            <dl class="facts">
              <dt>Local / peer</dt><dd>{ha.localAddress || '-'} / {ha.peerAddress || '-'} (UDP {ha.port})</dd>
              <dt>Priority</dt><dd>{ha.priority}{ha.preempt ? `, takes over when higher (after ${ha.preemptDelay} s)` : ', does not preempt'}</dd>
              <dt>VIPs</dt><dd>{ha.vips.map((v) => `${v.address}/${v.prefixLength} on ${v.interface}`).join(', ') || 'none'}</dd>
              <dt>Key</dt><dd>{ha.key ? 'set (not shown)' : <span class="error">not set</span>}</dd>
            </dl>
          ) : null}
        </Section>
        <Section title="BGP" testid="bgp-settings" onEdit={() => setOpen('bgp')}
          summary={bgp?.enabled ? `On: AS ${bgp.localAs}, ${bgp.peers.length} peer${bgp.peers.length === 1 ? '' : 's'}; healthy VIPs are announced through BIRD.` : 'Off: VIPs are not announced.'}>
          {bgp ? (
            <dl class="facts">
              <dt>Peers</dt><dd>{bgp.peers.map((p) => `${p.address} AS ${p.as}${p.password ? ' (password)' : ''}`).join(', ') || 'none'}</dd>
              <dt>Router id / next hop</dt><dd>{bgp.routerId || 'BIRD picks'} / {bgp.nextHop || 'self'}</dd>
              <dt>Timers</dt><dd>hold {bgp.holdTime} s, connect retry {bgp.connectRetry} s</dd>
              <dt>BIRD</dt><dd><code>{bgp.birdConfig}</code>, <code>{bgp.birdSocket}</code></dd>
            </dl>
          ) : null}
        </Section>
        <Section title="Firewall-mark rules" testid="mark-settings" onEdit={() => setOpen('marks')}
          summary={marks.length ? `${marks.length} rule${marks.length === 1 ? '' : 's'}: traffic they match goes to the fwmark service of its mark (ipvx mark).` : 'None: fwmark services get no traffic until a rule marks it.'}>
          {marks.length ? (
            <table class="plain" data-testid="mark-rules">
              <thead><tr><th>Mark</th><th>Destination</th><th>Protocol</th><th>Ports</th></tr></thead>
              <tbody>{marks.map((m, i) => <tr key={i}><td>{m.mark}</td><td>{m.destination}</td><td>{m.protocol}</td><td>{m.ports || 'all'}</td></tr>)}</tbody>
            </table>
          ) : null}
        </Section>
        <Section title="Connection timeouts" testid="timeouts-settings" onEdit={() => setOpen('timeouts')}
          summary={`TCP ${state.timeouts.tcp} s, TCP after FIN ${state.timeouts.tcpFin} s, UDP ${state.timeouts.udp} s (ipvsadm --set).`}>{null}</Section>
      </div>
      {open === 'ha' ? <HaForm state={state} onClose={close} /> : null}
      {open === 'bgp' ? <BgpForm state={state} onClose={close} /> : null}
      {open === 'marks' ? <MarksForm state={state} onClose={close} /> : null}
      {open === 'timeouts' ? <TimeoutsForm state={state} onClose={close} /> : null}
    </section>
  );
}

function HaForm(p: { state: DesiredState; onClose: () => void }) {
  const h = p.state.ha;
  const [v, setV] = useState({
    enabled: h?.enabled ?? false, localAddress: h?.localAddress ?? '', peerAddress: h?.peerAddress ?? '', port: str(h?.port ?? 539),
    keepalive: str(h?.keepalive ?? 2), deadtime: str(h?.deadtime ?? 6), priority: str(h?.priority ?? 100), preempt: h?.preempt ?? true,
    preemptDelay: str(h?.preemptDelay ?? 0), key: h?.key ?? '',
  });
  const [vips, setVips] = useState((h?.vips ?? []).map((x) => ({ address: x.address, prefixLength: str(x.prefixLength), interface: x.interface })));
  const set = (k: keyof typeof v) => (x: string | boolean) => setV({ ...v, [k]: x });
  const flow = useChangeFlow(p.onClose);
  const make = (base: DesiredState): DesiredState => ({
    ...base,
    ha: {
      enabled: v.enabled, localAddress: v.localAddress.trim(), peerAddress: v.peerAddress.trim(), port: num0(v.port), keepalive: num(v.keepalive) ?? 2,
      deadtime: num(v.deadtime) ?? 6, priority: num0(v.priority), preempt: v.preempt, preemptDelay: num0(v.preemptDelay), key: v.key,
      vips: vips.map((x) => ({ address: x.address.trim(), prefixLength: num0(x.prefixLength), interface: x.interface.trim() })),
    } as unknown as HaSpec,
  });
  return (
    <ChangeDialog title="High availability" flow={flow} prefix="ha" onClose={p.onClose} wide form={(errors: Errors) => (
      <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); void flow.plan(make); }}>
        <label class="check"><input type="checkbox" checked={v.enabled} onChange={(e) => set('enabled')((e.target as HTMLInputElement).checked)} /> Enabled</label>
        <div class="grid">
          <Field label="Local address" name="localAddress" errors={errors} hint="this director's heartbeat address"><input {...text('localAddress', v.localAddress, set('localAddress'), errors)} spellcheck={false} /></Field>
          <Field label="Peer address" name="peerAddress" errors={errors}><input {...text('peerAddress', v.peerAddress, set('peerAddress'), errors)} spellcheck={false} /></Field>
          <Field label="UDP port" name="port" errors={errors}><input {...text('port', v.port, set('port'), errors)} inputMode="numeric" /></Field>
          <Field label="Keepalive" name="keepalive" errors={errors} hint="seconds between heartbeats"><input {...text('keepalive', v.keepalive, set('keepalive'), errors)} inputMode="decimal" /></Field>
          <Field label="Deadtime" name="deadtime" errors={errors} hint="seconds of silence before taking over"><input {...text('deadtime', v.deadtime, set('deadtime'), errors)} inputMode="decimal" /></Field>
          <Field label="Priority" name="priority" errors={errors}><input {...text('priority', v.priority, set('priority'), errors)} inputMode="numeric" /></Field>
          <Field label="Preempt" name="preempt" errors={errors}><label class="check"><input type="checkbox" checked={v.preempt} onChange={(e) => set('preempt')((e.target as HTMLInputElement).checked)} /> take over when our priority is higher</label></Field>
          <Field label="Preempt delay" name="preemptDelay" errors={errors} hint="seconds"><input {...text('preemptDelay', v.preemptDelay, set('preemptDelay'), errors)} inputMode="decimal" /></Field>
          <Field label="Shared key" name="key" errors={errors} hint={v.key === MASK ? 'set; type a new one to change it' : 'HMAC-SHA256 key of the heartbeats'}>
            <input {...text('key', v.key, set('key'), errors)} type="password" autoComplete="new-password" onFocus={(e) => { if (v.key === MASK) (e.target as HTMLInputElement).select(); }} />
          </Field>
        </div>
        <fieldset>
          <legend>VIPs the active director holds</legend>
          <RowsEditor label="VIP" prefix="vips" errors={errors} rows={vips} onChange={setVips} add="Add VIP" blank={{ address: '', prefixLength: '24', interface: '' }}
            columns={[{ key: 'address', label: 'Address' }, { key: 'prefixLength', label: 'Prefix' }, { key: 'interface', label: 'Interface' }]} />
        </fieldset>
        <FormActions onCancel={p.onClose} />
      </form>
    )} />
  );
}

function MarksForm(p: { state: DesiredState; onClose: () => void }) {
  const [rows, setRows] = useState<Record<'mark' | 'destination' | 'protocol' | 'ports', string>[]>((p.state.marks ?? []).map((m) => ({ mark: str(m.mark), destination: m.destination, protocol: m.protocol, ports: m.ports })));
  const flow = useChangeFlow(p.onClose);
  const make = (base: DesiredState): DesiredState => {
    const marks = rows.map((x) => ({ mark: num0(x.mark), destination: x.destination.trim(), protocol: x.protocol.trim(), ports: x.ports.trim() }) as unknown as MarkRule);
    const { marks: _old, ...rest } = base;
    return marks.length ? { ...rest, marks } : rest;
  };
  return (
    <ChangeDialog title="Firewall-mark rules" flow={flow} prefix="marks" onClose={p.onClose} wide form={(errors: Errors) => (
      <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); void flow.plan(make); }} data-testid="marks-form">
        <p class="muted small">Traffic to a destination (address or prefix), protocol and ports gets the mark; a fwmark service with that mark balances it. Ports: 80, 80,443 or 8000-8100; empty = all.</p>
        <RowsEditor label="Rule" prefix="" errors={errors} rows={rows} onChange={setRows} add="Add rule" blank={{ mark: '', destination: '', protocol: 'tcp', ports: '' }}
          columns={[{ key: 'mark', label: 'Mark' }, { key: 'destination', label: 'Destination' }, { key: 'protocol', label: 'Protocol' }, { key: 'ports', label: 'Ports' }]} />
        <FormActions onCancel={p.onClose} />
      </form>
    )} />
  );
}

function BgpForm(p: { state: DesiredState; onClose: () => void }) {
  const b = p.state.bgp;
  const [v, setV] = useState({
    enabled: b?.enabled ?? false, localAs: str(b?.localAs ?? ''), routerId: b?.routerId ?? '', nextHop: b?.nextHop ?? '',
    holdTime: str(b?.holdTime ?? 9), connectRetry: str(b?.connectRetry ?? 5),
  });
  const [peers, setPeers] = useState((b?.peers ?? []).map((x) => ({ address: x.address, as: str(x.as), port: str(x.port || ''), password: x.password })));
  const set = (k: keyof typeof v) => (x: string | boolean) => setV({ ...v, [k]: x });
  const flow = useChangeFlow(p.onClose);
  const make = (base: DesiredState): DesiredState => ({
    ...base,
    bgp: {
      ...(base.bgp ?? {}), enabled: v.enabled, localAs: num0(v.localAs), routerId: v.routerId.trim(), nextHop: v.nextHop.trim(),
      holdTime: num(v.holdTime) ?? 9, connectRetry: num(v.connectRetry) ?? 5,
      peers: peers.map((x) => ({ address: x.address.trim(), as: num0(x.as), port: num0(x.port), password: x.password })),
    } as unknown as BgpSpec,
  });
  return (
    <ChangeDialog title="BGP" flow={flow} prefix="bgp" onClose={p.onClose} wide form={(errors: Errors) => (
      <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); void flow.plan(make); }}>
        <label class="check"><input type="checkbox" checked={v.enabled} onChange={(e) => set('enabled')((e.target as HTMLInputElement).checked)} /> Enabled: announce healthy VIPs</label>
        <div class="grid">
          <Field label="Local AS" name="localAs" errors={errors}><input {...text('localAs', v.localAs, set('localAs'), errors)} inputMode="numeric" /></Field>
          <Field label="Router id" name="routerId" errors={errors} hint="IPv4; empty = BIRD picks"><input {...text('routerId', v.routerId, set('routerId'), errors)} /></Field>
          <Field label="Next hop" name="nextHop" errors={errors} hint="empty = self"><input {...text('nextHop', v.nextHop, set('nextHop'), errors)} /></Field>
          <Field label="Hold time" name="holdTime" errors={errors} hint="seconds"><input {...text('holdTime', v.holdTime, set('holdTime'), errors)} inputMode="numeric" /></Field>
          <Field label="Connect retry" name="connectRetry" errors={errors} hint="seconds"><input {...text('connectRetry', v.connectRetry, set('connectRetry'), errors)} inputMode="numeric" /></Field>
        </div>
        <fieldset>
          <legend>Peers</legend>
          <RowsEditor label="peer" prefix="peers" errors={errors} rows={peers} onChange={setPeers} add="Add peer" blank={{ address: '', as: '', port: '', password: '' }}
            columns={[{ key: 'address', label: 'Address' }, { key: 'as', label: 'AS' }, { key: 'port', label: 'Port' }, { key: 'password', label: 'TCP-MD5 password', secret: true }]} />
        </fieldset>
        <p class="muted small">BIRD's files ({b?.birdConfig ?? '/etc/bird/bird.conf'}, {b?.birdSocket ?? '/run/bird/bird.ctl'}) are set in the configuration file on the director.</p>
        <FormActions onCancel={p.onClose} />
      </form>
    )} />
  );
}

function TimeoutsForm(p: { state: DesiredState; onClose: () => void }) {
  const t = p.state.timeouts;
  const [v, setV] = useState({ tcp: str(t.tcp), tcpFin: str(t.tcpFin), udp: str(t.udp) });
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const flow = useChangeFlow(p.onClose);
  const make = (base: DesiredState): DesiredState => ({ ...base, timeouts: { tcp: num0(v.tcp), tcpFin: num0(v.tcpFin), udp: num0(v.udp) } as never });
  return (
    <ChangeDialog title="Connection timeouts" flow={flow} prefix="timeouts" onClose={p.onClose} form={(errors: Errors) => (
      <form class="form" noValidate onSubmit={(e) => { e.preventDefault(); void flow.plan(make); }}>
        <div class="grid">
          <Field label="TCP" name="tcp" errors={errors} hint="seconds (IPVS default 900)"><input {...text('tcp', v.tcp, set('tcp'), errors)} inputMode="numeric" autoFocus /></Field>
          <Field label="TCP after FIN" name="tcpFin" errors={errors} hint="seconds (120)"><input {...text('tcpFin', v.tcpFin, set('tcpFin'), errors)} inputMode="numeric" /></Field>
          <Field label="UDP" name="udp" errors={errors} hint="seconds (300)"><input {...text('udp', v.udp, set('udp'), errors)} inputMode="numeric" /></Field>
        </div>
        <FormActions onCancel={p.onClose} />
      </form>
    )} />
  );
}
