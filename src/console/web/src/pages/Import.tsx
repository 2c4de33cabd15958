// Bring a configuration in (piranha's lvs.cf, keepalived.conf, ipvsadm-save output): see
// what it imports and what it cannot, then review and apply it. Take one out: ipvx YAML
// and `ipvsadm -S -n` rules.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { config } from '../store.js';
import { hostPort, serviceName, METHOD_LABEL } from '../format.js';
import { ChangeDialog, useChangeFlow } from '../components/ChangeDialog.js';
import type { DesiredState, ImportPreview } from '../types.js';

const FORMAT_NAME = { 'lvs.cf': "piranha's lvs.cf", keepalived: 'keepalived.conf', ipvsadm: 'ipvsadm rules (ipvsadm -S)' } as const;
const MAX_BYTES = 1 << 20;

function ImportedServices(p: { state: DesiredState }) {
  return (
    <table class="plain" data-testid="import-services">
      <thead><tr><th>Service</th><th>Scheduler</th><th>Forwarding</th><th>Real servers</th><th>Health check</th></tr></thead>
      <tbody>
        {p.state.services.map((s) => (
          <tr key={`${s.protocol}|${s.vip}|${s.port}`} data-import-service={`${s.protocol}|${s.vip}|${s.port}`}>
            <td class="nowrap">{serviceName(s)}</td>
            <td>{s.scheduler}{s.persistence ? `, persistent ${s.persistence} s` : ''}</td>
            <td>{METHOD_LABEL[s.method]}</td>
            <td>{s.reals.map((r) => `${hostPort(r.address, r.port || s.port)} (w ${r.weight})`).join(', ') || <span class="muted">none</span>}</td>
            <td>{s.health ? s.health.check.type : 'none'}</td>
          </tr>
        ))}
        {!p.state.services.length ? <tr><td colSpan={5} class="muted">No services in this file.</td></tr> : null}
      </tbody>
    </table>
  );
}

export function ImportPage() {
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState('');
  const [scope, setScope] = useState<'services' | 'all'>('services');
  const [reviewing, setReviewing] = useState(false);
  const [rules, setRules] = useState('');
  const flow = useChangeFlow(() => { setReviewing(false); setPreview(null); setFile(null); });

  const serial = config.value?.serial;
  useEffect(() => {
    fetch('/api/export/ipvsadm-rules', { credentials: 'same-origin' }).then((r) => (r.ok ? r.text() : ''), () => '').then(setRules);
  }, [serial]);

  const read = async (f: File) => {
    setError('');
    setPreview(null);
    if (f.size > MAX_BYTES) { setError(`${f.name} is ${f.size} bytes; the console imports files up to 1 MiB`); return; }
    const text = await f.text();
    setFile({ name: f.name, text });
    try {
      const p = await api<ImportPreview>('POST', '/api/import', { text, name: f.name });
      setPreview(p);
      setScope(p.state.ha || p.state.bgp ? 'services' : 'all');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : (e as Error).message);
    }
  };

  const make = (base: DesiredState): DesiredState => {
    const imported = preview!.state;
    if (scope === 'all') return imported;
    return { ...base, services: imported.services };
  };
  // Problems the import leaves (an HA key lvs.cf never had) block only what would be applied.
  const blocking = (preview?.problems ?? []).filter((p) => scope === 'all' || p.field.startsWith('services'));

  return (
    <section class="page">
      <div class="page-head"><h1>Import / Export</h1></div>
      <div class="cards two">
        <section class="card">
          <h2>Import</h2>
          <p class="muted">An <b>lvs.cf</b> (piranha), a <b>keepalived.conf</b> or <b>ipvsadm-save</b> rules. Nothing changes until you review and apply.</p>
          <label class="file-drop" onDragOver={(e) => e.preventDefault()} onDrop={(e) => { e.preventDefault(); const f = e.dataTransfer?.files[0]; if (f) void read(f); }}>
            <input type="file" data-testid="import-file" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void read(f); }} />
            <span>Choose a file or drop it here</span>
          </label>
          {error ? <p class="error" role="alert" data-testid="import-error">{error}</p> : null}
        </section>
        <section class="card">
          <h2>Export</h2>
          <p class="muted">The configuration in force, to keep or to load elsewhere.</p>
          <p class="actions">
            <a class="button" href="/api/export/ipvx.yaml" download data-testid="export-yaml">ipvx YAML</a>
            <a class="button" href="/api/export/ipvsadm-rules" download data-testid="export-rules">ipvsadm rules (-S -n)</a>
          </p>
          <p class="muted small">The YAML holds the HA key and BGP passwords: keep it where they may be.</p>
          <pre class="rules" data-testid="rules-preview">{rules || '# no services'}</pre>
        </section>
      </div>
      {preview && file ? (
        <section class="card" data-testid="import-preview">
          <h2>{file.name}: {FORMAT_NAME[preview.format]}</h2>
          <h3>Imports</h3>
          <ImportedServices state={preview.state} />
          {preview.state.ha ? <p>High availability: {preview.state.ha.enabled ? 'on' : 'off'}, peer {preview.state.ha.peerAddress}, VIPs {preview.state.ha.vips.map((v) => `${v.address}/${v.prefixLength} on ${v.interface}`).join(', ') || 'none'}</p> : null}
          <h3>Does not import</h3>
          {preview.unmapped.length ? (
            <table class="plain" data-testid="import-unmapped">
              <thead><tr><th class="num">Line</th><th>Text</th><th>Why</th></tr></thead>
              <tbody>{preview.unmapped.map((u) => <tr key={u.line}><td class="num">{u.line}</td><td><code>{u.text.trim()}</code></td><td>{u.reason}</td></tr>)}</tbody>
            </table>
          ) : <p class="muted">Every line has an ipvx equivalent.</p>}
          {preview.unmappedOmitted ? <p class="muted">… and {preview.unmappedOmitted} more lines.</p> : null}
          {preview.problems.length ? (
            <>
              <h3>To complete before it can be applied</h3>
              <ul class="problems" data-testid="import-problems">{preview.problems.map((p, i) => <li key={i}><code>{p.field}</code>: {p.message}</li>)}</ul>
            </>
          ) : null}
          <fieldset class="scope">
            <legend>Apply</legend>
            <label class="check"><input type="radio" name="scope" checked={scope === 'services'} onChange={() => setScope('services')} /> the services only (keep this director's HA, BGP and timeouts)</label>
            <label class="check"><input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> everything in the file (replaces HA, BGP and timeouts too)</label>
          </fieldset>
          {blocking.length ? <p class="error">Complete the file first: {blocking.length} problem{blocking.length === 1 ? '' : 's'} above.</p> : null}
          <div class="actions">
            <button type="button" class="primary" disabled={blocking.length > 0} onClick={() => { setReviewing(true); void flow.plan(make); }} data-testid="import-review">Review changes</button>
            <button type="button" onClick={() => { setPreview(null); setFile(null); }}>Discard</button>
          </div>
        </section>
      ) : null}
      {reviewing ? (
        <ChangeDialog title={`Import ${file?.name ?? ''}`} flow={flow} prefix="" onClose={() => { setReviewing(false); flow.back(); }} wide form={() => (
          <div class="actions"><button type="button" class="primary" onClick={() => void flow.plan(make)}>Review again</button><button type="button" onClick={() => setReviewing(false)}>Close</button></div>
        )} />
      ) : null}
    </section>
  );
}
