// Target ordering of SRV records (RFC 2782, "Usage rules"): lowest priority first, and within
// one priority a weighted random order.

import type { SrvRecord } from "./types.ts";

/**
 * Orders SRV records for trying in turn: by ascending priority, then within each priority by
 * RFC 2782's weighted selection (zero-weight records first in the running sum, a random number
 * in [0, sum], the first record whose running sum reaches it is taken, repeat). Records whose
 * target is "." (service decidedly not available) are dropped.
 */
export function orderSrvRecords(
  records: readonly SrvRecord[],
  random: () => number = Math.random,
): SrvRecord[] {
  const usable = records.filter((r) => r.target !== "" && r.target !== ".");
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    const group = usable.filter((r) => r.priority === priority);
    // Zero weights at the beginning (RFC 2782).
    const pool = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight > 0)];
    while (pool.length > 0) {
      const sum = pool.reduce((total, r) => total + r.weight, 0);
      const pick = Math.min(sum, Math.floor(random() * (sum + 1)));
      let running = 0;
      let index = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        running += pool[i].weight;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      ordered.push(pool[index]);
      pool.splice(index, 1);
    }
  }
  return ordered;
}
