/**
 * SHA-1 (FIPS 180-4) in plain TypeScript, synchronous. Change and tag IDs
 * and script hashes are SHA-1 digests (ids.md); computing them here rather
 * than through `node:crypto` keeps that module (tens of milliseconds to
 * load) out of every command's start-up.
 */

const W = new Int32Array(80);

/** An incremental SHA-1: `update` with byte chunks, then `hex`. */
export class Sha1 {
  #h0 = 0x67452301;
  #h1 = 0xefcdab89 | 0;
  #h2 = 0x98badcfe | 0;
  #h3 = 0x10325476;
  #h4 = 0xc3d2e1f0 | 0;
  #block = new Uint8Array(64);
  #fill = 0;
  #length = 0;

  /** Feed bytes. */
  update(bytes: Uint8Array): this {
    let i = 0;
    const n = bytes.length;
    this.#length += n;
    if (this.#fill > 0) {
      while (i < n && this.#fill < 64) this.#block[this.#fill++] = bytes[i++];
      if (this.#fill < 64) return this;
      this.#compress(this.#block, 0);
      this.#fill = 0;
    }
    for (; i + 64 <= n; i += 64) this.#compress(bytes, i);
    while (i < n) this.#block[this.#fill++] = bytes[i++];
    return this;
  }

  /** Finish and return the digest as 40 lowercase hex digits. */
  hex(): string {
    const bits = this.#length * 8;
    const block = this.#block;
    block[this.#fill++] = 0x80;
    if (this.#fill > 56) {
      block.fill(0, this.#fill);
      this.#compress(block, 0);
      this.#fill = 0;
    }
    block.fill(0, this.#fill, 56);
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    block[56] = high >>> 24;
    block[57] = high >>> 16;
    block[58] = high >>> 8;
    block[59] = high;
    block[60] = low >>> 24;
    block[61] = low >>> 16;
    block[62] = low >>> 8;
    block[63] = low;
    this.#compress(block, 0);
    return hex8(this.#h0) + hex8(this.#h1) + hex8(this.#h2) + hex8(this.#h3) + hex8(this.#h4);
  }

  #compress(b: Uint8Array, o: number): void {
    for (let t = 0; t < 16; t++) {
      const p = o + t * 4;
      W[t] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    }
    for (let t = 16; t < 80; t++) {
      const x = W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16];
      W[t] = (x << 1) | (x >>> 31);
    }
    let a = this.#h0, b1 = this.#h1, c = this.#h2, d = this.#h3, e = this.#h4;
    for (let t = 0; t < 80; t++) {
      let f: number, k: number;
      if (t < 20) {
        f = (b1 & c) | (~b1 & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b1 ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b1 & c) | (b1 & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b1 ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + W[t]) | 0;
      e = d;
      d = c;
      c = (b1 << 30) | (b1 >>> 2);
      b1 = a;
      a = temp;
    }
    this.#h0 = (this.#h0 + a) | 0;
    this.#h1 = (this.#h1 + b1) | 0;
    this.#h2 = (this.#h2 + c) | 0;
    this.#h3 = (this.#h3 + d) | 0;
    this.#h4 = (this.#h4 + e) | 0;
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** SHA-1 of the bytes as 40 lowercase hex digits. */
export function sha1Hex(...chunks: Uint8Array[]): string {
  const h = new Sha1();
  for (const c of chunks) h.update(c);
  return h.hex();
}
