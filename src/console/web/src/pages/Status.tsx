// The director as a whole: the daemon, HA (role, peer, heartbeats, sync), BGP (sessions,
// announced VIPs) and every drop/pass reason of the data plane.
import { config, frame, host } from '../store.js';
import { count, duration, rate } from '../format.js';

function Card(p: { title: string; children: preact.ComponentChildren; testid?: string }) {
  return <section class="card" data-testid={p.testid}><h2>{p.title}</h2>{p.children}</section>;
}

/** What the data plane did with a packet, from its counter's name (bpf/include/consts.h enum ipvx_reason). */
const GROUPS = [['fwd', 'forwarded'], ['drop', 'dropped'], ['pass', 'passed to the kernel'], ['icmp', 'answered with ICMP'], ['flow', 'flow table'], ['persist', 'flow table']] as const;
const groupOf = (k: string) => GROUPS.find(([p]) => k.startsWith(`${p}_`))?.[1] ?? 'other';
const order = (k: string) => { const i = GROUPS.findIndex(([p]) => k.startsWith(`${p}_`)); return i < 0 ? GROUPS.length : i; };
/** "drop_no_real" -> "no real". */
const words = (k: string) => k.replace(/^(fwd|drop|pass|icmp|flow)_/, '').replace(/_/g, ' ');

export function StatusPage() {
  const f = frame.value;
  if (!f) return <section class="page"><h1>Status</h1><p class="muted">Waiting for the daemon…</p></section>;
  const s = f.status;
  const ha = s.ha;
  const bgp = s.bgp;
  const counters = Object.entries(s.globalCounters).sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
  const age = ha ? Number(ha.lastHeartbeatAgeMs) : -1;
  const lag = ha ? Number(ha.syncLagMs) : -1;
  const started = Date.parse(s.startedAt);
  return (
    <section class="page">
      <div class="page-head"><h1>Status</h1><span class="muted">as of {new Date(f.at).toLocaleTimeString('en-GB')}</span></div>
      <div class="cards">
        <Card title="Daemon" testid="daemon-card">
          <dl class="facts">
            <dt>Director</dt><dd>{host.value} (netns {s.netns})</dd>
            <dt>Version</dt><dd>ipvx {s.version}, pid {s.pid}</dd>
            <dt>Running for</dt><dd title={s.startedAt}>{Number.isFinite(started) ? duration(Date.now() - started) : '-'}{s.adopted ? ' (adopted a running data plane)' : ''}</dd>
            <dt>Interfaces</dt><dd>{s.interfaces.join(' ') || '-'}</dd>
            <dt>Configured</dt><dd>{s.services} services, {s.reals} reals</dd>
          </dl>
        </Card>
        <Card title="High availability" testid="ha-card">
          {ha ? (
            <dl class="facts">
              <dt>Role</dt><dd><span class={`role role-${ha.role}`}>{ha.role}</span> (priority {ha.priority})</dd>
              <dt>Peer</dt><dd>{ha.peer || config.value?.state.ha?.peerAddress} {ha.peerRole ? <>— {ha.peerRole}, priority {ha.peerPriority}, <span class={ha.peerAlive ? 'ok' : 'error'}>{ha.peerAlive ? 'alive' : 'silent'}</span></> : <span class="error">never heard</span>}</dd>
              <dt>Last heartbeat</dt><dd data-testid="heartbeat-age">{age >= 0 ? `${(age / 1000).toFixed(1)} s ago` : 'never'}</dd>
              <dt>Sync lag</dt><dd>{lag >= 0 ? `${lag} ms` : '-'}</dd>
              <dt>Heartbeats</dt><dd>sent {count(ha.heartbeatsSent)}, accepted {count(ha.heartbeatsAccepted)}, rejected {count(Object.values(ha.rejected).reduce((n, x) => n + Number(x), 0))}
                {Object.entries(ha.rejected).filter(([, n]) => n !== '0').map(([k, n]) => <span key={k} class="muted"> · {k} {n}</span>)}</dd>
              <dt>Connection sync</dt><dd>sent {count(ha.syncEntriesSent)}, received {count(ha.syncEntriesReceived)}{ha.syncDropped !== '0' ? <span class="error">, dropped {count(ha.syncDropped)}</span> : null}</dd>
            </dl>
          ) : <p class="muted">Not configured: this director runs {s.role || 'standalone'}. <a href="/settings">Settings</a></p>}
        </Card>
        <Card title="BGP" testid="bgp-card">
          {bgp ? (
            <>
              <table class="plain">
                <thead><tr><th>Peer</th><th>State</th><th>Since</th><th>Info</th></tr></thead>
                <tbody>
                  {bgp.sessions.map((x) => <tr key={x.name}><td>{x.peer}</td><td class={x.state === 'Established' ? 'ok' : 'error'}>{x.state}</td><td>{x.since}</td><td>{x.info !== x.state ? x.info : ''}</td></tr>)}
                  {!bgp.sessions.length ? <tr><td colSpan={4} class="muted">no sessions</td></tr> : null}
                </tbody>
              </table>
              <dl class="facts">
                <dt>Announced</dt><dd>{bgp.announced.join(' ') || 'nothing'}</dd>
                {bgp.wanted.join(' ') !== bgp.announced.join(' ') ? <><dt>Wanted</dt><dd>{bgp.wanted.join(' ') || 'nothing'}</dd></> : null}
                {bgp.withdrawnReason ? <><dt>Withdrawn</dt><dd class="error">{bgp.withdrawnReason}</dd></> : null}
                {bgp.error ? <><dt>Error</dt><dd class="error">{bgp.error}</dd></> : null}
              </dl>
            </>
          ) : <p class="muted">Not enabled. <a href="/settings">Settings</a></p>}
        </Card>
      </div>
      <h2>Data plane: what happened to packets</h2>
      <div class="table-wrap narrow">
        <table class="plain counters" data-testid="dataplane-counters">
          <thead><tr><th>Outcome</th><th>Reason</th><th class="num">Total</th><th class="num">Per second</th></tr></thead>
          <tbody>
            {counters.map(([k, v]) => (
              <tr key={k} class={k.startsWith('drop_') && (f.globalRates[k] ?? 0) > 0 ? 'warn' : ''} data-counter={k}>
                <td>{groupOf(k)}</td><td title={k}>{words(k)}</td><td class="num">{count(v)}</td><td class="num">{rate(f.globalRates[k])}</td>
              </tr>
            ))}
            {!counters.length ? <tr><td colSpan={4} class="muted">The data plane reports no counters.</td></tr> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
