// I/O with a running BIRD 2: write the config file ipvx owns (atomically), have BIRD
// check and load it (`birdc configure`), and read back its BGP sessions and the VIP
// routes it holds. Parsers of birdc's output are exported pure for tests.
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../config/atomic-write.js';
import { run, CommandError } from '../common/command.js';
import { birdConfigProblem } from './paths.js';

export interface BirdSession {
  /** BIRD protocol name (ipvx_peerN). */
  name: string;
  /** BIRD's protocol state: up, start, down... */
  state: string;
  /** BGP state and the last error as BIRD words them ("Established", "Active  Socket: Connection refused"). */
  info: string;
  since: string;
}

/** What ipvx needs of BIRD; the daemon uses BirdControl, tests a fake. */
export interface Bird {
  /** Replace the config file with `text` and have BIRD load it; throws with BIRD's reason. */
  load(text: string): Promise<void>;
  sessions(): Promise<BirdSession[]>;
  /** Prefixes held by the named static protocols. */
  routes(protocols: string[]): Promise<string[]>;
}

export class BirdError extends Error {}

const BIRDC_TIMEOUT_MS = 5000;

/** birdc's output without the greeting line. */
function body(out: string): string[] {
  return out.split('\n').filter((l) => l.trim() && !/^BIRD [\d.]+ ready\.$/.test(l.trim()));
}

/** `birdc show protocols` -> rows of the BGP protocols (Proto column "BGP"). */
export function parseProtocols(out: string): BirdSession[] {
  const rows: BirdSession[] = [];
  for (const line of body(out)) {
    // Name Proto Table State Since Info; Since is "HH:MM:SS.mmm" or a date and a time.
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d{4}-\d\d-\d\d \S+|\S+)\s*(.*)$/.exec(line);
    if (!m || m[1] === 'Name' || m[2] !== 'BGP') continue;
    rows.push({ name: m[1]!, state: m[4]!, since: m[5]!, info: m[6]!.trim().replace(/\s{2,}/g, '  ') });
  }
  return rows;
}

/** `birdc show route protocol X` -> the prefixes listed (one per route line). */
export function parseRoutes(out: string): string[] {
  const out2: string[] = [];
  for (const line of body(out)) {
    const m = /^([0-9a-fA-F.:]+\/\d+)\s/.exec(line);
    if (m) out2.push(m[1]!);
  }
  return out2;
}

export class BirdControl implements Bird {
  constructor(readonly configPath: string, readonly socket: string, private readonly birdc = 'birdc') {}

  /** Run birdc; rejects with BIRD's own words (parse error, no socket...). */
  private async run(args: string[]): Promise<string> {
    try {
      return (await run(this.birdc, ['-s', this.socket, ...args], { timeoutMs: BIRDC_TIMEOUT_MS })).stdout;
    } catch (e) {
      const why = e instanceof CommandError ? body(`${e.stdout}\n${e.stderr}`).join('; ') || e.message : (e as Error).message;
      throw new BirdError(`birdc -s ${this.socket} ${args.join(' ')}: ${why}`);
    }
  }

  /**
   * Check the new text with `configure check "<tmp>"` first, so a config BIRD refuses
   * never replaces the one it runs; then swap the file in and `configure`.
   */
  async load(text: string): Promise<void> {
    // Checked when the configuration was accepted; again here, as the file system may have changed since.
    const unsafe = birdConfigProblem(this.configPath);
    if (unsafe) throw new BirdError(`not writing BIRD's configuration: ${unsafe}`);
    let current: string | undefined;
    try { current = readFileSync(this.configPath, 'utf8'); } catch { current = undefined; }
    const candidate = `${this.configPath}.ipvx-check`;
    if (current !== text) {
      writeFileAtomic(candidate, text, { mkdir: false });
      try {
        const out = await this.run(['configure', 'check', `"${candidate}"`]);
        if (!/Configuration OK/.test(out)) throw new BirdError(`BIRD did not accept the new config: ${body(out).join('; ')}`);
      } finally {
        rmSync(candidate, { force: true });
      }
      writeFileAtomic(this.configPath, text, { mkdir: false });
    }
    const out = await this.run(['configure']);
    // "Reconfigured", "Reconfiguration in progress" (BIRD finishes it on its own) or "Reconfiguration already in progress, queueing".
    if (!/Reconfigur/.test(out)) throw new BirdError(`birdc configure: ${body(out).join('; ')}`);
  }

  async sessions(): Promise<BirdSession[]> {
    return parseProtocols(await this.run(['show', 'protocols']));
  }

  async routes(protocols: string[]): Promise<string[]> {
    const outs = await Promise.all(protocols.map((p) => this.run(['show', 'route', 'protocol', p])));
    return outs.flatMap(parseRoutes);
  }
}
