// What every page reads: the session, the configuration with its serial, the last poll
// (status and statistics), the events, and the recent rates; kept current by the
// console's live stream (server-sent events).
import { signal, computed, batch } from '@preact/signals';
import { api, getSession, setCsrfToken, whenLoggedOut } from './api.js';
import { indexStats } from './model.js';
import type { ConfigSnapshot, Frame, IpvxEvent, Session, Snapshot } from './types.js';

export const session = signal<Session | null>(null);
export const config = signal<ConfigSnapshot | null>(null);
export const configError = signal('');
export const frame = signal<Frame | null>(null);
export const daemon = signal<{ connected: boolean; error: string }>({ connected: false, error: '' });
export const host = signal('');
/** Newest first. */
export const events = signal<IpvxEvent[]>([]);
/** Connections per second of every service and real (series id -> values), on shared times. */
export const cps = signal<{ t: number[]; series: Record<string, number[]> }>({ t: [], series: {} });
/** Why the session ended, once it has; the page then offers the login page. */
export const loggedOut = signal<string | null>(null);
/** A short message after an action ("Applied 2 changes"). */
export const notice = signal<{ text: string; kind: 'ok' | 'error' } | null>(null);

export const stats = computed(() => indexStats(frame.value));

const MAX_EVENTS = 500;
const HISTORY_POINTS = 300;

export function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
  notice.value = { text, kind };
  setTimeout(() => { if (notice.value?.text === text) notice.value = null; }, 6000);
}

export async function loadConfig(): Promise<ConfigSnapshot | null> {
  try {
    const c = await api<ConfigSnapshot>('GET', '/api/config');
    batch(() => { config.value = c; configError.value = ''; });
    return c;
  } catch (e) {
    configError.value = (e as Error).message;
    return null;
  }
}

function addFrame(f: Frame): void {
  const prev = cps.value;
  const t = [...prev.t, f.at].slice(-HISTORY_POINTS);
  const series: Record<string, number[]> = {};
  const seen = new Set<string>();
  const push = (id: string, v: number) => {
    seen.add(id);
    const old = prev.series[id] ?? new Array<number>(prev.t.length).fill(0);
    series[id] = [...old, v].slice(-HISTORY_POINTS);
  };
  for (const s of f.stats) {
    push(s.service, s.rates?.cps ?? 0);
    for (const r of s.reals) push(`${s.service}#${r.real}`, r.rates?.cps ?? 0);
  }
  for (const [id, v] of Object.entries(prev.series)) if (!seen.has(id)) series[id] = [...v, 0].slice(-HISTORY_POINTS);
  batch(() => { frame.value = f; cps.value = { t, series }; });
}

let configReload: ReturnType<typeof setTimeout> | undefined;
/** Config events come in bursts (an import); one reload after them. */
function reloadConfigSoon(): void {
  clearTimeout(configReload);
  configReload = setTimeout(() => { void loadConfig(); }, 150);
}

let source: EventSource | undefined;

function openLive(): void {
  source?.close();
  const es = new EventSource('/api/live');
  source = es;
  es.addEventListener('frame', (m) => addFrame(JSON.parse((m as MessageEvent).data) as Frame));
  es.addEventListener('event', (m) => {
    const e = JSON.parse((m as MessageEvent).data) as IpvxEvent;
    events.value = [e, ...events.value].slice(0, MAX_EVENTS);
    if (e.kind === 'config') reloadConfigSoon();
  });
  es.addEventListener('link', (m) => {
    const l = JSON.parse((m as MessageEvent).data) as { connected: boolean; error: string };
    daemon.value = l;
    if (l.connected) reloadConfigSoon();
  });
  es.addEventListener('resync', () => reloadConfigSoon());
  es.addEventListener('expired', (m) => {
    es.close();
    loggedOut.value = (JSON.parse((m as MessageEvent).data) as { reason: string }).reason;
  });
  es.onerror = () => {
    // EventSource retries by itself; once it gave up (the server said no), find out why.
    if (es.readyState === EventSource.CLOSED && !loggedOut.value) {
      void getSession().then(() => setTimeout(openLive, 2000), () => undefined);
    }
  };
}

/** Session, snapshot, configuration, then the live stream. */
export async function start(): Promise<void> {
  whenLoggedOut((why) => { source?.close(); loggedOut.value = why; });
  const s = await getSession();
  setCsrfToken(s.csrfToken);
  session.value = s;
  const snap = await api<Snapshot>('GET', '/api/snapshot');
  batch(() => {
    host.value = snap.host;
    daemon.value = { connected: snap.connected, error: snap.error };
    events.value = [...snap.recent].reverse();
    cps.value = snap.history;
    if (snap.frame) frame.value = snap.frame;
  });
  await loadConfig();
  openLive();
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/logout', {});
  } finally {
    source?.close();
    location.href = '/login';
  }
}
