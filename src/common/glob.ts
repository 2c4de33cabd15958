// glob(3) as keepalived's include uses it (GLOB_BRACE): '*', '?', '[...]' ('[!...]' and
// '[^...]' negated, as glibc's fnmatch) per path component, csh braces; files only;
// names starting with '.' only for a pattern that starts with '.'. glibc expands the
// braces first and globs each alternative in turn (GLOB_APPEND), each one's matches
// sorted: so do we. Node 20 has no fs.glob; node-glob and minimatch do the matching.
import { posix as path } from 'node:path';
import { globSync as globFiles } from 'glob';
import { braceExpand } from 'minimatch';

/** The paths matching `pattern`, relative patterns resolved against `dir`. */
export function globSync(pattern: string, dir = '.'): string[] {
  const out = new Set<string>();
  for (const alternative of braceExpand(pattern)) {
    const found = globFiles(alternative, { cwd: dir, nodir: true, dot: false, nobrace: true, posix: true });
    for (const p of found.sort()) out.add(path.isAbsolute(p) ? p : path.join(dir, p));
  }
  return [...out];
}
