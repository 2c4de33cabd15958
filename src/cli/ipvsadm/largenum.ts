// print_largenum from ipvsadm.c: 9 columns, K/M/G/T suffixes unless --exact.

export function formatLargenum(value: bigint | number, exact: boolean): string {
  const i = typeof value === 'bigint' ? value : BigInt(Math.max(0, Math.trunc(value)));
  const s = i.toString();
  if (exact) return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  if (i < 100000000n) return s.padStart(9);
  if (i < 1000000000n) return `${(i / 1000n).toString().padStart(8)}K`;
  if (i < 100000000000n) return `${(i / 1000000n).toString().padStart(8)}M`;
  if (i < 100000000000000n) return `${(i / 1000000000n).toString().padStart(8)}G`;
  return `${(i / 1000000000000n).toString().padStart(8)}T`;
}
