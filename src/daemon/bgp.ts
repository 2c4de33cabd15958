// The daemon's scale-out announcer: while `bgp.enabled`, keep the BIRD config ipvx owns
// in step with the VIPs that have a live real (src/bgp/announcer.ts) and reload BIRD
// when that set changes. Stopping withdraws everything before the daemon goes away;
// turning bgp off (or removing it) withdraws everything once and leaves BIRD alone.
import type { Controller, IpvxEvent } from './controller.js';
import type { BgpSpec } from '../core/model.js';
import { announcedVips, withdrawReason } from '../bgp/announcer.js';
import { birdConfig, peerProtocol, vipPrefix, STATIC4, STATIC6 } from '../bgp/config.js';
import { BirdControl, type Bird } from '../bgp/bird.js';
import type { Logger } from '../common/log.js';

/** How often a failed reload is retried (BIRD not running yet, socket missing...). */
const RETRY_MS = 3000;

export interface BgpSessionStatus { name: string; peer: string; state: string; info: string; since: string }
export interface BgpStatus { announced: string[]; wanted: string[]; sessions: BgpSessionStatus[]; error: string; withdrawnReason: string }

export type BirdFactory = (spec: BgpSpec) => Bird;
export const birdFor: BirdFactory = (spec) => new BirdControl(spec.birdConfig, spec.birdSocket);

export class BgpSupervisor {
  private stopping = false;
  /** The spec we last wrote for: kept after bgp is turned off, to withdraw through it. */
  private owned: BgpSpec | undefined;
  private loaded: string | undefined;
  private wanted: string[] = [];
  private error = '';
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly controller: Controller, private readonly bird: BirdFactory, private readonly log: Logger) {}

  /** Re-check on every change of configuration, health or HA role, and retry failures. */
  follow(): void {
    // Configuration and HA role from events; health through the monitor's weight changes
    // (per-real 'real' events would add nothing: a transition that matters changes a weight).
    this.controller.on('event', (e: IpvxEvent) => { if (e.kind === 'config' || e.kind === 'role') void this.sync(); });
    this.controller.health?.on('change', () => { void this.sync(); });
    this.timer = setInterval(() => { if (this.error) void this.sync(); }, RETRY_MS);
    this.timer.unref();
  }

  /** Bring BIRD in line with the current state; calls are serialised and coalesced. */
  sync(): Promise<void> {
    if (this.queued) return this.chain;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      await this.syncNow();
    }).catch((e: Error) => this.log.error('BGP sync failed', { error: e.message }));
    return this.chain;
  }

  /** Withdraw every VIP (and wait for BIRD to have the config without them). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.sync();
  }

  private async syncNow(): Promise<void> {
    const spec = this.controller.current.bgp;
    const target = spec?.enabled ? spec : this.owned;
    if (!target) return; // never enabled in this run: not ours to touch
    const on = Boolean(spec?.enabled);
    const o = { stopping: this.stopping, role: this.controller.role };
    const vips = on ? announcedVips(this.controller.effectiveState, o) : [];
    this.wanted = vips;
    const text = birdConfig(target, vips);
    if (text === this.loaded) return;
    try {
      await this.bird(target).load(text);
    } catch (e) {
      this.loaded = undefined;
      if (this.error !== (e as Error).message) this.log.warn('BGP: BIRD did not take the new announcements; retrying', { error: (e as Error).message });
      this.error = (e as Error).message;
      return;
    }
    this.loaded = text;
    this.error = '';
    this.owned = on ? target : undefined;
    this.log.info('BGP announcements changed', { announced: vips.map(vipPrefix), ...(on ? {} : { reason: 'bgp turned off' }), ...(withdrawReason(o) ? { withdrawn: withdrawReason(o) } : {}) });
  }

  /** For GetStatus: what we want announced, what BIRD holds, and its sessions. Undefined while bgp is off. */
  async status(): Promise<BgpStatus | undefined> {
    const spec = this.controller.current.bgp;
    if (!spec?.enabled) return undefined;
    const bird = this.bird(spec);
    let error = this.error;
    // Together: a stuck BIRD costs GetStatus one birdc timeout, not one per question.
    const [sessions, routes] = await Promise.all([
      bird.sessions().catch((e: Error) => { error ||= e.message; return []; }),
      bird.routes([STATIC4, STATIC6]).catch((e: Error) => { error ||= e.message; return [] as string[]; }),
    ]);
    const announced = routes.sort();
    return {
      announced, wanted: this.wanted.map(vipPrefix), error,
      withdrawnReason: withdrawReason({ stopping: this.stopping, role: this.controller.role }) ?? '',
      sessions: spec.peers.map((p, i) => {
        const s = sessions.find((x) => x.name === peerProtocol(i));
        // BIRD's Info column starts with the BGP state (Established, Active, Connect, Idle).
        return { name: peerProtocol(i), peer: p.address, state: s ? (s.info.split(/\s{2,}/)[0] || s.state) : 'unknown', info: s?.info ?? '', since: s?.since ?? '' };
      }),
    };
  }
}
