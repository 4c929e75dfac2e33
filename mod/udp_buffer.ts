/**
 * The kernel receive buffer of a UDP socket opened with `Deno.listenDatagram`.
 *
 * A UDP socket drops every datagram that arrives while its buffer is full. The Linux default
 * (`net.core.rmem_default`, 212,992 bytes) holds ~160 SIP responses on loopback, i.e. 33 ms at
 * 5,000 responses/s: a GC pause or a busy moment of the isolate longer than that loses
 * responses, and each lost response costs UDP retransmissions (Timer E) and latency. SIP
 * servers enlarge their buffers at start (Kamailio probes up to 256 KB, which the kernel
 * doubles), but `Deno.listenDatagram` has no option for `SO_RCVBUF` and does not expose the
 * descriptor. So, on Linux: find the socket's descriptor among the process's own (a UDP socket
 * bound to the same family and port, checked with `getsockname` and `SO_TYPE`) and call
 * `setsockopt(SO_RCVBUF)` through FFI (`Deno.dlopen` of the C library, which needs the
 * `--allow-ffi` permission). The kernel caps the request at `net.core.rmem_max` and doubles it
 * for its own bookkeeping; the size in effect is read back and reported.
 *
 * Elsewhere (another OS, no FFI permission, no C library) nothing changes and the reason is
 * returned, never thrown: the buffer is a tuning, not a condition for running.
 *
 * @module
 */

/** A UDP socket's local address, as `Deno.listenDatagram` reports it. */
export interface UdpLocalAddress {
  hostname: string;
  port: number;
}

/** What {@linkcode setUdpReceiveBuffer} did. */
export type UdpBufferResult =
  | { ok: true; requested: number; before: number; effective: number; sockets: number }
  | { ok: false; reason: string };

const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SO_RCVBUF = 8;
const SOCK_DGRAM = 2;
const AF_INET = 2;
const AF_INET6 = 10;

const SYMBOLS = {
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let libc: Libc | string | undefined;

/** The C library's socket calls, or why they are not available. */
function openLibc(): Libc | string {
  if (libc !== undefined) return libc;
  if (Deno.build.os !== "linux") return libc = `not supported on ${Deno.build.os}`;
  try {
    libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  } catch (error) {
    libc = error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ? "needs the --allow-ffi permission"
      : `cannot load the C library: ${error instanceof Error ? error.message : String(error)}`;
  }
  return libc;
}

function getInt(c: Libc, fd: number, option: number): number | undefined {
  const value = new Int32Array(1);
  const length = new Uint32Array([4]);
  return c.getsockopt(fd, SOL_SOCKET, option, value, length) === 0 ? value[0] : undefined;
}

/** Whether descriptor `fd` is a UDP socket bound to `family` and `port`, and its IPv4 address
 * matches `ipv4` when given. */
function isBoundTo(c: Libc, fd: number, family: number, port: number, ipv4?: number[]): boolean {
  const address = new Uint8Array(128);
  const length = new Uint32Array([address.length]);
  if (c.getsockname(fd, address, length) !== 0) return false;
  if ((address[0] | (address[1] << 8)) !== family) return false; // sa_family, little-endian
  if (((address[2] << 8) | address[3]) !== port) return false; // sin_port, network order
  if (ipv4 !== undefined && ipv4.some((byte, i) => address[4 + i] !== byte)) return false;
  return getInt(c, fd, SO_TYPE) === SOCK_DGRAM;
}

/** The process's open descriptors (from /proc; fds 3-1023 when /proc cannot be read). */
function openDescriptors(): number[] {
  try {
    return [...Deno.readDirSync("/proc/self/fd")].map((entry) => Number(entry.name))
      .filter((fd) => Number.isInteger(fd) && fd > 2);
  } catch {
    return Array.from({ length: 1021 }, (_, i) => i + 3);
  }
}

/** Descriptors of this process's UDP sockets bound to `local`. */
function socketsBoundTo(c: Libc, local: UdpLocalAddress): number[] {
  const v6 = local.hostname.includes(":");
  const ipv4 = v6 ? undefined : local.hostname.split(".").map(Number);
  return openDescriptors().filter((fd) =>
    isBoundTo(c, fd, v6 ? AF_INET6 : AF_INET, local.port, ipv4)
  );
}

/**
 * Asks for a receive buffer of `bytes` on the UDP socket bound to `local`. Sockets of this
 * process bound to the same port and family on several IPv6 addresses are all set (they are
 * the gateway's own).
 */
export function setUdpReceiveBuffer(local: UdpLocalAddress, bytes: number): UdpBufferResult {
  const c = openLibc();
  if (typeof c === "string") return { ok: false, reason: c };
  const fds = socketsBoundTo(c, local);
  if (fds.length === 0) return { ok: false, reason: "socket descriptor not found" };
  const before = getInt(c, fds[0], SO_RCVBUF) ?? 0;
  const value = new Int32Array([Math.min(bytes, 0x7fffffff)]);
  for (const fd of fds) {
    if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, 4) !== 0) {
      return { ok: false, reason: "setsockopt(SO_RCVBUF) failed" };
    }
  }
  const effective = getInt(c, fds[0], SO_RCVBUF) ?? before;
  return { ok: true, requested: bytes, before, effective, sockets: fds.length };
}

/** The receive buffer in effect on the UDP socket bound to `local`, if it can be read. */
export function getUdpReceiveBuffer(local: UdpLocalAddress): number | undefined {
  const c = openLibc();
  if (typeof c === "string") return undefined;
  const fd = socketsBoundTo(c, local)[0];
  return fd === undefined ? undefined : getInt(c, fd, SO_RCVBUF);
}
