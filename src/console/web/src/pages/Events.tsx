// The daemon's event feed (Watch): configuration changes with who made them, reals going
// up and down with the reason, quorum and HA role changes; newest first, live.
import { useState } from 'preact/hooks';
import { events } from '../store.js';
import { clock, hostPort } from '../format.js';
import type { IpvxEvent } from '../types.js';

const KINDS = ['config', 'real', 'service', 'role', 'missed'] as const;

/** "tcp|203.0.113.10|80" -> "TCP 203.0.113.10:80". */
function serviceText(id: string | undefined): string {
  const [proto, vip, port] = (id ?? '').split('|');
  return proto && vip && port ? `${proto.toUpperCase()} ${hostPort(vip, Number(port))}` : id ?? '';
}
/** "198.51.100.1|8080" -> "198.51.100.1:8080". */
function realText(id: string): string {
  const i = id.lastIndexOf('|');
  return i < 0 ? id : hostPort(id.slice(0, i), Number(id.slice(i + 1)));
}

function what(e: IpvxEvent): string {
  if (e.kind === 'config') return e.changes.map((c) => `${c.op} ${c.kind} ${c.detail}`).join('\n') + (e.changesOmitted ? `\n… and ${e.changesOmitted} more` : '');
  const subject = [serviceText(e.service), e.real ? `real ${realText(e.real)}` : ''].filter(Boolean).join(', ');
  return [subject, e.from || e.to ? `${e.from || '-'} → ${e.to || '-'}` : ''].filter(Boolean).join(': ');
}

export function EventsPage() {
  const [kind, setKind] = useState<string>('');
  const list = events.value.filter((e) => !kind || e.kind === kind);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Events</h1>
        <span class="muted"><span class="live-dot" aria-hidden="true" /> live from the daemon</span>
        <span class="spacer" />
        <label class="inline">Kind{' '}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
      </div>
      <div class="table-wrap">
        <table class="plain events" data-testid="events-table">
          <thead><tr><th>Time</th><th>Kind</th><th>What</th><th>Why / who</th></tr></thead>
          <tbody>
            {list.map((e, i) => (
              <tr key={`${e.at}-${i}`} class={`ev-${e.kind}${e.to === 'down' ? ' is-down' : e.to === 'up' ? ' is-up' : ''}`} data-kind={e.kind}>
                <td class="nowrap" title={e.at}>{clock(e.at)}</td>
                <td><span class={`kind kind-${e.kind}`}>{e.kind}</span></td>
                <td class="what">{what(e)}</td>
                <td>{e.kind === 'config' ? <span data-testid="origin">{e.origin || ''}</span> : e.reason}</td>
              </tr>
            ))}
            {!list.length ? <tr><td colSpan={4} class="muted">No events since the console started.</td></tr> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
