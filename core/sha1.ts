/**
 * SHA-1 (FIPS 180-4) in plain TypeScript, synchronous. Change and tag IDs
 * and script hashes are SHA-1 digests (ids.md); computing them here rather
 * than through `node:crypto` keeps that module (tens of milliseconds to
 * load) out of every command's start-up.
 *
 * `status` hashes every change of the plan at start-up, before the JIT has
 * warmed up, so the compression function is written for that: state in
 * locals, one branch-free loop per round, a shared message schedule, and a
 * one-shot path that pads in a reused buffer.
 */

/** The message schedule (shared: hashing is synchronous). */
const W = new Int32Array(80);

/** Compress the 64-byte block of `b` at offset `o` into `h` (five 32-bit words). */
function compress(h: Int32Array, b: Uint8Array, o: number): void {
  const w = W;
  for (let t = 0; t < 16; t++, o += 4) {
    w[t] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  }
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0], b1 = h[1], c = h[2], d = h[3], e = h[4];
  let t = 0;
  for (; t < 20; t++) {
    const x = (((a << 5) | (a >>> 27)) + ((b1 & c) | (~b1 & d)) + e + 0x5a827999 + w[t]) | 0;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = x;
  }
  for (; t < 40; t++) {
    const x = (((a << 5) | (a >>> 27)) + (b1 ^ c ^ d) + e + 0x6ed9eba1 + w[t]) | 0;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = x;
  }
  for (; t < 60; t++) {
    const x = (((a << 5) | (a >>> 27)) + ((b1 & c) | (b1 & d) | (c & d)) + e + 0x8f1bbcdc + w[t]) |
      0;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = x;
  }
  for (; t < 80; t++) {
    const x = (((a << 5) | (a >>> 27)) + (b1 ^ c ^ d) + e + 0xca62c1d6 + w[t]) | 0;
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = x;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b1) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

/** Set `h` to the initial hash value. */
function init(h: Int32Array): Int32Array {
  h[0] = 0x67452301;
  h[1] = 0xefcdab89;
  h[2] = 0x98badcfe;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0;
  return h;
}

/** Write the padding's 64-bit big-endian bit length of `bytes` message bytes at `b[o..o+8)`. */
function writeLength(b: Uint8Array, o: number, bytes: number): void {
  const high = Math.floor(bytes / 0x20000000);
  const low = (bytes * 8) >>> 0;
  b[o] = high >>> 24;
  b[o + 1] = high >>> 16;
  b[o + 2] = high >>> 8;
  b[o + 3] = high;
  b[o + 4] = low >>> 24;
  b[o + 5] = low >>> 16;
  b[o + 6] = low >>> 8;
  b[o + 7] = low;
}

let hexPairs: string[] | undefined;

/** The digest `h` as 40 lowercase hex digits. */
function hexDigest(h: Int32Array): string {
  const pairs = hexPairs ??= Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  let s = "";
  for (let i = 0; i < 5; i++) {
    const v = h[i];
    s += pairs[(v >>> 24) & 255] + pairs[(v >>> 16) & 255] + pairs[(v >>> 8) & 255] +
      pairs[v & 255];
  }
  return s;
}

/** An incremental SHA-1: `update` with byte chunks, then `hex`. */
export class Sha1 {
  #h = init(new Int32Array(5));
  #block = new Uint8Array(64);
  #fill = 0;
  #length = 0;

