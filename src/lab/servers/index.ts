// Paths of the small servers and clients the lab runs inside its namespaces
// (each is a standalone script: `node <path> --help`-free, options as documented at its top).
import { fileURLToPath } from 'node:url';

export type ServerScript =
  | 'http-name' | 'http-get' | 'tcp-sink' | 'tcp-source' | 'udp-echo' | 'udp-client'
  // HA and scale-out tests: echo servers naming the real, long-lived and short connection loads
  | 'tcp-echo' | 'tcp-echo-name' | 'long-conns' | 'ha-load';

/** Absolute path of the compiled script (build/js/src/lab/servers/<name>.js). */
export function serverScript(name: ServerScript): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}
