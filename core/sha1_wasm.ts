/**
 * The assembler of core/sha1.ts's WebAssembly SHA-1: the readable source of
 * the bytes embedded there as SHA1_WASM (start-up cannot afford to assemble
 * them; tests/core/sha1_test.ts checks the two agree).
 *
 * The code runs in V8's baseline compiler, Liftoff: `status` hashes its
 * whole plan in one call, before any tier-up. Liftoff translates each
 * instruction on its own, so the compression function is straight-line
 * code: 80 unrolled rounds whose variables change roles instead of being
 * moved, constants as immediates, the message schedule in a 16-word window
 * of locals, and rotations as two shifts (Liftoff's `i32.rotl` by a
 * constant measured twice as slow).
 *
 * Exports:
 * - `mem`: the memory (the hash state lives at STATE; everything else is
 *   where the caller says).
 * - `hash(start, n, out)`: SHA-1 of the `n` bytes at `start`, written at
 *   `out` as 40 lowercase hex digits. Pads in place: up to 72 bytes after
 *   the message are overwritten.
 * - `chain(table, count, src, ascii, out, scratch)`: the IDs of a chain of
 *   git-style objects, 40 hex digits each at `out` (see `chainFunction`).
 */

/** Where the hash state (five 32-bit words) lives. */
const STATE = 0;

type Code = number[];

