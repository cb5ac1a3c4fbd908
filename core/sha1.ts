/**
 * SHA-1 (FIPS 180-4), synchronous. Change and tag IDs and script hashes are
 * SHA-1 digests (ids.md); computing them here rather than through
 * `node:crypto` keeps that module (tens of milliseconds to load) out of
 * every command's start-up.
 *
 * `status` computes every change and tag ID of the plan at start-up, in a
 * fresh process, before the JIT has warmed up. So the one-shot functions
 * (sha1Hex, sha1HexObject, sha1HexChain) run in WebAssembly (assembled by
 * core/sha1_wasm.ts), which is machine code from its first call, and a
 * whole chain of IDs, each holding an earlier one, is hashed in a single
 * call into it. The incremental Sha1 class is plain TypeScript.
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
// The one-shot paths, in WebAssembly. A chain costs one string join, one
// encodeInto, one table, one call and one decode, however long it is: per
// object, JavaScript only reads lengths and fills the table.

/**
 * The WebAssembly module (exports `mem`, `hash`, `chain`), as built by
 * core/sha1_wasm.ts's assembler (a test checks they agree).
 */
export const SHA1_WASM =
  "AGFzbQEAAAABGwRgAX8AYAN/f38AYAN/f38Bf2AGf39/f39/AAMFBAABAgMFAwEAAQcWAwNtZW0CAARoYXNoAAEFY2hhaW4AAwrKQgTMMgEVfyAAKAIAIQYgBkEYdCAGQQh0QYCA/AdxciAGQQh2QYD+A3EgBkEYdnJyIQYgACgCBCEHIAdBGHQgB0EIdEGAgPwHcXIgB0EIdkGA/gNxIAdBGHZyciEHIAAoAgghCCAIQRh0IAhBCHRBgID8B3FyIAhBCHZBgP4DcSAIQRh2cnIhCCAAKAIMIQkgCUEYdCAJQQh0QYCA/AdxciAJQQh2QYD+A3EgCUEYdnJyIQkgACgCECEKIApBGHQgCkEIdEGAgPwHcXIgCkEIdkGA/gNxIApBGHZyciEKIAAoAhQhCyALQRh0IAtBCHRBgID8B3FyIAtBCHZBgP4DcSALQRh2cnIhCyAAKAIYIQwgDEEYdCAMQQh0QYCA/AdxciAMQQh2QYD+A3EgDEEYdnJyIQwgACgCHCENIA1BGHQgDUEIdEGAgPwHcXIgDUEIdkGA/gNxIA1BGHZyciENIAAoAiAhDiAOQRh0IA5BCHRBgID8B3FyIA5BCHZBgP4DcSAOQRh2cnIhDiAAKAIkIQ8gD0EYdCAPQQh0QYCA/AdxciAPQQh2QYD+A3EgD0EYdnJyIQ8gACgCKCEQIBBBGHQgEEEIdEGAgPwHcXIgEEEIdkGA/gNxIBBBGHZyciEQIAAoAiwhESARQRh0IBFBCHRBgID8B3FyIBFBCHZBgP4DcSARQRh2cnIhESAAKAIwIRIgEkEYdCASQQh0QYCA/AdxciASQQh2QYD+A3EgEkEYdnJyIRIgACgCNCETIBNBGHQgE0EIdEGAgPwHcXIgE0EIdkGA/gNxIBNBGHZyciETIAAoAjghFCAUQRh0IBRBCHRBgID8B3FyIBRBCHZBgP4DcSAUQRh2cnIhFCAAKAI8IRUgFUEYdCAVQQh0QYCA/AdxciAVQQh2QYD+A3EgFUEYdnJyIRVBACgCACEBQQAoAgQhAkEAKAIIIQNBACgCDCEEQQAoAhAhBSAFQZnzidQFaiAGaiAEIAIgAyAEc3FzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiAEQZnzidQFaiAHaiADIAEgAiADc3FzaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASADQZnzidQFaiAIaiACIAUgASACc3FzaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSACQZnzidQFaiAJaiABIAQgBSABc3FzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCABQZnzidQFaiAKaiAFIAMgBCAFc3FzaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyAFQZnzidQFaiALaiAEIAIgAyAEc3FzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiAEQZnzidQFaiAMaiADIAEgAiADc3FzaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASADQZnzidQFaiANaiACIAUgASACc3FzaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSACQZnzidQFaiAOaiABIAQgBSABc3FzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCABQZnzidQFaiAPaiAFIAMgBCAFc3FzaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyAFQZnzidQFaiAQaiAEIAIgAyAEc3FzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiAEQZnzidQFaiARaiADIAEgAiADc3FzaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASADQZnzidQFaiASaiACIAUgASACc3FzaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSACQZnzidQFaiATaiABIAQgBSABc3FzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCABQZnzidQFaiAUaiAFIAMgBCAFc3FzaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyAFQZnzidQFaiAVaiAEIAIgAyAEc3FzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiATIA5zIAhzIAZzIQYgBkEBdCAGQR92ciEGIARBmfOJ1AVqIAZqIAMgASACIANzcXNqIAVBBXQgBUEbdnJqIQQgAUEedCABQQJ2ciEBIBQgD3MgCXMgB3MhByAHQQF0IAdBH3ZyIQcgA0GZ84nUBWogB2ogAiAFIAEgAnNxc2ogBEEFdCAEQRt2cmohAyAFQR50IAVBAnZyIQUgFSAQcyAKcyAIcyEIIAhBAXQgCEEfdnIhCCACQZnzidQFaiAIaiABIAQgBSABc3FzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCAGIBFzIAtzIAlzIQkgCUEBdCAJQR92ciEJIAFBmfOJ1AVqIAlqIAUgAyAEIAVzcXNqIAJBBXQgAkEbdnJqIQEgA0EedCADQQJ2ciEDIAcgEnMgDHMgCnMhCiAKQQF0IApBH3ZyIQogBUGh1+f2BmogCmogAiADcyAEc2ogAUEFdCABQRt2cmohBSACQR50IAJBAnZyIQIgCCATcyANcyALcyELIAtBAXQgC0EfdnIhCyAEQaHX5/YGaiALaiABIAJzIANzaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASAJIBRzIA5zIAxzIQwgDEEBdCAMQR92ciEMIANBodfn9gZqIAxqIAUgAXMgAnNqIARBBXQgBEEbdnJqIQMgBUEedCAFQQJ2ciEFIAogFXMgD3MgDXMhDSANQQF0IA1BH3ZyIQ0gAkGh1+f2BmogDWogBCAFcyABc2ogA0EFdCADQRt2cmohAiAEQR50IARBAnZyIQQgCyAGcyAQcyAOcyEOIA5BAXQgDkEfdnIhDiABQaHX5/YGaiAOaiADIARzIAVzaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyAMIAdzIBFzIA9zIQ8gD0EBdCAPQR92ciEPIAVBodfn9gZqIA9qIAIgA3MgBHNqIAFBBXQgAUEbdnJqIQUgAkEedCACQQJ2ciECIA0gCHMgEnMgEHMhECAQQQF0IBBBH3ZyIRAgBEGh1+f2BmogEGogASACcyADc2ogBUEFdCAFQRt2cmohBCABQR50IAFBAnZyIQEgDiAJcyATcyARcyERIBFBAXQgEUEfdnIhESADQaHX5/YGaiARaiAFIAFzIAJzaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSAPIApzIBRzIBJzIRIgEkEBdCASQR92ciESIAJBodfn9gZqIBJqIAQgBXMgAXNqIANBBXQgA0EbdnJqIQIgBEEedCAEQQJ2ciEEIBAgC3MgFXMgE3MhEyATQQF0IBNBH3ZyIRMgAUGh1+f2BmogE2ogAyAEcyAFc2ogAkEFdCACQRt2cmohASADQR50IANBAnZyIQMgESAMcyAGcyAUcyEUIBRBAXQgFEEfdnIhFCAFQaHX5/YGaiAUaiACIANzIARzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiASIA1zIAdzIBVzIRUgFUEBdCAVQR92ciEVIARBodfn9gZqIBVqIAEgAnMgA3NqIAVBBXQgBUEbdnJqIQQgAUEedCABQQJ2ciEBIBMgDnMgCHMgBnMhBiAGQQF0IAZBH3ZyIQYgA0Gh1+f2BmogBmogBSABcyACc2ogBEEFdCAEQRt2cmohAyAFQR50IAVBAnZyIQUgFCAPcyAJcyAHcyEHIAdBAXQgB0EfdnIhByACQaHX5/YGaiAHaiAEIAVzIAFzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCAVIBBzIApzIAhzIQggCEEBdCAIQR92ciEIIAFBodfn9gZqIAhqIAMgBHMgBXNqIAJBBXQgAkEbdnJqIQEgA0EedCADQQJ2ciEDIAYgEXMgC3MgCXMhCSAJQQF0IAlBH3ZyIQkgBUGh1+f2BmogCWogAiADcyAEc2ogAUEFdCABQRt2cmohBSACQR50IAJBAnZyIQIgByAScyAMcyAKcyEKIApBAXQgCkEfdnIhCiAEQaHX5/YGaiAKaiABIAJzIANzaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASAIIBNzIA1zIAtzIQsgC0EBdCALQR92ciELIANBodfn9gZqIAtqIAUgAXMgAnNqIARBBXQgBEEbdnJqIQMgBUEedCAFQQJ2ciEFIAkgFHMgDnMgDHMhDCAMQQF0IAxBH3ZyIQwgAkGh1+f2BmogDGogBCAFcyABc2ogA0EFdCADQRt2cmohAiAEQR50IARBAnZyIQQgCiAVcyAPcyANcyENIA1BAXQgDUEfdnIhDSABQaHX5/YGaiANaiADIARzIAVzaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyALIAZzIBBzIA5zIQ4gDkEBdCAOQR92ciEOIAVB3Pnu+HhqIA5qIAIgA3EgBCACIANycXJqIAFBBXQgAUEbdnJqIQUgAkEedCACQQJ2ciECIAwgB3MgEXMgD3MhDyAPQQF0IA9BH3ZyIQ8gBEHc+e74eGogD2ogASACcSADIAEgAnJxcmogBUEFdCAFQRt2cmohBCABQR50IAFBAnZyIQEgDSAIcyAScyAQcyEQIBBBAXQgEEEfdnIhECADQdz57vh4aiAQaiAFIAFxIAIgBSABcnFyaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSAOIAlzIBNzIBFzIREgEUEBdCARQR92ciERIAJB3Pnu+HhqIBFqIAQgBXEgASAEIAVycXJqIANBBXQgA0EbdnJqIQIgBEEedCAEQQJ2ciEEIA8gCnMgFHMgEnMhEiASQQF0IBJBH3ZyIRIgAUHc+e74eGogEmogAyAEcSAFIAMgBHJxcmogAkEFdCACQRt2cmohASADQR50IANBAnZyIQMgECALcyAVcyATcyETIBNBAXQgE0EfdnIhEyAFQdz57vh4aiATaiACIANxIAQgAiADcnFyaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiARIAxzIAZzIBRzIRQgFEEBdCAUQR92ciEUIARB3Pnu+HhqIBRqIAEgAnEgAyABIAJycXJqIAVBBXQgBUEbdnJqIQQgAUEedCABQQJ2ciEBIBIgDXMgB3MgFXMhFSAVQQF0IBVBH3ZyIRUgA0Hc+e74eGogFWogBSABcSACIAUgAXJxcmogBEEFdCAEQRt2cmohAyAFQR50IAVBAnZyIQUgEyAOcyAIcyAGcyEGIAZBAXQgBkEfdnIhBiACQdz57vh4aiAGaiAEIAVxIAEgBCAFcnFyaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCAUIA9zIAlzIAdzIQcgB0EBdCAHQR92ciEHIAFB3Pnu+HhqIAdqIAMgBHEgBSADIARycXJqIAJBBXQgAkEbdnJqIQEgA0EedCADQQJ2ciEDIBUgEHMgCnMgCHMhCCAIQQF0IAhBH3ZyIQggBUHc+e74eGogCGogAiADcSAEIAIgA3JxcmogAUEFdCABQRt2cmohBSACQR50IAJBAnZyIQIgBiARcyALcyAJcyEJIAlBAXQgCUEfdnIhCSAEQdz57vh4aiAJaiABIAJxIAMgASACcnFyaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASAHIBJzIAxzIApzIQogCkEBdCAKQR92ciEKIANB3Pnu+HhqIApqIAUgAXEgAiAFIAFycXJqIARBBXQgBEEbdnJqIQMgBUEedCAFQQJ2ciEFIAggE3MgDXMgC3MhCyALQQF0IAtBH3ZyIQsgAkHc+e74eGogC2ogBCAFcSABIAQgBXJxcmogA0EFdCADQRt2cmohAiAEQR50IARBAnZyIQQgCSAUcyAOcyAMcyEMIAxBAXQgDEEfdnIhDCABQdz57vh4aiAMaiADIARxIAUgAyAEcnFyaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyAKIBVzIA9zIA1zIQ0gDUEBdCANQR92ciENIAVB3Pnu+HhqIA1qIAIgA3EgBCACIANycXJqIAFBBXQgAUEbdnJqIQUgAkEedCACQQJ2ciECIAsgBnMgEHMgDnMhDiAOQQF0IA5BH3ZyIQ4gBEHc+e74eGogDmogASACcSADIAEgAnJxcmogBUEFdCAFQRt2cmohBCABQR50IAFBAnZyIQEgDCAHcyARcyAPcyEPIA9BAXQgD0EfdnIhDyADQdz57vh4aiAPaiAFIAFxIAIgBSABcnFyaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSANIAhzIBJzIBBzIRAgEEEBdCAQQR92ciEQIAJB3Pnu+HhqIBBqIAQgBXEgASAEIAVycXJqIANBBXQgA0EbdnJqIQIgBEEedCAEQQJ2ciEEIA4gCXMgE3MgEXMhESARQQF0IBFBH3ZyIREgAUHc+e74eGogEWogAyAEcSAFIAMgBHJxcmogAkEFdCACQRt2cmohASADQR50IANBAnZyIQMgDyAKcyAUcyAScyESIBJBAXQgEkEfdnIhEiAFQdaDi9N8aiASaiACIANzIARzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiAQIAtzIBVzIBNzIRMgE0EBdCATQR92ciETIARB1oOL03xqIBNqIAEgAnMgA3NqIAVBBXQgBUEbdnJqIQQgAUEedCABQQJ2ciEBIBEgDHMgBnMgFHMhFCAUQQF0IBRBH3ZyIRQgA0HWg4vTfGogFGogBSABcyACc2ogBEEFdCAEQRt2cmohAyAFQR50IAVBAnZyIQUgEiANcyAHcyAVcyEVIBVBAXQgFUEfdnIhFSACQdaDi9N8aiAVaiAEIAVzIAFzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCATIA5zIAhzIAZzIQYgBkEBdCAGQR92ciEGIAFB1oOL03xqIAZqIAMgBHMgBXNqIAJBBXQgAkEbdnJqIQEgA0EedCADQQJ2ciEDIBQgD3MgCXMgB3MhByAHQQF0IAdBH3ZyIQcgBUHWg4vTfGogB2ogAiADcyAEc2ogAUEFdCABQRt2cmohBSACQR50IAJBAnZyIQIgFSAQcyAKcyAIcyEIIAhBAXQgCEEfdnIhCCAEQdaDi9N8aiAIaiABIAJzIANzaiAFQQV0IAVBG3ZyaiEEIAFBHnQgAUECdnIhASAGIBFzIAtzIAlzIQkgCUEBdCAJQR92ciEJIANB1oOL03xqIAlqIAUgAXMgAnNqIARBBXQgBEEbdnJqIQMgBUEedCAFQQJ2ciEFIAcgEnMgDHMgCnMhCiAKQQF0IApBH3ZyIQogAkHWg4vTfGogCmogBCAFcyABc2ogA0EFdCADQRt2cmohAiAEQR50IARBAnZyIQQgCCATcyANcyALcyELIAtBAXQgC0EfdnIhCyABQdaDi9N8aiALaiADIARzIAVzaiACQQV0IAJBG3ZyaiEBIANBHnQgA0ECdnIhAyAJIBRzIA5zIAxzIQwgDEEBdCAMQR92ciEMIAVB1oOL03xqIAxqIAIgA3MgBHNqIAFBBXQgAUEbdnJqIQUgAkEedCACQQJ2ciECIAogFXMgD3MgDXMhDSANQQF0IA1BH3ZyIQ0gBEHWg4vTfGogDWogASACcyADc2ogBUEFdCAFQRt2cmohBCABQR50IAFBAnZyIQEgCyAGcyAQcyAOcyEOIA5BAXQgDkEfdnIhDiADQdaDi9N8aiAOaiAFIAFzIAJzaiAEQQV0IARBG3ZyaiEDIAVBHnQgBUECdnIhBSAMIAdzIBFzIA9zIQ8gD0EBdCAPQR92ciEPIAJB1oOL03xqIA9qIAQgBXMgAXNqIANBBXQgA0EbdnJqIQIgBEEedCAEQQJ2ciEEIA0gCHMgEnMgEHMhECAQQQF0IBBBH3ZyIRAgAUHWg4vTfGogEGogAyAEcyAFc2ogAkEFdCACQRt2cmohASADQR50IANBAnZyIQMgDiAJcyATcyARcyERIBFBAXQgEUEfdnIhESAFQdaDi9N8aiARaiACIANzIARzaiABQQV0IAFBG3ZyaiEFIAJBHnQgAkECdnIhAiAPIApzIBRzIBJzIRIgEkEBdCASQR92ciESIARB1oOL03xqIBJqIAEgAnMgA3NqIAVBBXQgBUEbdnJqIQQgAUEedCABQQJ2ciEBIBAgC3MgFXMgE3MhEyATQQF0IBNBH3ZyIRMgA0HWg4vTfGogE2ogBSABcyACc2ogBEEFdCAEQRt2cmohAyAFQR50IAVBAnZyIQUgESAMcyAGcyAUcyEUIBRBAXQgFEEfdnIhFCACQdaDi9N8aiAUaiAEIAVzIAFzaiADQQV0IANBG3ZyaiECIARBHnQgBEECdnIhBCASIA1zIAdzIBVzIRUgFUEBdCAVQR92ciEVIAFB1oOL03xqIBVqIAMgBHMgBXNqIAJBBXQgAkEbdnJqIQEgA0EedCADQQJ2ciEDQQBBACgCACABajYCAEEAQQAoAgQgAmo2AgRBAEEAKAIIIANqNgIIQQBBACgCDCAEajYCDEEAQQAoAhAgBWo2AhALjgwBA38gACABaiEDIAAgAUEIakEGdkEBakEGdGohBCADQYABOgAAIANBAWpBACAEIANrQQlr/AsAIAFBHXYhBSAEQQhrIAVBGHQgBUEIdEGAgPwHcXIgBUEIdkGA/gNxIAVBGHZycjYCACABQQN0IQUgBEEEayAFQRh0IAVBCHRBgID8B3FyIAVBCHZBgP4DcSAFQRh2cnI2AgBBAEGBxpS6BjYCAEEAQYnXtv5+NgIEQQBB/rnrxXk2AghBAEH2qMmBATYCDEEAQfDDy558NgIQIAAhAwNAIAMQACADQcAAaiEDIAMgBEkNAAtBACgCACEDIANBHHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6AAAgA0EYdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAASADQRR2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgACIANBEHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6AAMgA0EMdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoABCADQQh2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAFIANBBHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6AAYgA0EAdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAB0EAKAIEIQMgA0EcdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoACCADQRh2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAJIANBFHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6AAogA0EQdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoACyADQQx2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAMIANBCHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6AA0gA0EEdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoADiADQQB2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAPQQAoAgghAyADQRx2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAQIANBGHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ABEgA0EUdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAEiADQRB2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgATIANBDHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ABQgA0EIdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAFSADQQR2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAWIANBAHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ABdBACgCDCEDIANBHHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ABggA0EYdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAGSADQRR2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAaIANBEHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ABsgA0EMdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAHCADQQh2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAdIANBBHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6AB4gA0EAdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAH0EAKAIQIQMgA0EcdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAICADQRh2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAhIANBFHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ACIgA0EQdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAIyADQQx2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAkIANBCHZBD3EhBSACIAVBMGogBUEGakEEdkEnbGo6ACUgA0EEdkEPcSEFIAIgBUEwaiAFQQZqQQR2QSdsajoAJiADQQB2QQ9xIQUgAiAFQTBqIAVBBmpBBHZBJ2xqOgAnC5EBAQN/IAIEQCABDwsgACEDAkADQEEAIAFIRQ0BQQggASABQQhOGyEFIAMpAwBCgIGChIiQoMCAf0HAACAFQQN0a62Ig1AEQCADIAVqIQMgASAFayEBBSADLQAAIQQgA0EBaiAEQcABT2ogBEHgAU8gBEHwAU9qaiEDIAFBAWsgBEHwAU9rIQELDAALCyADIABrC9YCAQp/IAAgAUEEdGohBiAEIQcCQANAIAAgBklFDQEgACgCDCEIIAIgACgCACADEAIhCSACIAlqQQFqIAAoAgQgAxACIQogAiAJaiAKakECaiAAKAIIIAMQAiELIAogC2ogCEEATkEobGohDCAFIAIgCfwKAAAgAiAJakEBaiECIAUgCWohDSANQSA6AAAgDCEOA0AgDUEBaiENIA5BCm4hDiAOQQBHDQALIAwhDiANIQ8DQCAPIA5BCnBBMGo6AAAgD0EBayEPIA5BCm4hDiAOQQBHDQALIA1BADoAASANQQJqIQ0gDSACIAr8CgAAIA0gCmohDSACIApqQQFqIQIgCEEATgRAIA0gBCAIQShsakEo/AoAACANQShqIQ0LIA0gAiAL/AoAACANIAtqIQ0gAiALakEBaiECIAUgDSAFayAHEAEgB0EoaiEHIABBEGohAAwACwsL";

