// The metrics listener's TLS and basic authentication, configured as Prometheus
// exporters do: a web configuration file in the exporter-toolkit format
// (https://prometheus.io/docs/prometheus/latest/configuration/https/), given with
// --metrics-web-config FILE:
//
//   tls_server_config:
//     cert_file: server.pem          # relative paths are relative to this file
//     key_file: server.key
//     client_ca_file: ca.pem         # with client_auth_type
//     client_auth_type: RequireAndVerifyClientCert
//     min_version: TLS12
//   basic_auth_users:
//     prometheus: $2y$10$...         # bcrypt hashes (htpasswd -nBC 10 "" | tr -d ':\n')
//
// What ipvx does not implement of that format (cipher_suites, curve_preferences,
// client_allowed_sans, http_server_config) is refused by name rather than ignored.
// As exporter-toolkit's basicauth.go: an unknown user is compared against a fixed hash
// (no user enumeration by timing), comparisons run one at a time (bcrypt is CPU-heavy)
// and their results are cached.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import YAML from 'yaml';
import bcrypt from 'bcryptjs';

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];
const VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

export interface MetricsTls {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  clientAuth: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
}

export interface WebConfig {
  tls?: MetricsTls;
  /** user -> bcrypt hash */
  users?: Map<string, string>;
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** Parse a web configuration file; throws naming the file and the key that is wrong. */
export function loadWebConfig(path: string): WebConfig {
  const fail = (what: string): never => { throw new Error(`metrics web config ${path}: ${what}`); };
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(path, 'utf8'), { maxAliasCount: 0 });
  } catch (e) {
    return fail((e as Error).message);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) return fail('expected a mapping');
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) {
    if (k !== 'tls_server_config' && k !== 'basic_auth_users') fail(`${k}: not supported by ipvx (tls_server_config and basic_auth_users are)`);
  }
  const out: WebConfig = {};
  const dir = dirname(path);
  const file = (key: string, v: unknown): Buffer => {
    if (typeof v !== 'string' || !v) return fail(`tls_server_config.${key}: expected a file name`);
    try { return readFileSync(resolve(dir, v)); } catch (e) { return fail(`tls_server_config.${key}: ${(e as Error).message}`); }
  };
  if (top.tls_server_config !== undefined) {
    const t = top.tls_server_config as Record<string, unknown>;
    if (!t || typeof t !== 'object' || Array.isArray(t)) fail('tls_server_config: expected a mapping');
    const known = ['cert_file', 'key_file', 'client_ca_file', 'client_auth_type', 'min_version', 'max_version'];
    for (const k of Object.keys(t)) if (!known.includes(k)) fail(`tls_server_config.${k}: not supported by ipvx (${known.join(', ')} are)`);
    const clientAuth = (t.client_auth_type ?? 'NoClientCert') as ClientAuthType;
    if (!CLIENT_AUTH_TYPES.includes(clientAuth)) fail(`tls_server_config.client_auth_type: '${String(clientAuth)}' is not one of ${CLIENT_AUTH_TYPES.join(', ')}`);
    if (t.client_ca_file && clientAuth === 'NoClientCert') fail('tls_server_config: client_ca_file without a client_auth_type that uses it');
    if (!t.client_ca_file && (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert')) fail(`tls_server_config: client_auth_type ${clientAuth} needs client_ca_file`);
    const version = (key: string): SecureVersion | undefined => {
      const v = t[key];
      if (v === undefined) return undefined;
      return VERSIONS[String(v)] ?? fail(`tls_server_config.${key}: '${String(v)}' is not one of ${Object.keys(VERSIONS).join(', ')}`);
    };
    const minVersion = version('min_version') ?? 'TLSv1.2', maxVersion = version('max_version');
    out.tls = {
      cert: file('cert_file', t.cert_file), key: file('key_file', t.key_file),
      ...(t.client_ca_file ? { ca: file('client_ca_file', t.client_ca_file) } : {}),
      clientAuth, minVersion, ...(maxVersion ? { maxVersion } : {}),
    };
  }
  if (top.basic_auth_users !== undefined) {
    const u = top.basic_auth_users as Record<string, unknown>;
    if (!u || typeof u !== 'object' || Array.isArray(u)) fail('basic_auth_users: expected a mapping of user: bcrypt hash');
    out.users = new Map();
    for (const [user, hash] of Object.entries(u)) {
      if (typeof hash !== 'string' || !BCRYPT.test(hash)) fail(`basic_auth_users.${user}: not a bcrypt hash ($2y$10$... as htpasswd -B makes)`);
      out.users.set(user, hash as string);
    }
  }
  return out;
}

/** bcrypt of "fakepassword": what an unknown user's password is compared with, so that its answer takes as long. */
const DECOY = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
/** Comparisons remembered (a scrape every few seconds must not cost a bcrypt each). */
const CACHE_SIZE = 100;

export class BasicAuth {
  private readonly cache = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** Whether an Authorization header names a user with the right password. */
  async check(header: string | undefined): Promise<boolean> {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!m) return false;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i < 0) return false;
    const user = text.slice(0, i), pass = text.slice(i + 1);
    const hash = this.users.get(user);
    const key = createHash('sha256').update(user).update('\0').update(hash ?? DECOY).update('\0').update(pass).digest('hex');
    let ok = this.cache.get(key);
    if (ok === undefined) {
      // One comparison at a time: bcrypt is made to be slow.
      const run = this.queue.then(() => bcrypt.compare(pass, hash ?? DECOY));
      this.queue = run.catch(() => undefined);
      ok = (await run.catch(() => false)) && hash !== undefined;
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, ok);
    }
    return ok;
  }
}
