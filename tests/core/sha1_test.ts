import { strictEqual } from "node:assert/strict";
import { createHash } from "node:crypto";
import { Sha1, sha1Hex } from "../../core/sha1.ts";

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
