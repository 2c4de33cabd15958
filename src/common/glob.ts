// glob(3) as keepalived's include uses it (GLOB_BRACE): '*', '?', '[...]' per path
// component and csh braces, matches sorted; no match, no paths. Node 20 has no fs.glob.
import { readdirSync, statSync } from 'node:fs';
import { posix as path } from 'node:path';

/** {a,b}c -> ac, bc (nested braces too). */
function braces(p: string): string[] {
  const open = p.indexOf('{');
  if (open < 0) return [p];
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    if (p[i] === '{') depth++;
    else if (p[i] === '}' && --depth === 0) {
      const parts: string[] = [];
      let d = 0, start = open + 1;
      for (let j = open + 1; j < i; j++) {
        if (p[j] === '{') d++;
        else if (p[j] === '}') d--;
        else if (p[j] === ',' && d === 0) { parts.push(p.slice(start, j)); start = j + 1; }
      }
      parts.push(p.slice(start, i));
      return parts.flatMap((x) => braces(p.slice(0, open) + x + p.slice(i + 1)));
    }
  }
  return [p];
}

// A class that starts with '!' (or '^', as glibc's fnmatch also takes) matches what it does not list.
const toRegex = (seg: string) => new RegExp(`^${seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/(?<!\\)\[(?:!|\\\^)/g, '[^').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\\\[/g, '[').replace(/\\\]/g, ']')}$`);

/** The paths matching `pattern`, relative patterns resolved against `dir`. */
export function globSync(pattern: string, dir = '.'): string[] {
  const out = new Set<string>();
  for (const p of braces(pattern)) {
    const abs = path.isAbsolute(p) ? p : path.join(dir, p);
    let bases = [abs.startsWith('/') ? '/' : '.'];
    for (const seg of abs.split('/').filter(Boolean)) {
      const next: string[] = [];
      for (const b of bases) {
        if (!/[*?[]/.test(seg)) { next.push(path.join(b, seg)); continue; }
        let names: string[] = [];
        try { names = readdirSync(b); } catch { continue; }
        const re = toRegex(seg);
        for (const n of names.sort()) if (re.test(n) && (seg.startsWith('.') || !n.startsWith('.'))) next.push(path.join(b, n));
      }
      bases = next;
    }
    for (const b of bases) {
      try { if (statSync(b).isFile()) out.add(b); } catch { /* no such file: not a match */ }
    }
  }
  return [...out];
}