/** Unsigned LEB128. */
function uleb(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit integer. */
function sleb(n: bigint): Code {
  const out: Code = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

// Instructions, written as expressions: an operator takes its operands' code.
const get = (i: number): Code => [0x20, i];
const set = (i: number, v: Code): Code => [...v, 0x21, i];
const i32 = (n: number): Code => [0x41, ...sleb(BigInt(n | 0))];
const i64 = (n: bigint): Code => [0x42, ...sleb(BigInt.asIntN(64, n))];
const load = (addr: Code, offset = 0): Code => [...addr, 0x28, 2, ...uleb(offset)];
const load64 = (addr: Code): Code => [...addr, 0x29, 3, 0];
const load8 = (addr: Code): Code => [...addr, 0x2d, 0, 0];
const store = (addr: Code, v: Code, offset = 0): Code => [...addr, ...v, 0x36, 2, ...uleb(offset)];
const store8 = (addr: Code, v: Code, offset = 0): Code => [...addr, ...v, 0x3a, 0, ...uleb(offset)];
const binary = (op: number) => (a: Code, b: Code): Code => [...a, ...b, op];
const add = binary(0x6a);
const sub = binary(0x6b);
const mul = binary(0x6c);
const divU = binary(0x6e);
const remU = binary(0x70);
const and = binary(0x71);
const or = binary(0x72);
const xor = binary(0x73);
const shl = binary(0x74);
const shrU = binary(0x76);
const ne = binary(0x47);
const ltS = binary(0x48);
const ltU = binary(0x49);
const geS = binary(0x4e);
const geU = binary(0x4f);
const and64 = binary(0x83);
const shrU64 = binary(0x88);
const eqz64 = (a: Code): Code => [...a, 0x50];
const extendU = (a: Code): Code => [...a, 0xad];
const select = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1b];
const call = (f: number, ...args: Code[]): Code => [...args.flat(), 0x10, f];
const copy = (dst: Code, src: Code, n: Code): Code => [...dst, ...src, ...n, 0xfc, 10, 0, 0];
const fill = (dst: Code, v: Code, n: Code): Code => [...dst, ...v, ...n, 0xfc, 11, 0];
const ret = (v: Code): Code => [...v, 0x0f];
const END = 0x0b;
/** `if (cond) then else otherwise`, as statements. */
const ifElse = (cond: Code, then: Code[], otherwise: Code[] = []): Code => [
  ...cond,
  0x04,
  0x40,
  ...then.flat(),
  ...(otherwise.length ? [0x05, ...otherwise.flat()] : []),
  END,
];
/** `while (cond) body`. */
const whileLoop = (cond: Code, body: Code[]): Code => [
  ...[0x02, 0x40, 0x03, 0x40], // block, loop
  ...cond,
  ...[0x45, 0x0d, 1], // i32.eqz, br_if out of the block
  ...body.flat(),
  ...[0x0c, 0, END, END], // br to the loop
];
/** `do body while (cond)`. */
const doWhile = (body: Code[], cond: Code): Code => [
  ...[0x03, 0x40],
  ...body.flat(),
  ...cond,
  ...[0x0d, 0, END],
];

/** Local `x` rotated left by `n` bits. */
const rotl = (x: number, n: number): Code => or(shl(get(x), i32(n)), shrU(get(x), i32(32 - n)));

/** Local `x` byte-swapped (a word read or written big-endian). */
const byteSwap = (x: number): Code =>
  or(
    or(shl(get(x), i32(24)), and(shl(get(x), i32(8)), i32(0xff0000))),
    or(and(shrU(get(x), i32(8)), i32(0xff00)), shrU(get(x), i32(24))),
  );

/** A function: its type index, number of extra i32 locals, and body. */
interface Func {
  type: number;
  locals: number;
  body: Code;
}

/**
 * Function 0, `compress(p)`: compress the 64-byte block at `p` into the
 * state. Locals: p; the five working variables; the schedule window (w[t]
 * lives in local W + t % 16).
 */
function compressFunction(): Func {
  const P = 0, V = 1, W = 6;
  const body: Code[] = [];
  for (let i = 0; i < 16; i++) {
    body.push(set(W + i, load(get(P), 4 * i)), set(W + i, byteSwap(W + i)));
  }
  for (let i = 0; i < 5; i++) body.push(set(V + i, load(i32(0), STATE + 4 * i)));
  for (let t = 0; t < 80; t++) {
    // Role r (a = 0 … e = 4) is held by local V + (r - t) mod 5.
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map((r) => V + (r - t % 5 + 5) % 5);
    const wt = W + t % 16;
    if (t >= 16) {
      const w = (back: number) => get(W + (t - back) % 16);
      body.push(set(wt, xor(xor(xor(w(3), w(8)), w(14)), w(16))));
      body.push(set(wt, rotl(wt, 1)));
    }
    const f = t < 20
      ? xor(get(d), and(get(b), xor(get(c), get(d))))
      : t < 40 || t >= 60
      ? xor(xor(get(b), get(c)), get(d))
      : or(and(get(b), get(c)), and(get(d), or(get(b), get(c))));
    const k = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6][Math.floor(t / 20)];
    // e + k + w first: this order measured 12% faster in Liftoff.
    body.push(set(e, add(add(add(add(get(e), i32(k)), get(wt)), f), rotl(a, 5))));
    body.push(set(b, rotl(b, 30)));
  }
  for (let i = 0; i < 5; i++) {
    body.push(store(i32(0), add(load(i32(0), STATE + 4 * i), get(V + i)), STATE + 4 * i));
  }
  return { type: 0, locals: 21, body: body.flat() };
}

/**
 * Function 1, `hash(start, n, out)`: pad the `n` bytes at `start` in place,
 * compress them, and write the digest at `out` as 40 lowercase hex digits.
 */
