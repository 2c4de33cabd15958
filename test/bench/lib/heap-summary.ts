// What a V8 heap snapshot holds, by kind of object: self size and count grouped by
// node type, constructor name and (for plain objects) the names of their first
// properties, so `{id, gen, written, ...}` (a writer RealSlot) is told apart from
// `{conns, pktsIn, ...}` (a counter sample). No retained sizes (no dominator tree):
// counts per shape are what tells which per-real structure dominates.
//
//   node build/js/test/bench/lib/heap-summary.js FILE.heapsnapshot [TOP]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[]; edges: number[]; strings: string[];
}

export function summarizeHeap(s: Snapshot, top = 40): { total: number; rows: { what: string; count: number; bytes: number }[] } {
  const nf = s.snapshot.meta.node_fields, ef = s.snapshot.meta.edge_fields;
  const N = nf.length, E = ef.length;
  const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iSize = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type'), eName = ef.indexOf('name_or_index');
  const nodeTypes = s.snapshot.meta.node_types[0], edgeTypes = s.snapshot.meta.edge_types[0];
  const propType = edgeTypes.indexOf('property');
  const groups = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0, e = 0; i < s.nodes.length; i += N) {
    const type = nodeTypes[s.nodes[i + iType]!]!, name = s.strings[s.nodes[i + iName]!]!;
    const size = s.nodes[i + iSize]!, edges = s.nodes[i + iEdges]!;
    let what = `${type} ${type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : name.slice(0, 40)}`;
    if (type === 'object' && (name === 'Object' || name === 'Array')) {
      const props: string[] = [];
      for (let j = 0; j < edges && props.length < 6; j++) {
        const at = e + j * E;
        if (s.edges[at + eType] === propType) {
          const p = s.strings[s.edges[at + eName]!]!;
          if (p !== '__proto__' && p !== 'map') props.push(p);
        }
      }
      what += ` {${props.join(',')}}`;
    }
    e += edges * E;
    total += size;
    const g = groups.get(what) ?? { count: 0, bytes: 0 };
    g.count++; g.bytes += size;
    groups.set(what, g);
  }
  const rows = [...groups].map(([what, g]) => ({ what, ...g })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
  return { total, rows };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const file = process.argv[2];
  if (!file) { console.error('usage: heap-summary.js FILE.heapsnapshot [TOP]'); process.exit(2); }
  const { total, rows } = summarizeHeap(JSON.parse(readFileSync(file, 'utf8')) as Snapshot, Number(process.argv[3] ?? 40));
  console.log(`heap: ${(total / 1048576).toFixed(1)} MB self size in all`);
  for (const r of rows) console.log(`${(r.bytes / 1048576).toFixed(1).padStart(8)} MB ${String(r.count).padStart(9)}  ${r.what}`);
}
