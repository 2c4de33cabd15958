// Whether a listen address is a loopback one (reachable from this host only).

/** "127.0.0.1", "127.x.y.z", "::1", "[::1]", "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