function hashFunction(): Func {
  const START = 0, N = 1, OUT = 2, P = 3, LAST = 4, X = 5;
  /** The lowercase hex digit of the nibble in X. */
  const hexDigit = add(add(get(X), i32(48)), mul(shrU(add(get(X), i32(6)), i32(4)), i32(39)));
  const hex: Code[] = [];
  for (let i = 0; i < 5; i++) {
    hex.push(set(P, load(i32(0), STATE + 4 * i)));
    for (let j = 0; j < 8; j++) {
      hex.push(set(X, and(shrU(get(P), i32(28 - 4 * j)), i32(15))));
      hex.push(store8(get(OUT), hexDigit, 8 * i + j));
    }
  }
  const h0 = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const body = [
    set(P, add(get(START), get(N))),
    // LAST: the end of the padded message, a whole number of blocks from START.
    set(LAST, add(get(START), shl(add(shrU(add(get(N), i32(8)), i32(6)), i32(1)), i32(6)))),
    store8(get(P), i32(0x80)),
    fill(add(get(P), i32(1)), i32(0), sub(sub(get(LAST), get(P)), i32(9))),
    // The message length in bits, big-endian.
    set(X, shrU(get(N), i32(29))),
    store(sub(get(LAST), i32(8)), byteSwap(X)),
    set(X, shl(get(N), i32(3))),
    store(sub(get(LAST), i32(4)), byteSwap(X)),
    ...h0.map((v, i) => store(i32(0), i32(v), STATE + 4 * i)),
    set(P, get(START)),
    doWhile([call(0, get(P)), set(P, add(get(P), i32(64)))], ltU(get(P), get(LAST))),
    ...hex,
  ];
  return { type: 1, locals: 3, body: body.flat() };
}

/**
 * Function 2, `span(p, units, ascii)`: the number of bytes of the UTF-8
 * text at `p` that encode `units` UTF-16 code units (as TextEncoder writes
 * it: lone surrogates as U+FFFD, 3 bytes for 1 unit; 4-byte sequences for
 * 2 units). With `ascii`, that is `units`. Reads up to 8 bytes past the end.
 */
function spanFunction(): Func {
  const P = 0, UNITS = 1, ASCII = 2, Q = 3, B = 4, C = 5;
  const body = [
    ifElse(get(ASCII), [ret(get(UNITS))]),
    set(Q, get(P)),
    whileLoop(ltS(i32(0), get(UNITS)), [
      // Up to 8 ASCII bytes at once (as many as units are left).
      set(C, select(i32(8), get(UNITS), geS(get(UNITS), i32(8)))),
      ifElse(
        eqz64(
          and64(
            load64(get(Q)),
            shrU64(i64(0x8080808080808080n), extendU(sub(i32(64), shl(get(C), i32(3))))),
          ),
        ),
        [set(Q, add(get(Q), get(C))), set(UNITS, sub(get(UNITS), get(C)))],
        [
          set(B, load8(get(Q))),
          set(
            Q,
            add(
              add(add(get(Q), i32(1)), geU(get(B), i32(0xc0))),
              add(geU(get(B), i32(0xe0)), geU(get(B), i32(0xf0))),
            ),
          ),
          set(UNITS, sub(sub(get(UNITS), i32(1)), geU(get(B), i32(0xf0)))),
        ],
      ),
    ]),
    sub(get(Q), get(P)),
  ];
  return { type: 2, locals: 3, body: body.flat() };
}

/**
 * Function 3, `chain(table, count, src, ascii, out, scratch)`: hash `count`
 * git-style objects into 40 hex digits each at `out` (object i at
 * out + 40 i). Object i's entry in `table` is four i32 words: K, P and S,
 * the UTF-16 lengths of its kind, prefix and suffix, and R, the index of an
 * earlier object whose ID goes between prefix and suffix, or -1. `src`
 * holds the UTF-8 of every object's kind, prefix and suffix, each followed
 * by one separator byte (which also keeps a surrogate pair from spanning
 * two parts); `ascii` says it is all ASCII. Each message
 * `"<kind> <byte length>\0" + prefix + ID + suffix` is assembled at
 * `scratch` (room for the longest plus 72 bytes) and hashed there.
 */
