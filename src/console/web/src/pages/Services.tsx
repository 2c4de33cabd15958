// Every virtual service with its reals, live.
import { useEffect, useRef, useState } from 'preact/hooks';
import { config, cps, frame, stats } from '../store.js';
import { serviceId } from '../model.js';
import { hostPort, serviceName } from '../format.js';
import { ServiceTable, type View } from './ServiceTable.js';
import { useActions } from './useActions.js';

export function ServicesPage() {
  const cfg = config.value!;
  const [filter, setFilter] = useState('');
  const [view, setView] = useState<View>((localStorage.getItem('ipvx.view') as View) || 'rates');
  const box = useRef<HTMLInputElement>(null);
  const { actions, dialogs } = useActions();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || (e.target as HTMLElement).closest('input, textarea, select, dialog')) return;
      if (e.key === '/') { e.preventDefault(); box.current?.focus(); }
      if (e.key === 'n') { e.preventDefault(); actions.newService(); }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const pick = (v: View) => { setView(v); localStorage.setItem('ipvx.view', v); };
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const services = cfg.state.services.filter((s) => {
    if (!words.length) return true;
    const hay = [serviceId(s), serviceName(s), s.scheduler, ...s.reals.map((r) => hostPort(r.address, r.port || s.port))].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const reals = cfg.state.services.reduce((n, s) => n + s.reals.length, 0);
  const omitted = frame.value?.statsOmitted ?? 0;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Services</h1>
        <span class="muted count" data-testid="totals">{cfg.state.services.length} services, {reals} reals</span>
        <span class="spacer" />
        <input ref={box} type="search" class="filter" placeholder="Filter (/): address, port, scheduler" value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)} aria-label="Filter services" />
        <div class="segmented" role="group" aria-label="Numbers">
          <button type="button" aria-pressed={view === 'rates'} onClick={() => pick('rates')}>Rates</button>
          <button type="button" aria-pressed={view === 'totals'} onClick={() => pick('totals')} data-testid="view-totals">Totals</button>
        </div>
        <button type="button" class="primary" onClick={actions.newService} title="New service (n)">Add service</button>
      </div>
      {omitted ? <p class="banner">Live figures are shown for the first {frame.value!.stats.length} services; {omitted} more have no live figures here.</p> : null}
      {cfg.state.services.length === 0
        ? <div class="empty-state"><p>No virtual services yet.</p><p><button type="button" class="primary" onClick={actions.newService}>Add a service</button> or <a href="/import">import a configuration</a>.</p></div>
        : <ServiceTable services={services} stats={stats.value} view={view} history={cps.value} actions={actions} />}
      {dialogs}
    </section>
  );
}
