// The table of services with their reals, as an operator scans it: one bold row per
// virtual service, its reals under it; health, weights, connections, counters or rates,
// and the last minutes of connections per second. Rows take j/k and Enter.
import { useRef } from 'preact/hooks';
import { count, rate, hostPort, methodLabel, METHOD_IPVSADM } from '../format.js';
import { realId, serviceId, servicePath, type StatsIndex } from '../model.js';
import { HealthBadge } from '../components/Health.js';
import { Sparkline } from '../components/Charts.js';
import type { RealSpec, RealStats, ServiceSpec, ServiceStats } from '../types.js';

export type View = 'rates' | 'totals';

export interface RowActions {
  editService(sid: string): void;
  addReal(sid: string): void;
  editReal(sid: string, rid: string): void;
  deleteReal(sid: string, rid: string): void;
  drain(sid: string, rid: string): void;
  restore(sid: string, rid: string): void;
}

const COLUMNS: Record<View, { key: string; label: string; title: string }[]> = {
  totals: [
    { key: 'conns', label: 'Conns', title: 'Connections scheduled (total)' },
    { key: 'inPkts', label: 'InPkts', title: 'Packets in (total)' },
    { key: 'outPkts', label: 'OutPkts', title: 'Packets out (total; NAT only)' },
    { key: 'inBytes', label: 'InBytes', title: 'Bytes in (total)' },
    { key: 'outBytes', label: 'OutBytes', title: 'Bytes out (total; NAT only)' },
  ],
  rates: [
    { key: 'cps', label: 'CPS', title: 'New connections per second' },
    { key: 'inpps', label: 'InPPS', title: 'Packets per second in' },
    { key: 'outpps', label: 'OutPPS', title: 'Packets per second out (NAT only)' },
    { key: 'inbps', label: 'InBPS', title: 'Bytes per second in' },
    { key: 'outbps', label: 'OutBPS', title: 'Bytes per second out (NAT only)' },
  ],
};

function numbers(view: View, s: ServiceStats | RealStats | undefined) {
  const c = s?.counters;
  const r = s?.rates;
  if (view === 'totals') return [count(c?.conns), count(c?.pktsIn), count(c?.pktsOut), count(c?.bytesIn), count(c?.bytesOut)];
  return [rate(r?.cps), rate(r?.inpps), rate(r?.outpps), rate(r?.inbps), rate(r?.outbps)];
}

function schedText(s: ServiceSpec) {
  const flags = s.scheduler === 'sh' || s.scheduler === 'mh' ? s.flags : [];
  return (
    <>
      {[s.scheduler, ...flags].join(' ')}
      {s.persistence ? <span class="sub">persist {s.persistence}s{s.persistenceMask ? ` /${s.persistenceMask.replace(/^\//, '')}` : ''}</span> : null}
    </>
  );
}

/** Move focus between rows with j/k; Enter follows the row's link. */
function rowKeys(e: KeyboardEvent) {
  const row = (e.target as HTMLElement).closest('tr');
  if (!row || (e.target as HTMLElement).closest('button, a, input')) {
    if (e.key !== 'j' && e.key !== 'k') return;
  }
  if (e.key === 'j' || e.key === 'k') {
    const rows = [...(row?.closest('tbody')?.parentElement?.querySelectorAll<HTMLTableRowElement>('tbody tr[tabindex]') ?? [])];
    const i = row ? rows.indexOf(row as HTMLTableRowElement) : -1;
    const to = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === 'j' ? 1 : -1)))];
    if (to) { e.preventDefault(); to.focus(); }
  } else if (e.key === 'Enter' && row && e.target === row) {
    // A service row opens its page; a real row its editor.
    (row.querySelector<HTMLElement>('a') ?? row.querySelector<HTMLElement>('[data-enter]'))?.click();
  }
}