/** The instantiated module and a view of its memory (renewed when it grows). */
interface Sha1Wasm {
  mem: WebAssembly.Memory;
  hash: (start: number, n: number, out: number) => void;
  chain: (
    table: number,
    count: number,
    src: number,
    ascii: number,
    out: number,
    scratch: number,
  ) => void;
  bytes: Uint8Array;
}

let wasm: Sha1Wasm | undefined;

/** The module, with at least `size` bytes of memory. */
function sha1Wasm(size: number): Sha1Wasm {
  if (!wasm) {
    const module = new WebAssembly.Module(Uint8Array.fromBase64(SHA1_WASM));
    const exports = new WebAssembly.Instance(module).exports as unknown as Omit<Sha1Wasm, "bytes">;
    wasm = { mem: exports.mem, hash: exports.hash, chain: exports.chain, bytes: new Uint8Array(0) };
  }
  const { mem } = wasm;
  if (mem.buffer.byteLength < size) {
    mem.grow(Math.ceil((size - mem.buffer.byteLength) / 65536));
  }
  if (wasm.bytes.buffer !== mem.buffer) wasm.bytes = new Uint8Array(mem.buffer);
  return wasm;
}

/** Memory layout: the hash state below 64 (see sha1_wasm.ts); a digest's hex; the data. */
const HEX = 64;
const DATA = 128;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** SHA-1 of the bytes as 40 lowercase hex digits. */
export function sha1Hex(...chunks: Uint8Array[]): string {
  let n = 0;
  for (const c of chunks) n += c.length;
  const w = sha1Wasm(DATA + n + 72);
  let o = DATA;
  for (const c of chunks) {
    w.bytes.set(c, o);
    o += c.length;
  }
  w.hash(DATA, n, HEX);
  return decoder.decode(w.bytes.subarray(HEX, HEX + 40));
}

