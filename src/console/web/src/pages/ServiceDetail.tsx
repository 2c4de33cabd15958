// One virtual service: its rates over the last minutes, its reals, its settings.
import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api } from '../api.js';
import { config, cps, frame, stats } from '../store.js';
import { findService, serviceId } from '../model.js';
import { hostPort, rate, serviceName, METHOD_LABEL } from '../format.js';
import { RateChart } from '../components/Charts.js';
import { ServiceTable, type View } from './ServiceTable.js';
import { useActions } from './useActions.js';
import type { RateKey, ServiceHistory, ServiceSpec } from '../types.js';

const COLORS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];

function describeHealth(s: ServiceSpec): string {
  const h = s.health;
  if (!h) return 'none: reals count as up';
  const c = h.check as unknown as Record<string, unknown>;
  const what = c.type === 'http' || c.type === 'https' ? `${String(c.type).toUpperCase()} GET ${String(c.path ?? '/')}${c.port ? ` on port ${String(c.port)}` : ''}`
    : c.type === 'tcp' ? `TCP connect${c.port ? ` to port ${String(c.port)}` : ''}`
    : c.type === 'send-expect' ? `send/expect${c.port ? ` on port ${String(c.port)}` : ''}`
    : c.type === 'udp' ? `UDP${c.port ? ` to port ${String(c.port)}` : ''}` : `exec ${String(c.command ?? '')}`;
  return `${what}, every ${h.interval} s, timeout ${h.timeout} s, down after ${h.fall} failure${h.fall === 1 ? '' : 's'}, up after ${h.rise} success${h.rise === 1 ? '' : 'es'}, then ${h.onFailure}`;
}

export function ServicePage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const sid = `${params.protocol}|${decodeURIComponent(params.vip ?? '')}|${params.port}`;
  const svc = findService(config.value!.state, sid);
  const [hist, setHist] = useState<ServiceHistory | null>(null);
  const [view, setView] = useState<View>('rates');
  const { actions, dialogs } = useActions(() => route('/services'));
  useEffect(() => {
    let gone = false;
    void api<ServiceHistory>('GET', `/api/history?service=${encodeURIComponent(sid)}`).then((h) => { if (!gone) setHist(h); }, () => undefined);
    return () => { gone = true; };
  }, [sid]);
  // Each poll adds a point to every line.
  const f = frame.value;
  useEffect(() => {
    if (!f || !hist || hist.t[hist.t.length - 1] === f.at) return;
    const ss = f.stats.find((x) => x.service === sid);
    if (!ss) return;
    const series = { ...hist.series };
    const add = (id: string, r: Record<RateKey, number> | null) => {
      const old = series[id] ?? { cps: [], inpps: [], outpps: [], inbps: [], outbps: [] };
      series[id] = Object.fromEntries((['cps', 'inpps', 'outpps', 'inbps', 'outbps'] as RateKey[]).map((k) => [k, [...old[k], r?.[k] ?? 0].slice(-300)])) as Record<RateKey, number[]>;
    };
    add(sid, ss.rates);
    for (const r of ss.reals) add(`${sid}#${r.real}`, r.rates);
    setHist({ t: [...hist.t, f.at].slice(-300), series });
  }, [f]);

  if (!svc) {
    return <section class="page"><h1>No service {sid.replace(/\|/g, ' ')}</h1><p>It is not (or no longer) configured. <a href="/services">All services</a></p></section>;
  }
  const name = serviceName(svc);
  const ss = stats.value.service(sid);
  const t = hist?.t ?? [];
  const realLines = (k: RateKey) => svc.reals.map((r, i) => ({ label: hostPort(r.address, r.port || svc.port), values: hist?.series[`${sid}#${r.address}|${r.port || svc.port}`]?.[k] ?? [], color: COLORS[i % COLORS.length]! }));
  const own = hist?.series[sid];
  return (
    <section class="page">
      <div class="page-head">
        <h1><a href="/services" class="crumb">Services</a> / <span data-testid="service-name">{name}</span></h1>
        <span class="muted">{svc.scheduler}{svc.persistence ? `, persistent ${svc.persistence} s` : ''}, {METHOD_LABEL[svc.method]}</span>
        <span class="spacer" />
        <button type="button" onClick={() => actions.addReal(sid)}>Add real</button>
        <button type="button" onClick={() => actions.editService(sid)}>Edit service</button>
        <button type="button" class="danger" onClick={() => actions.deleteService(sid)}>Delete service</button>
      </div>
      <div class="kpis">
        <div><span class="kpi">{rate(ss?.rates?.cps)}</span><span class="muted">connections/s</span></div>
        <div><span class="kpi">{rate(ss?.rates?.inpps)}</span><span class="muted">packets/s in</span></div>
        <div><span class="kpi">{rate((ss?.rates?.inbps ?? 0) * 8)}</span><span class="muted">bit/s in</span></div>
        <div><span class="kpi">{rate((ss?.rates?.outbps ?? 0) * 8)}</span><span class="muted">bit/s out</span></div>
      </div>
      <div class="charts">
        <RateChart title="New connections per second, by real" unit="/s" t={t} lines={realLines('cps')} />
        <RateChart title="Packets per second" unit="/s" t={t} lines={[{ label: 'in', values: own?.inpps ?? [], color: COLORS[0]! }, { label: 'out', values: own?.outpps ?? [], color: COLORS[1]! }]} />
        <RateChart title="Bits per second" unit="bit/s" t={t} format={(v) => rate(v * 8)} lines={[{ label: 'in', values: own?.inbps ?? [], color: COLORS[0]! }, { label: 'out', values: own?.outbps ?? [], color: COLORS[1]! }]} />
      </div>
      <div class="section-head">
        <h2>Real servers</h2>
        <span class="spacer" />
        <div class="segmented" role="group" aria-label="Numbers">
          <button type="button" aria-pressed={view === 'rates'} onClick={() => setView('rates')}>Rates</button>
          <button type="button" aria-pressed={view === 'totals'} onClick={() => setView('totals')}>Totals</button>
        </div>
      </div>
      <ServiceTable services={[svc]} stats={stats.value} view={view} history={cps.value} actions={actions} showServiceRows={false} />
      <h2>Settings</h2>
      <dl class="facts">
        <dt>Health check</dt><dd data-testid="health-check">{describeHealth(svc)}</dd>
        <dt>Sorry server</dt><dd>{svc.sorryServer ? hostPort(svc.sorryServer.address, svc.sorryServer.port || svc.port) : 'none'}</dd>
        <dt>Quorum</dt><dd>{svc.quorum !== undefined ? `${svc.quorum} (hysteresis ${svc.hysteresis ?? 0})` : 'none'}</dd>
        <dt>Dynamic weights</dt><dd>{svc.load ? (svc.load.type === 'agent' ? `load agent on port ${svc.load.port}` : 'load command') : 'none'}</dd>
        <dt>Identity</dt><dd><code>{serviceId(svc)}</code></dd>
      </dl>
      {dialogs}
    </section>
  );
}
