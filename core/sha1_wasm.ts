/**
 * The assembler of core/sha1.ts's WebAssembly SHA-1 compression function:
 * the readable source of the bytes embedded there as SHA1_WASM (start-up
 * cannot afford to assemble them; tests/core/sha1_test.ts checks the two
 * agree). Memory layout: the five state words at 0, the 80-word message
 * schedule at 64, messages from 512.
 */

const STATE = 0;
const SCHEDULE = 64;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * The WebAssembly module: exports `mem` and `run(start, end)`, which
 * compresses the 64-byte blocks of memory [start, end) into the five
 * words at STATE (schedule at SCHEDULE).
 */
export function sha1Module(): Uint8Array<ArrayBuffer> {
  // Locals: 0 p, 1 end (params); 2 a, 3 b, 4 c, 5 d, 6 e, 7 t, 8 x.
  const [P, END, A, B, C, D, E, T, X] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i32 = (n: number) => [0x41, ...sleb(n)];
  const load = (offset: number) => [0x28, 2, ...uleb(offset)];
  const load8 = (offset: number) => [0x2d, 0, ...uleb(offset)];
  const store = (offset: number) => [0x36, 2, ...uleb(offset)];
  const [ADD, AND, OR, XOR, SHL, ROTL, LT_U, GE_U] = [
    0x6a,
    0x71,
    0x72,
    0x73,
    0x74,
    0x77,
    0x49,
    0x4f,
  ];
  const LOOP = [0x03, 0x40];
  const END_ = 0x0b;
  const step = (limit: number) => [...get(T), ...i32(4), ADD, ...tee(T), ...i32(limit), LT_U];
  /** One group of 20 rounds with its mixing function `f` (on b, c, d) and constant. */
  const rounds = (f: number[], k: number, limit: number) => [
    ...LOOP,
    ...get(A),
    ...i32(5),
    ROTL,
    ...f,
    ADD,
    ...get(E),
    ADD,
    ...i32(k),
    ADD,
    ...get(T),
    ...load(SCHEDULE),
    ADD,
    ...set(X),
    ...get(D),
    ...set(E),
    ...get(C),
    ...set(D),
    ...get(B),
    ...i32(30),
    ROTL,
    ...set(C),
    ...get(A),
    ...set(B),
    ...get(X),
    ...set(A),
    ...step(limit),
    0x0d,
    0,
    END_,
  ];
  const choose = [...get(D), ...get(B), ...get(C), ...get(D), XOR, AND, XOR]; // d ^ (b & (c ^ d))
  const parity = [...get(B), ...get(C), XOR, ...get(D), XOR];
  const majority = [...get(B), ...get(C), AND, ...get(D), ...get(B), ...get(C), OR, AND, OR];
  const body = [
    1,
    7,
    0x7f, // seven i32 locals
    0x02,
    0x40, // block (done)
    ...LOOP, // loop (blocks)
    ...get(P),
    ...get(END),
    GE_U,
    0x0d,
    1, // br_if done
    ...i32(0),
    ...set(T),
    ...LOOP, // W[0..16): big-endian words of the block
    ...get(T),
    ...get(P),
    ...load8(0),
    ...i32(24),
    SHL,
    ...get(P),
    ...load8(1),
    ...i32(16),
    SHL,
    OR,
    ...get(P),
    ...load8(2),
    ...i32(8),
    SHL,
    OR,
    ...get(P),
    ...load8(3),
    OR,
    ...store(SCHEDULE),
    ...get(P),
    ...i32(4),
    ADD,
    ...set(P),
    ...step(64),
    0x0d,
    0,
    END_,
    ...LOOP, // W[16..80)
    ...get(T),
    ...get(T),
    ...load(SCHEDULE - 12),
    ...get(T),
    ...load(SCHEDULE - 32),
    XOR,
    ...get(T),
    ...load(SCHEDULE - 56),
    XOR,
    ...get(T),
    ...load(SCHEDULE - 64),
    XOR,
    ...i32(1),
    ROTL,
    ...store(SCHEDULE),
    ...step(320),
    0x0d,
    0,
    END_,
    ...i32(0),
    ...load(STATE),
    ...set(A),
    ...i32(0),
    ...load(STATE + 4),
    ...set(B),
    ...i32(0),
    ...load(STATE + 8),
    ...set(C),
    ...i32(0),
    ...load(STATE + 12),
    ...set(D),
    ...i32(0),
    ...load(STATE + 16),
    ...set(E),
    ...i32(0),
    ...set(T),
    ...rounds(choose, 0x5a827999, 80),
    ...rounds(parity, 0x6ed9eba1, 160),
    ...rounds(majority, 0x8f1bbcdc, 240),
    ...rounds(parity, 0xca62c1d6, 320),
    ...[A, B, C, D, E].flatMap((v, i) => [
      ...i32(0),
      ...i32(0),
      ...load(STATE + 4 * i),
      ...get(v),
      ADD,
      ...store(STATE + 4 * i),
    ]),
    0x0c,
    0, // br blocks
    END_, // loop
    END_, // block
    END_, // function
  ];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 0]), // type: (i32, i32) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0, 1]), // memory: at least one page
    ...section(7, [2, ...name("mem"), 2, 0, ...name("run"), 0, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}