/**
 * SHA-1 of `text` as UTF-8 after a git-object header: of the bytes
 * `"<kind> <byte length>\0<text>"`, as 40 lowercase hex digits.
 */
export function sha1HexObject(kind: string, text: string): string {
  return sha1HexChain([{ kind, prefix: text, suffix: "" }])[0];
}

/**
 * One object of a chain: its ID is the SHA-1 of `"<kind> <byte length>\0" +
 * text` (git-object style, as sha1HexObject), where text = prefix + (ref ===
 * undefined ? "" : the hex ID of objects[ref], which must come earlier) +
 * suffix.
 */
export interface ChainObject {
  kind: string;
  prefix: string;
  ref?: number;
  suffix: string;
}

/**
 * The hex IDs of `objects`, in order (the digests sha1HexObject gives for
 * each full text), computed in one call into WebAssembly.
 */
export function sha1HexChain(objects: readonly ChainObject[]): string[] {
  const chain = new Sha1Chain();
  for (let i = 0; i < objects.length; i++) {
    const { kind, prefix, ref, suffix } = objects[i];
    chain.add(kind, prefix, suffix, ref);
  }
  return chain.hexIds();
}

/**
 * A chain of objects collected one by one (see ChainObject), then hashed
 * in a single call into WebAssembly: the builder behind sha1HexChain, for
 * callers that make their objects' texts in a loop of their own.
 */