  /** Feed bytes. */
  update(bytes: Uint8Array): this {
    let i = 0;
    const n = bytes.length;
    this.#length += n;
    if (this.#fill > 0) {
      const take = Math.min(64 - this.#fill, n);
      this.#block.set(bytes.subarray(0, take), this.#fill);
      this.#fill += take;
      i = take;
      if (this.#fill < 64) return this;
      compress(this.#h, this.#block, 0);
      this.#fill = 0;
    }
    for (; i + 64 <= n; i += 64) compress(this.#h, bytes, i);
    if (i < n) {
      this.#block.set(bytes.subarray(i), 0);
      this.#fill = n - i;
    }
    return this;
  }

  /** Finish and return the digest as 40 lowercase hex digits. */
  hex(): string {
    const block = this.#block;
    block[this.#fill++] = 0x80;
    if (this.#fill > 56) {
      block.fill(0, this.#fill);
      compress(this.#h, block, 0);
      this.#fill = 0;
    }
    block.fill(0, this.#fill, 56);
    writeLength(block, 56, this.#length);
    compress(this.#h, block, 0);
    return hexDigest(this.#h);
  }
}

// ---------------------------------------------------------------------------
// The one-shot path: the same compression function in WebAssembly, which runs
// as machine code from its first call (JavaScript starts in the interpreter,
// and status hashes a thousand changes before the JIT has caught up).

/** Memory layout of the module: hash state, message schedule, message. */
const STATE = 0;
const MESSAGE = 512;

/**
 * The WebAssembly module (`run(start, end)` compresses the 64-byte blocks
 * of memory [start, end) into the five words at STATE, schedule at
 * SCHEDULE; memory exported as `mem`), as built by core/sha1_wasm.ts's
 * assembler (a test checks they agree).
 */
export const SHA1_WASM =
  "AGFzbQEAAAABBgFgAn9/AAMCAQAFAwEAAQcNAgNtZW0CAANydW4AAAqSBAGPBAEHfwJAA0AgACABTw0BQQAhBwNAIAcgAC0AAEEYdCAALQABQRB0ciAALQACQQh0ciAALQADcjYCQCAAQQRqIQAgB0EEaiIHQcAASQ0ACwNAIAcgBygCNCAHKAIgcyAHKAIIcyAHKAIAc0EBdzYCQCAHQQRqIgdBwAJJDQALQQAoAgAhAkEAKAIEIQNBACgCCCEEQQAoAgwhBUEAKAIQIQZBACEHA0AgAkEFdyAFIAMgBCAFc3FzaiAGakGZ84nUBWogBygCQGohCCAFIQYgBCEFIANBHnchBCACIQMgCCECIAdBBGoiB0HQAEkNAAsDQCACQQV3IAMgBHMgBXNqIAZqQaHX5/YGaiAHKAJAaiEIIAUhBiAEIQUgA0EedyEEIAIhAyAIIQIgB0EEaiIHQaABSQ0ACwNAIAJBBXcgAyAEcSAFIAMgBHJxcmogBmpB3Pnu+HhqIAcoAkBqIQggBSEGIAQhBSADQR53IQQgAiEDIAghAiAHQQRqIgdB8AFJDQALA0AgAkEFdyADIARzIAVzaiAGakHWg4vTfGogBygCQGohCCAFIQYgBCEFIANBHnchBCACIQMgCCECIAdBBGoiB0HAAkkNAAtBAEEAKAIAIAJqNgIAQQBBACgCBCADajYCBEEAQQAoAgggBGo2AghBAEEAKAIMIAVqNgIMQQBBACgCECAGajYCEAwACwsL";

/** The instantiated module and views of its memory (on first use; renewed when it grows). */
let wasm:
  | { mem: WebAssembly.Memory; run: (start: number, end: number) => void; bytes: Uint8Array }
  | undefined;

/** The module, with memory for a message of `size` padded bytes at MESSAGE. */
function sha1Wasm(size: number): NonNullable<typeof wasm> {
  if (!wasm) {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(fromBase64(SHA1_WASM)));
    const mem = exports.mem as WebAssembly.Memory;
    wasm = { mem, run: exports.run as (s: number, e: number) => void, bytes: new Uint8Array(0) };
  }
  const { mem } = wasm;
  if (mem.buffer.byteLength < MESSAGE + size) {
    mem.grow(Math.ceil((MESSAGE + size - mem.buffer.byteLength) / 65536));
  }
  if (wasm.bytes.buffer !== mem.buffer) wasm.bytes = new Uint8Array(mem.buffer);
  return wasm;
}

/** Pad the `n` message bytes at `start`, hash them, and return the hex digest. */
function finish(w: NonNullable<typeof wasm>, start: number, n: number): string {
  const buf = w.bytes;
  const size = (((n + 8) >>> 6) + 1) << 6;
  buf[start + n] = 0x80;
  buf.fill(0, start + n + 1, start + size - 8);
  writeLength(buf, start + size - 8, n);
  const state = new Int32Array(buf.buffer, STATE, 5);
  init(state);
  w.run(start, start + size);
  return hexDigest(state);
}

/** SHA-1 of the bytes as 40 lowercase hex digits. */
export function sha1Hex(...chunks: Uint8Array[]): string {
  let n = 0;
  for (const c of chunks) n += c.length;
  const w = sha1Wasm(n + 72);
  let o = MESSAGE;
  for (const c of chunks) {
    w.bytes.set(c, o);
    o += c.length;
  }
  return finish(w, MESSAGE, n);
}

/** Room left before the text for the `"<kind> <length>\0"` header. */
const HEADER_ROOM = 64;

/**
 * SHA-1 of `text` as UTF-8 after a git-object header: of the bytes
 * `"<kind> <byte length>\0<text>"`, as 40 lowercase hex digits. `kind` is
 * ASCII and short.
 */
export function sha1HexObject(kind: string, text: string): string {
  const w = sha1Wasm(HEADER_ROOM + text.length * 3 + 72);
  const body = MESSAGE + HEADER_ROOM;
  const n = encoder.encodeInto(text, w.bytes.subarray(body)).written;
  const header = `${kind} ${n}\0`;
  const start = body - header.length;
  for (let i = 0; i < header.length; i++) w.bytes[start + i] = header.charCodeAt(i);
  return finish(w, start, header.length + n);
}

const encoder = new TextEncoder();

/** Decode base64 (the module's bytes). */
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