function chainFunction(): Func {
  const TABLE = 0, COUNT = 1, SRC = 2, ASCII = 3, OUT = 4, SCRATCH = 5;
  const LAST = 6, O = 7, REF = 8, KB = 9, PB = 10, SB = 11, LEN = 12, M = 13, D = 14, Q = 15;
  const hasRef = geS(get(REF), i32(0));
  /** The byte length of the part of `units` UTF-16 units at `p`. */
  const span = (p: Code, units: Code) => call(2, p, units, get(ASCII));
  const body = [
    set(LAST, add(get(TABLE), shl(get(COUNT), i32(4)))),
    set(O, get(OUT)),
    whileLoop(ltU(get(TABLE), get(LAST)), [
      set(REF, load(get(TABLE), 12)),
      set(KB, span(get(SRC), load(get(TABLE)))),
      set(PB, span(add(add(get(SRC), get(KB)), i32(1)), load(get(TABLE), 4))),
      set(SB, span(add(add(add(get(SRC), get(KB)), get(PB)), i32(2)), load(get(TABLE), 8))),
      set(LEN, add(add(get(PB), get(SB)), mul(hasRef, i32(40)))),
      // The header: kind, space, the length in decimal, NUL.
      copy(get(SCRATCH), get(SRC), get(KB)),
      set(SRC, add(add(get(SRC), get(KB)), i32(1))),
      set(M, add(get(SCRATCH), get(KB))),
      store8(get(M), i32(0x20)),
      set(D, get(LEN)),
      doWhile([set(M, add(get(M), i32(1))), set(D, divU(get(D), i32(10)))], ne(get(D), i32(0))),
      set(D, get(LEN)),
      set(Q, get(M)),
      doWhile([
        store8(get(Q), add(remU(get(D), i32(10)), i32(48))),
        set(Q, sub(get(Q), i32(1))),
        set(D, divU(get(D), i32(10))),
      ], ne(get(D), i32(0))),
      store8(get(M), i32(0), 1),
      set(M, add(get(M), i32(2))),
      // The text: prefix, the referenced ID, suffix.
      copy(get(M), get(SRC), get(PB)),
      set(M, add(get(M), get(PB))),
      set(SRC, add(add(get(SRC), get(PB)), i32(1))),
      ifElse(hasRef, [
        copy(get(M), add(get(OUT), mul(get(REF), i32(40))), i32(40)),
        set(M, add(get(M), i32(40))),
      ]),
      copy(get(M), get(SRC), get(SB)),
      set(M, add(get(M), get(SB))),
      set(SRC, add(add(get(SRC), get(SB)), i32(1))),
      call(1, get(SCRATCH), sub(get(M), get(SCRATCH)), get(O)),
      set(O, add(get(O), i32(40))),
      set(TABLE, add(get(TABLE), i32(16))),
    ]),
  ];
  return { type: 3, locals: 10, body: body.flat() };
}

/** Module section `id` with its contents. */
const section = (id: number, bytes: Code): Code => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): Code => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const I32 = 0x7f;

/** The WebAssembly module's bytes. */
export function sha1Module(): Uint8Array<ArrayBuffer> {
  const types = [
    [0x60, 1, I32, 0], // 0: (i32) -> ()
    [0x60, 3, I32, I32, I32, 0], // 1: (i32, i32, i32) -> ()
    [0x60, 3, I32, I32, I32, 1, I32], // 2: (i32, i32, i32) -> i32
    [0x60, 6, I32, I32, I32, I32, I32, I32, 0], // 3: (i32 × 6) -> ()
  ];
  const fns = [compressFunction(), hashFunction(), spanFunction(), chainFunction()];
  const code = fns.map((f) => {
    const body = [1, ...uleb(f.locals), I32, ...f.body, END];
    return [...uleb(body.length), ...body];
  });
  const exports = [[...name("mem"), 2, 0], [...name("hash"), 0, 1], [...name("chain"), 0, 3]];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version
    ...section(1, [types.length, ...types.flat()]),
    ...section(3, [fns.length, ...fns.map((f) => f.type)]),
    ...section(5, [1, 0, 1]), // memory: at least one page
    ...section(7, [exports.length, ...exports.flat()]),
    ...section(10, [code.length, ...code.flat()]),
  ]);
}
