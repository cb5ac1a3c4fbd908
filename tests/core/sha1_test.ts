import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  type ChainObject,
  Sha1,
  SHA1_WASM,
  sha1Hex,
  sha1HexChain,
  sha1HexObject,
} from "../../core/sha1.ts";
import { sha1Module } from "../../core/sha1_wasm.ts";

const enc = new TextEncoder();

Deno.test("sha1: FIPS 180 examples", () => {
  strictEqual(sha1Hex(enc.encode("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  strictEqual(sha1Hex(enc.encode("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  strictEqual(
    sha1Hex(enc.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
  );
  const h = new Sha1();
  const a = enc.encode("a".repeat(1000));
  for (let i = 0; i < 1000; i++) h.update(a);
  strictEqual(h.hex(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
});

Deno.test("sha1: agrees with node:crypto on every length 0..300 and random chunkings", () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let n = 0; n <= 300; n++) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = Math.floor(rand() * 256);
    const want = createHash("sha1").update(bytes).digest("hex");
    strictEqual(sha1Hex(bytes), want, `length ${n}`);
    const cut = Math.floor(rand() * (n + 1));
    strictEqual(
      sha1Hex(bytes.subarray(0, cut), bytes.subarray(cut)),
      want,
      `length ${n} cut ${cut}`,
    );
  }
});

Deno.test("sha1: the embedded WebAssembly module is what core/sha1_wasm.ts assembles", () => {
  strictEqual(btoa(String.fromCharCode(...sha1Module())), SHA1_WASM);
});

Deno.test("sha1: long messages (memory growth) and git-object hashing", () => {
  const big = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
  strictEqual(sha1Hex(big), createHash("sha1").update(big).digest("hex"));
  strictEqual(sha1Hex(enc.encode("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  for (const text of ["", "héllo ✓ 𝄞", "x".repeat(100_000)]) {
    const bytes = enc.encode(text);
    const want = createHash("sha1").update(`tag ${bytes.length}\0`).update(bytes).digest("hex");
    strictEqual(sha1HexObject("tag", text), want);
  }
});

/** The git-object ID of `text` by node:crypto: SHA-1 of `"<kind> <bytes>\0" + UTF-8`. */
function objectIdOracle(kind: string, text: string): string {
  const bytes = enc.encode(text);
  return createHash("sha1").update(`${kind} ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The IDs of a chain, object by object, by node:crypto. */
function chainOracle(objects: readonly ChainObject[]): string[] {
  const ids: string[] = [];
  for (const o of objects) {
    ids.push(objectIdOracle(o.kind, o.prefix + (o.ref === undefined ? "" : ids[o.ref]) + o.suffix));
  }
  return ids;
}

/** A seeded pseudo-random generator: integers in [0, n). */
function randomInts(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return Math.floor((seed / 0x80000000) * n);
  };
}

const ASCII_CHARS = ["a", "Z", "0", " ", "\n", "<", "@", "\0", "~"];
const OTHER_CHARS = [
  "é",
  "ø",
  "✓",
  "€",
  "𝄞",
  "😀",
  "\ud83d",
  "\ude00",
  "\uffff",
  "\u0800",
  "\u07ff",
];

/** A random chain: texts of 0–300 characters (some of several KB), refs to any earlier object. */
function randomChain(count: number, seed: number, ascii: boolean): ChainObject[] {
  const rand = randomInts(seed);
  const chars = ascii ? ASCII_CHARS : [...ASCII_CHARS, ...OTHER_CHARS];
  const text = () => {
    const n = rand(10) === 0 ? rand(300) : rand(8) === 0 ? 2000 + rand(6000) : rand(300);
    let s = "";
    for (let i = 0; i < n; i++) s += chars[rand(chars.length)];
    return rand(6) === 0 ? "" : s;
  };
  return Array.from({ length: count }, (_, i) => {
    const kind = ["change", "tag", "blob"][rand(3)];
    const ref = i > 0 && rand(5) !== 0 ? rand(i) : undefined;
    return ref === undefined
      ? { kind, prefix: text(), suffix: text() }
      : { kind, prefix: text(), ref, suffix: text() };
  });
}

Deno.test("sha1HexChain: random ASCII and non-ASCII chains agree with node:crypto", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const objects = randomChain(60, seed, seed % 2 === 0);
    const want = chainOracle(objects);
    deepStrictEqual(sha1HexChain(objects), want, `seed ${seed}`);
    // sha1HexObject on each full text gives the same IDs.
    const ids: string[] = [];
    for (const o of objects) {
      ids.push(
        sha1HexObject(o.kind, o.prefix + (o.ref === undefined ? "" : ids[o.ref]) + o.suffix),
      );
    }
    deepStrictEqual(ids, want, `seed ${seed} (sha1HexObject)`);
  }
});

Deno.test("sha1HexChain: every message length around the padding boundaries", () => {
  // Message lengths (header included) 0..300 for each shape, text of one
  // repeated character: ASCII, 2-byte, 3-byte and astral.
  for (const unit of ["x", "é", "✓", "𝄞"]) {
    const objects: ChainObject[] = [{ kind: "change", prefix: "", suffix: "" }];
    for (let n = 0; n * unit.length <= 260; n++) {
      const text = unit.repeat(n);
      objects.push({ kind: "tag", prefix: text, suffix: "" });
      objects.push({ kind: "change", prefix: "", suffix: text });
      objects.push({ kind: "change", prefix: text, ref: 0, suffix: "" });
      objects.push({ kind: "tag", prefix: "", ref: objects.length - 1, suffix: text });
      objects.push({ kind: "c", prefix: text.slice(0, n), ref: objects.length - 2, suffix: text });
    }
    deepStrictEqual(sha1HexChain(objects), chainOracle(objects), `unit ${unit}`);
  }
  // The lengths the padding cares about, exactly.
  const objects: ChainObject[] = [];
  for (const length of [55, 56, 63, 64, 119, 120]) {
    for (const kind of ["tag", "change"]) {
      let n = 0;
      while (`${kind} ${n}\0`.length + n !== length) n++;
      const text = "y".repeat(n);
      objects.push({ kind, prefix: text, suffix: "" });
      if (n >= 40) {
        objects.push({
          kind,
          prefix: text.slice(0, 7),
          ref: objects.length - 1,
          suffix: text.slice(47),
        });
      }
      const message = `${kind} ${n}\0${text}`;
      strictEqual(message.length, length);
    }
  }
  deepStrictEqual(sha1HexChain(objects), chainOracle(objects));
});

Deno.test("sha1HexChain: surrogates at the edges of prefix, ID and suffix", () => {
  const objects: ChainObject[] = [
    { kind: "change", prefix: "a\ud834", suffix: "\udd1eb" }, // one pair across the parts
    { kind: "change", prefix: "a\ud834", ref: 0, suffix: "\udd1eb" }, // two lone halves
    { kind: "tag", prefix: "\udd1e", ref: 1, suffix: "\ud834" },
    { kind: "tag", prefix: "𝄞", suffix: "𝄞" },
    { kind: "tag", prefix: "", ref: 3, suffix: "" },
    { kind: "change", prefix: "\ud834", suffix: "" },
    { kind: "change", prefix: "", suffix: "\udd1e" },
  ];
  deepStrictEqual(sha1HexChain(objects), chainOracle(objects));
  strictEqual(sha1HexChain(objects)[0], objectIdOracle("change", "a𝄞b"));
});

Deno.test("sha1HexChain: empty chains, and references that are not to earlier objects", () => {
  deepStrictEqual(sha1HexChain([]), []);
  strictEqual(
    sha1HexChain([{ kind: "blob", prefix: "", suffix: "" }])[0],
    "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", // git's empty blob
  );
  for (const ref of [0, 1, -1, 0.5, NaN]) {
    throws(() => sha1HexChain([{ kind: "tag", prefix: "", ref, suffix: "" }]), RangeError);
  }
});

Deno.test("sha1HexChain: a 10 000-object chain like a plan's (memory growth)", () => {
  const objects: ChainObject[] = [];
  for (let i = 1; i <= 10_000; i++) {
    const planner = i % 2
      ? "Bjørn Ødegård <bjorn@example.com>"
      : "Marge Simpson <marge@example.com>";
    const head = `project bench\nuri https://example.com/bench/\nchange change_${i}\n`;
    const tail = `planner ${planner}\ndate 2020-01-01T00:00:00Z\n\nChange number ${i}.`;
    objects.push(
      objects.length === 0 ? { kind: "change", prefix: head, suffix: tail } : {
        kind: "change",
        prefix: head + "parent ",
        ref: objects.length - 1,
        suffix: "\n" + tail,
      },
    );
    if (i % 50 === 0) {
      objects.push({
        kind: "tag",
        prefix: `project bench\ntag @v${i}\nchange `,
        ref: objects.length - 1,
        suffix: `\nplanner ${planner}\n\nRelease ${i}.`,
      });
    }
  }
  const ids = sha1HexChain(objects);
  deepStrictEqual(ids, chainOracle(objects));
  // A short chain in the grown memory, where the long one left its bytes.
  deepStrictEqual(sha1HexChain(objects.slice(0, 3)), ids.slice(0, 3));
});
