/**
 * The gateway's heap under load, over the inspector protocol (used by profile_gateway.ts):
 *
 * - `sampleHeap(hostPort, seconds, kind)`: V8's sampling heap profiler, summarized by
 *   allocating function. `survivors`: objects that outlived a young-generation GC (what the
 *   scavenger copies and promotes); `live`: objects still alive at the end; `all`: every
 *   allocation (what makes the scavenges frequent).
 * - `countObjects(hostPort)`: a heap snapshot (a full GC first: live objects only) counted by
 *   constructor, to see which per-request objects stay alive and how many.
 *
 * @module
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface SamplingNode {
  callFrame: CallFrame;
  selfSize: number;
  children: SamplingNode[];
}

/** Which allocations a heap sample keeps (see the module doc). */
export type HeapSampleKind = "survivors" | "live" | "all";

/** One inspector session on the first target of `hostPort`. */
class Inspector {
  #ws: WebSocket;
  #nextId = 0;
  #pending = new Map<number, (result: unknown) => void>();
  /** Events by method name, for the chunks of a heap snapshot. */
  onEvent: (method: string, params: Record<string, unknown>) => void = () => {};

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data) as {
        id?: number;
        result?: unknown;
        method?: string;
        params?: Record<string, unknown>;
      };
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.result);
      else if (message.method !== undefined) this.onEvent(message.method, message.params ?? {});
    };
  }

  static async open(hostPort: string): Promise<Inspector> {
    const list = await (await fetch(`http://${hostPort}/json/list`)).json() as {
      webSocketDebuggerUrl: string;
    }[];
    const ws = new WebSocket(list[0].webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    return new Inspector(ws);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return new Promise((resolve) => {
      const id = ++this.#nextId;
      this.#pending.set(id, resolve);
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#ws.close();
  }
}

/** Samples allocations for `seconds`; returns a summary by allocating function and stack. */
export async function sampleHeap(
  hostPort: string,
  seconds: number,
  kind: HeapSampleKind,
  top = 30,
): Promise<string> {
  const inspector = await Inspector.open(hostPort);
  await inspector.call("HeapProfiler.enable");
  await inspector.call("HeapProfiler.startSampling", {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: kind !== "live",
    includeObjectsCollectedByMinorGC: kind === "all",
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const result = await inspector.call("HeapProfiler.getSamplingProfile") as {
    profile: { head: SamplingNode };
  };
  await inspector.call("HeapProfiler.stopSampling");
  inspector.close();
  return summarize(result.profile.head, kind, seconds, top);
}

function summarize(head: SamplingNode, kind: string, seconds: number, top: number): string {
  const byFunction = new Map<string, number>();
  const byStack = new Map<string, number>();
  let total = 0;
  const walk = (node: SamplingNode, stack: string[]) => {
    const frame = node.callFrame;
    const file = frame.url.replace(/^.*\/main\//, "");
    const name = `${frame.functionName || "(anon)"} ${file}:${frame.lineNumber + 1}`;
    const here = [...stack, name].slice(-4);
    if (node.selfSize > 0) {
      total += node.selfSize;
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      const key = here.join(" < ");
      byStack.set(key, (byStack.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, []);
  const lines = [`heap sample (${kind}): ${(total / 1e6).toFixed(1)} MB sampled in ${seconds} s`];
  const table = (title: string, map: Map<string, number>) => {
    lines.push(`-- ${title}`);
    for (const [name, size] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      lines.push(`${(100 * size / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  table("by allocating function", byFunction);
  table("by stack (innermost last, 4 frames)", byStack);
  return lines.join("\n");
}

/** Takes a heap snapshot and counts its objects by type and constructor (top by size). */
export async function countObjects(hostPort: string, top = 40): Promise<string> {
  const inspector = await Inspector.open(hostPort);
  const chunks: string[] = [];
  inspector.onEvent = (method, params) => {
    if (method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(params.chunk as string);
  };
  await inspector.call("HeapProfiler.enable");
  await inspector.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  inspector.close();
  const snapshot = JSON.parse(chunks.join("")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const counts = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]];
    const named = type === "object" || type === "closure";
    const key = named ? `${type} ${snapshot.strings[snapshot.nodes[i + nameAt]]}` : type;
    const entry = counts.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snapshot.nodes[i + sizeAt];
    counts.set(key, entry);
  }
  const lines = ["heap snapshot (live objects after a full GC), by type and constructor:"];
  for (
    const [key, { count, bytes }] of [...counts].sort((a, b) => b[1].bytes - a[1].bytes).slice(
      0,
      top,
    )
  ) {
    lines.push(`${String(count).padStart(9)} ${(bytes / 1e6).toFixed(2).padStart(8)} MB  ${key}`);
  }
  return lines.join("\n");
}
