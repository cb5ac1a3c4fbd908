import { strictEqual } from "node:assert/strict";
import { createHash } from "node:crypto";
import { Sha1, SHA1_WASM, sha1Hex, sha1HexObject } from "../../core/sha1.ts";
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