export class Sha1Chain {
  /** Each object's kind, prefix and suffix (joined with separators when hashed). */
  readonly #parts: string[] = [];
  /** Four words an object (see sha1_wasm.ts `chainFunction`). */
  readonly #table: number[] = [];
  /** The most UTF-16 units of one object's kind, prefix and suffix. */
  #longest = 0;

  /** The number of objects added. */
  get length(): number {
    return this.#table.length >> 2;
  }

  /**
   * Add an object whose text is `prefix + (ref === undefined ? "" : the
   * ID of object ref, which must come earlier) + suffix`; returns its index.
   */
  add(kind: string, prefix: string, suffix: string, ref?: number): number {
    const i = this.#table.length >> 2;
    const units = kind.length + prefix.length + suffix.length;
    if (units > this.#longest) this.#longest = units;
    if (ref === undefined) {
      // No ID in between: one text (a surrogate pair may span the two).
      this.#parts.push(kind, prefix + suffix, "");
      this.#table.push(kind.length, units - kind.length, 0, -1);
    } else {
      if (!(ref >= 0 && ref < i && Number.isInteger(ref))) {
        throw new RangeError(`object ${i} refers to ${ref}, not an earlier object`);
      }
      this.#parts.push(kind, prefix, suffix);
      this.#table.push(kind.length, prefix.length, suffix.length, ref);
    }
    return i;
  }

  /** The hex IDs of the objects added, in order. */
  hexIds(): string[] {
    const count = this.#table.length >> 2;
    // Layout: the table (four words an object), the IDs (40 bytes an object),
    // the UTF-8 text of the objects' parts, the scratch message.
    const out = DATA + 16 * count;
    const src = out + 40 * count;
    // Each object's kind, prefix and suffix, separated (see sha1_wasm.ts
    // `chainFunction`).
    const text = this.#parts.join("\n");
    // UTF-8 takes at most three bytes a UTF-16 unit (and the scan of it reads
    // up to 8 bytes ahead); the scratch message needs room for the header
    // (kind, space, ten digits, NUL), the ID and the padding.
    const scratch = src + 3 * text.length + 8;
    const w = sha1Wasm(scratch + 3 * this.#longest + 128);
    new Int32Array(w.mem.buffer, DATA, 4 * count).set(this.#table);
    const written = encoder.encodeInto(text, w.bytes.subarray(src, scratch)).written;
    // As many bytes as units only if every character is ASCII.
    w.chain(DATA, count, src, written === text.length ? 1 : 0, out, scratch);
    const hex = decoder.decode(w.bytes.subarray(out, src));
    const ids: string[] = new Array(count);
    for (let i = 0; i < count; i++) ids[i] = hex.slice(40 * i, 40 * i + 40);
    return ids;
  }
}
