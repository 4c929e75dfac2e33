/**
 * Latency histogram and process accounting for the load benchmarks.
 *
 * The histogram is log-linear (HDR-style): exact to the microsecond below 1,024 us, then 64
 * sub-buckets per power of two (relative error below 1.6%), so it holds any number of samples in
 * a few kilobytes and merges by adding counts.
 *
 * @module
 */

const LINEAR_LIMIT_US = 1024;
const SUB_BUCKETS = 64;
const SUB_BITS = 6; // log2(SUB_BUCKETS)
const MAX_EXPONENT = 40; // ~12 days in microseconds: plenty
const BUCKET_COUNT = LINEAR_LIMIT_US + (MAX_EXPONENT - 10) * SUB_BUCKETS;

/** Percentile summary of a histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

function bucketOf(us: number): number {
  if (us < LINEAR_LIMIT_US) return us < 0 ? 0 : Math.floor(us);
  const v = Math.floor(us);
  const exponent = Math.floor(Math.log2(v)); // >= 10
  const sub = Math.floor(v / 2 ** (exponent - SUB_BITS)) - SUB_BUCKETS; // 0..63
  const index = LINEAR_LIMIT_US + (exponent - 10) * SUB_BUCKETS + sub;
  return index >= BUCKET_COUNT ? BUCKET_COUNT - 1 : index;
}

/** Upper bound (exclusive) of a bucket, in microseconds: the value reported for percentiles. */
function bucketUpperUs(index: number): number {
  if (index < LINEAR_LIMIT_US) return index + 1;
  const rel = index - LINEAR_LIMIT_US;
  const exponent = 10 + Math.floor(rel / SUB_BUCKETS);
  const sub = rel % SUB_BUCKETS;
  return (SUB_BUCKETS + sub + 1) * 2 ** (exponent - SUB_BITS);
}

/** Log-linear latency histogram with microsecond resolution. */
export class LatencyHistogram {
  #counts = new Float64Array(BUCKET_COUNT);
  #count = 0;
  #sumUs = 0;
  #maxUs = 0;

  /** Records one latency, given in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    this.#counts[bucketOf(us)]++;
    this.#count++;
    this.#sumUs += us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** Number of recorded samples. */
  get count(): number {
    return this.#count;
  }

  /** Adds every sample of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    const counts = other.#counts;
    for (let i = 0; i < BUCKET_COUNT; i++) this.#counts[i] += counts[i];
    this.#count += other.#count;
    this.#sumUs += other.#sumUs;
    if (other.#maxUs > this.#maxUs) this.#maxUs = other.#maxUs;
  }

  /** The latency (ms) below which `p` percent of the samples lie; 0 when empty. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(bucketUpperUs(i), this.#maxUs) / 1000;
    }
    return this.#maxUs / 1000;
  }

  /** p50/p90/p99/max/mean in milliseconds. */
  summary(): LatencySummary {
    return {
      count: this.#count,
      meanMs: this.#count === 0 ? 0 : this.#sumUs / this.#count / 1000,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      maxMs: this.#maxUs / 1000,
    };
  }
}

/** Clock ticks per second used by /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** Pids of `pid` and all its live descendants (read from /proc). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readStat(Number(entry.name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry.name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: split after the last ')'
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
}

/** CPU time (user + system, ms) used so far by `pid` and its live descendants. */
export function cpuTimeMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = readStat(p);
    if (stat) ticks += stat.utime + stat.stime;
  }
  return (ticks * 1000) / USER_HZ;
}

/** Memory of `pid` and its live descendants, in kilobytes. */
export interface TreeMemory {
  /** Sum of VmRSS: counts shared pages once per process. */
  rssKb: number;
  /** Sum of Pss (proportional set size): shared pages split between their users. */
  pssKb: number;
  processes: number;
}

function readKb(text: string, field: string): number {
  const match = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return match ? Number(match[1]) : 0;
}

/** VmRSS and Pss summed over `pid` and its live descendants. */
export function treeMemory(pid: number): TreeMemory {
  let rssKb = 0;
  let pssKb = 0;
  let processes = 0;
  for (const p of processTree(pid)) {
    try {
      rssKb += readKb(Deno.readTextFileSync(`/proc/${p}/status`), "VmRSS");
      pssKb += readKb(Deno.readTextFileSync(`/proc/${p}/smaps_rollup`), "Pss");
      processes++;
    } catch {
      // the process ended while we read it
    }
  }
  return { rssKb, pssKb, processes };
}

/**
 * Datagrams the kernel dropped so far on the UDP sockets of `pid` and its live descendants
 * (receive buffer full): the `drops` column of /proc/net/udp and udp6, for the socket inodes
 * found in /proc/PID/fd.
 */
export function udpDrops(pid: number): number {
  const inodes = new Set<string>();
  for (const p of processTree(pid)) {
    try {
      for (const entry of Deno.readDirSync(`/proc/${p}/fd`)) {
        const link = Deno.readLinkSync(`/proc/${p}/fd/${entry.name}`);
        if (link.startsWith("socket:[")) inodes.add(link.slice(8, -1));
      }
    } catch {
      // the process ended while we read it
    }
  }
  let drops = 0;
  for (const cols of procNetRows("udp")) { // ... inode ref pointer drops
    if (cols.length >= 13 && inodes.has(cols[9])) drops += Number(cols[12]);
  }
  return drops;
}

/** The socket rows of /proc/net/TABLE and TABLE6, columns split on blanks (headers left out;
 * a table that cannot be read adds nothing). */
export function procNetRows(table: "udp" | "tcp"): string[][] {
  const rows: string[][] = [];
  for (const file of [`/proc/net/${table}`, `/proc/net/${table}6`]) {
    let text = "";
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

/** Formats a number with a fixed count of decimals, for tables. */
export function fixed(value: number, decimals = 1): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : "-";
}
