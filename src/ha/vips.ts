// VIP ownership on the host: add/remove the addresses with iproute2 and tell the
// neighbours (gratuitous ARP for IPv4, unsolicited neighbour advertisement for IPv6).
// Node has no raw sockets, so announcements use tools: iputils `arping -U` and, for
// IPv6, `ndsend` (ndisc6 upstream) or `na6` (Debian package ipv6toolkit).
// Everything runs in the caller's network namespace; commands go through an injected
// runner so tests can see exactly what would be run.
import { run, findTool, CommandError } from '../common/command.js';
import { silentLogger, type Logger } from '../common/log.js';
import type { Vip } from './roles.js';

export type Runner = (cmd: string, args: string[], signal?: AbortSignal) => Promise<{ stdout: string; stderr: string }>;

export const execRunner: Runner = (cmd, args, signal) => run(cmd, args, { timeoutMs: 60_000, ...(signal ? { signal } : {}) });

export function isV6(v: Vip): boolean {
  return v.address.includes(':');
}

export function cidr(v: Vip): string {
  return `${v.address}/${v.prefixLength}`;
}

export interface VipManagerOptions {
  run?: Runner;
  /** Resolve tool names (default: search PATH). */
  which?: (name: string) => string | undefined;
  /** Seconds between announcements of one burst (arping's -i; default 1). */
  intervalSec?: number;
  log?: Logger;
}

export class VipManager {
  private readonly run: Runner;
  private readonly which: (name: string) => string | undefined;
  private readonly interval: number;
  private readonly log: Logger;
  /** Announcements in flight per VIP: stopped when the VIP is released, so we never advertise what we gave up. */
  private readonly bursts = new Map<string, AbortController>();
  private warnedNoV6Tool = false;

  constructor(opts: VipManagerOptions = {}) {
    this.run = opts.run ?? execRunner;
    this.which = opts.which ?? ((n) => findTool(n));
    this.interval = Math.max(1, Math.round(opts.intervalSec ?? 1)); // arping takes whole seconds
    this.log = opts.log ?? silentLogger;
  }

  /** Configure the address (idempotent). IPv6 without DAD: a VIP must answer at once. */
  async add(v: Vip): Promise<void> {
    const args = ['addr', 'add', cidr(v), 'dev', v.interface, ...(isV6(v) ? ['nodad'] : [])];
    try {
      await this.run('ip', isV6(v) ? ['-6', ...args] : args);
    } catch (e) {
      if (!(e instanceof CommandError && /File exists|already assigned/i.test(e.stderr))) throw e;
    }
  }

  /** Remove the address (idempotent) and stop announcing it. */
  async remove(v: Vip): Promise<void> {
    this.stopBurst(v);
    try {
      await this.run('ip', [...(isV6(v) ? ['-6'] : []), 'addr', 'del', cidr(v), 'dev', v.interface]);
    } catch (e) {
      if (!(e instanceof CommandError && /Cannot assign requested address|No such|not found/i.test(e.stderr))) throw e;
    }
  }

  /**
   * Tell the segment that we own the address now, `count` times. Resolves when the burst
   * is over (arping spaces its packets by a second); remove() cuts it short.
   */
  async announce(v: Vip, count: number): Promise<void> {
    if (count <= 0) return;
    this.stopBurst(v);
    const ctl = new AbortController();
    const id = cidr(v) + '@' + v.interface;
    this.bursts.set(id, ctl);
    try {
      if (!isV6(v)) {
        const arping = this.which('arping');
        if (!arping) throw new Error('arping not found (Debian package iputils-arping)');
        await this.run(arping, ['-q', '-U', '-c', String(count), '-i', String(this.interval), '-I', v.interface, v.address], ctl.signal);
        return;
      }
      const ndsend = this.which('ndsend');
      const na6 = ndsend ? undefined : this.which('na6');
      if (!ndsend && !na6) {
        if (!this.warnedNoV6Tool) this.log.warn('no ndsend or na6 (Debian package ipv6toolkit): IPv6 VIPs are not announced');
        this.warnedNoV6Tool = true;
        return;
      }
      for (let i = 0; i < count && !ctl.signal.aborted; i++) {
        if (i > 0) await sleep(this.interval * 1000, ctl.signal);
        if (ctl.signal.aborted) break;
        if (ndsend) await this.run(ndsend, [v.address, v.interface], ctl.signal);
        else await this.run(na6!, ['-i', v.interface, '-s', v.address, '-d', 'ff02::1', '-t', v.address, '-o', '-e'], ctl.signal);
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
      throw e;
    } finally {
      if (this.bursts.get(id) === ctl) this.bursts.delete(id);
    }
  }

  /** Whether the address is configured on its interface. */
  async present(v: Vip): Promise<boolean> {
    const out = await this.run('ip', ['-j', 'addr', 'show', 'dev', v.interface]);
    const links = JSON.parse(out.stdout || '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[];
    const want = v.address.toLowerCase();
    return links.some((l) => (l.addr_info ?? []).some((a) => a.local?.toLowerCase() === want));
  }

  /** Administratively up and carrier present. */
  async interfaceUp(ifname: string): Promise<boolean> {
    try {
      const out = await this.run('ip', ['-j', 'link', 'show', 'dev', ifname]);
      const l = (JSON.parse(out.stdout || '[]') as { flags?: string[]; operstate?: string }[])[0];
      if (!l) return false;
      const flags = l.flags ?? [];
      return flags.includes('UP') && (l.operstate === 'UP' || l.operstate === 'UNKNOWN' || flags.includes('LOWER_UP'));
    } catch {
      return false;
    }
  }

  /** Stop every announcement in flight (shutdown). */
  stopAll(): void {
    for (const c of this.bursts.values()) c.abort();
    this.bursts.clear();
  }

  private stopBurst(v: Vip): void {
    const id = cidr(v) + '@' + v.interface;
    this.bursts.get(id)?.abort();
    this.bursts.delete(id);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
