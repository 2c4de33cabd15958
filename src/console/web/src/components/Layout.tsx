// The frame of every page: the director's name and state at the top, the sections, the
// session; messages and the session-expired notice over everything.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { daemon, frame, host, loggedOut, logout, notice, session } from '../store.js';
import { Dialog } from './Dialog.js';

export const SECTIONS = [
  { path: '/services', label: 'Services', key: 's' },
  { path: '/status', label: 'Status', key: 't' },
  { path: '/events', label: 'Events', key: 'e' },
  { path: '/import', label: 'Import / Export', key: 'i' },
  { path: '/settings', label: 'Settings', key: 'c' },
] as const;

export function Layout(p: { children: ComponentChildren }) {
  const { path, route } = useLocation();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement;
      if (t.closest('input, textarea, select, dialog, [contenteditable]')) return;
      if (e.key === '?') { setHelp(true); return; }
      const s = SECTIONS.find((x) => x.key === e.key);
      if (s) { e.preventDefault(); route(s.path); }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const st = frame.value?.status;
  const role = st?.ha?.role || st?.role || '';
  const d = daemon.value;
  return (
    <div class="app">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href="/services">ipvx</a>
        <span class="director" title={st ? `netns ${st.netns}, daemon pid ${st.pid}, version ${st.version}` : ''}>{host.value}</span>
        {role ? <span class={`role role-${role}`} title="HA role" data-testid="role">{role}</span> : null}
        <span class={`link-state ${d.connected ? 'up' : 'down'}`} title={d.connected ? 'daemon answering' : d.error} data-testid="daemon-state">
          {d.connected ? 'daemon up' : 'daemon not answering'}
        </span>
        <span class="spacer" />
        <span class="user">{session.value?.user}</span>
        <button type="button" class="link top-link" onClick={() => void logout()}>Log out</button>
      </header>
      <nav class="sections" aria-label="Sections">
        {SECTIONS.map((s) => (
          <a key={s.path} href={s.path} aria-current={path === s.path || path.startsWith(`${s.path}/`) || (s.path === '/services' && path === '/') ? 'page' : undefined}
            title={`${s.label} (${s.key})`}>{s.label}</a>
        ))}
        <button type="button" class="link help" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">?</button>
      </nav>
      {!d.connected && d.error ? <div class="banner error" role="alert">The daemon does not answer: {d.error}. The console retries; what you see may be old.</div> : null}
      <main id="main" tabIndex={-1}>{p.children}</main>
      {notice.value ? <div class={`toast ${notice.value.kind}`} role="status" data-testid="notice">{notice.value.text}</div> : null}
      {loggedOut.value !== null ? (
        <div class="overlay" role="alertdialog" aria-label="Logged out" data-testid="logged-out">
          <div class="overlay-box">
            <h2>Logged out</h2>
            <p>{loggedOut.value.charAt(0).toUpperCase() + loggedOut.value.slice(1)}.</p>
            <a class="button primary" href={`/login?next=${encodeURIComponent(location.pathname)}`}>Log in again</a>
          </div>
        </div>
      ) : null}
      {help ? (
        <Dialog title="Keyboard" onClose={() => setHelp(false)}>
          <table class="keys">
            <tbody>
              {SECTIONS.map((s) => <tr key={s.key}><td><kbd>{s.key}</kbd></td><td>{s.label}</td></tr>)}
              <tr><td><kbd>/</kbd></td><td>Filter services</td></tr>
              <tr><td><kbd>n</kbd></td><td>New service (Services)</td></tr>
              <tr><td><kbd>j</kbd> <kbd>k</kbd></td><td>Next / previous row</td></tr>
              <tr><td><kbd>Enter</kbd></td><td>Open the service (service row), edit the real (real row)</td></tr>
              <tr><td><kbd>Esc</kbd></td><td>Close a dialog</td></tr>
              <tr><td><kbd>?</kbd></td><td>This list</td></tr>
            </tbody>
          </table>
        </Dialog>
      ) : null}
    </div>
  );
}