export function ServiceTable(p: {
  services: ServiceSpec[]; stats: StatsIndex; view: View; history: { t: number[]; series: Record<string, number[]> };
  actions: RowActions; showServiceRows?: boolean;
}) {
  const cols = COLUMNS[p.view];
  const table = useRef<HTMLTableElement>(null);
  return (
    <div class="table-wrap">
      <table class="services" ref={table} onKeyDown={rowKeys as never} data-testid="services-table">
        <thead>
          <tr>
            <th scope="col">Service / real</th>
            <th scope="col" title="Scheduler (service) / forwarding method (real)">Sched/Fwd</th>
            <th scope="col" class="num" title="Configured weight, and the weight in force when health or load changed it">Weight</th>
            <th scope="col">Health</th>
            <th scope="col" class="num" title="Active connections">ActConn</th>
            <th scope="col" class="num" title="Inactive connections">InActConn</th>
            {cols.map((c) => <th key={c.key} scope="col" class="num" title={c.title}>{c.label}</th>)}
            <th scope="col" title="New connections per second, last minutes">Trend</th>
            <th scope="col"><span class="sr-only">Actions</span></th>
          </tr>
        </thead>
        {p.services.map((s) => {
          const sid = serviceId(s);
          const ss = p.stats.service(sid);
          const reals = s.reals.map((r) => ({ r, rid: realId(r), rs: p.stats.real(sid, realId(r)) }));
          const up = reals.filter((x) => x.rs?.health === 'up').length;
          const down = reals.filter((x) => x.rs?.health === 'down').length;
          const checked = up + down;
          const active = reals.reduce((n, x) => n + (x.rs?.activeConns ?? 0), 0);
          const inactive = reals.reduce((n, x) => n + (x.rs?.inactiveConns ?? 0), 0);
          return (
            <tbody key={sid} data-service={sid}>
              {p.showServiceRows !== false ? (
                <tr class="svc" tabIndex={0} data-service-row={sid}>
                  <th scope="row" data-label="Service">
                    <a href={servicePath(s)} class="svc-name">{s.fwmark ? <><span class="proto">FWM</span> {s.fwmark}{s.vip.includes(':') ? ' IPv6' : ''}</> : <><span class="proto">{s.protocol.toUpperCase()}</span> {hostPort(s.vip, s.port)}</>}</a>
                  </th>
                  <td data-label="Scheduler" data-col="scheduler">{schedText(s)}</td>
                  <td class="num" data-label="Reals" title={`${s.reals.length} real server${s.reals.length === 1 ? '' : 's'}`} />
                  <td data-label="Health">
                    {checked ? <span class={`badge ${down ? (up ? 'partial' : 'down') : 'up'}`} data-testid="svc-health">{up}/{s.reals.length} up</span> : <span class="muted" title="no health check">—</span>}
                  </td>
                  <td class="num" data-label="Active" data-col="activeConns">{count(active)}</td>
                  <td class="num" data-label="Inactive" data-col="inactiveConns">{count(inactive)}</td>
                  {numbers(p.view, ss).map((v, i) => <td key={i} class="num" data-label={cols[i]!.label} data-col={cols[i]!.key}>{v}</td>)}
                  <td data-label="Conn/s"><Sparkline t={p.history.t} values={p.history.series[sid]} label={`${sid} connections/s`} /></td>
                  <td class="actions-cell">
                    <button type="button" class="small" onClick={() => p.actions.addReal(sid)} title="Add a real server">Add real</button>
                    <button type="button" class="small" onClick={() => p.actions.editService(sid)}>Edit</button>
                  </td>
                </tr>
              ) : null}
              {reals.map(({ r, rid, rs }) => <RealRow key={rid} s={s} sid={sid} r={r} rid={rid} rs={rs} view={p.view} history={p.history} actions={p.actions} />)}
              {!s.reals.length ? <tr class="real empty"><td colSpan={9 + cols.length} class="muted">No real servers: this service drops every new connection (or sends it to its sorry server).</td></tr> : null}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function RealRow(p: { s: ServiceSpec; sid: string; r: RealSpec; rid: string; rs: RealStats | undefined; view: View; history: { t: number[]; series: Record<string, number[]> }; actions: RowActions }) {
  const { r, rs, sid, rid } = p;
  const cols = COLUMNS[p.view];
  const eff = rs?.effectiveWeight;
  const drained = r.weight === 0;
  return (
    <tr class={`real${drained ? ' drained' : ''}${rs?.health === 'down' ? ' is-down' : ''}`} tabIndex={0} data-real={`${sid}#${rid}`}>
      <th scope="row" data-label="Real">
        <span class="real-name">{hostPort(r.address, r.port || p.s.port)}</span>
      </th>
      <td data-label="Forward" data-col="forward" title={METHOD_IPVSADM[r.method]}>{methodLabel(r)}</td>
      <td class="num" data-label="Weight" data-col="weight">
        <span data-testid="weight">{r.weight}</span>
        {eff !== undefined && eff !== r.weight ? <span class="eff" title="weight in force" data-testid="effective-weight"> → {eff}</span> : null}
        {drained ? <span class="tag">drained</span> : null}
      </td>
      <td data-label="Health" data-col="health"><HealthBadge health={rs?.health} reason={rs?.healthReason ?? ''} since={rs?.healthSince ?? ''} /></td>
      <td class="num" data-label="Active" data-col="activeConns">{count(rs?.activeConns)}</td>
      <td class="num" data-label="Inactive" data-col="inactiveConns">{count(rs?.inactiveConns)}</td>
      {numbers(p.view, rs).map((v, i) => <td key={i} class="num" data-label={cols[i]!.label} data-col={cols[i]!.key}>{v}</td>)}
      <td data-label="Conn/s"><Sparkline t={p.history.t} values={p.history.series[`${sid}#${rid}`]} label={`${rid} connections/s`} /></td>
      <td class="actions-cell">
        {drained
          ? <button type="button" class="small" onClick={() => p.actions.restore(sid, rid)} title="Give it its weight back">Restore</button>
          : <button type="button" class="small" onClick={() => p.actions.drain(sid, rid)} title="Weight 0: no new connections, established ones go on">Drain</button>}
        <button type="button" class="small" data-enter onClick={() => p.actions.editReal(sid, rid)}>Edit</button>
        <button type="button" class="small danger" onClick={() => p.actions.deleteReal(sid, rid)} aria-label={`Delete ${rid}`}>Delete</button>
      </td>
    </tr>
  );
}
