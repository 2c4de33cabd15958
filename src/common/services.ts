// /etc/services as glibc's getservbyname/getservbyport read it: "name port/proto aliases...",
// '#' comments; by port the first line wins, by name the name or any alias. Pure: the
// text is passed in (readServices reads the machine's file, at the edges that need it).
import { readFileSync } from 'node:fs';

export interface ServiceNames {
  /** getservbyname(name, proto): the port, or undefined. */
  port(name: string, protocol: string): number | undefined;
  /** getservbyport(port, proto): the name, or undefined. */
  name(port: number, protocol: string): string | undefined;
}

export function parseServices(text: string): ServiceNames {
  const byName = new Map<string, number>();
  const byPort = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(\w+)$/.exec(portProto ?? '');
    if (!name || !m) continue;
    const port = Number(m[1]), proto = m[2]!;
    if (!byPort.has(`${port}/${proto}`)) byPort.set(`${port}/${proto}`, name);
    for (const n of [name, ...aliases]) if (!byName.has(`${n}/${proto}`)) byName.set(`${n}/${proto}`, port);
  }
  return {
    port: (name, protocol) => byName.get(`${name}/${protocol}`),
    name: (port, protocol) => byPort.get(`${port}/${protocol}`),
  };
}

/** The machine's /etc/services (none when it cannot be read: every name is then unknown). */
export function readServices(path = '/etc/services'): ServiceNames {
  try {
    return parseServices(readFileSync(path, 'utf8'));
  } catch {
    return parseServices('');
  }
}
