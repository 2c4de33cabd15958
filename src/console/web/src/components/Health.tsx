// A real's health as a badge an operator finds at a glance: the colour and the word,
// the reason and since when beside it.
import { clock } from '../format.js';

export function HealthBadge(p: { health: string | undefined; reason?: string; since?: string; compact?: boolean }) {
  const h = p.health === 'up' || p.health === 'down' ? p.health : 'unchecked';
  const title = [h, p.reason, p.since ? `since ${new Date(p.since).toLocaleString()}` : ''].filter(Boolean).join(' — ');
  if (h === 'unchecked') return <span class="health muted" title="no health check: counted as up" data-health="unchecked">—</span>;
  return (
    <span class="health" title={title}>
      <span class={`badge ${h}`} data-health={h}>{h}</span>
      {!p.compact && p.reason ? <span class="reason">{p.reason}{p.since ? <span class="since"> · {clock(p.since)}</span> : null}</span> : null}
    </span>
  );
}
