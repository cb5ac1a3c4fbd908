/**
 * The password answers of sqlitch's PostgreSQL protocol code
 * (engines/pg_wire.ts), as libpq computes them: MD5 (Web Crypto has none,
 * so a small implementation here), SASLprep for SCRAM passwords, and the
 * client side of SCRAM-SHA-256 on Web Crypto, with libpq's checks and
 * wording for a server's malformed or wrong messages.
 */

const encoder = new TextEncoder();

/** MD5 round constants (RFC 1321). */
const MD5_K = Int32Array.from(
  (
    "d76aa478 e8c7b756 242070db c1bdceee f57c0faf 4787c62a a8304613 fd469501 " +
    "698098d8 8b44f7af ffff5bb1 895cd7be 6b901122 fd987193 a679438e 49b40821 " +
    "f61e2562 c040b340 265e5a51 e9b6c7aa d62f105d 02441453 d8a1e681 e7d3fbc8 " +
    "21e1cde6 c33707d6 f4d50d87 455a14ed a9e3e905 fcefa3f8 676f02d9 8d2a4c8a " +
    "fffa3942 8771f681 6d9d6122 fde5380c a4beea44 4bdecfa9 f6bb4b60 bebfbc70 " +
    "289b7ec6 eaa127fa d4ef3085 04881d05 d9d4d039 e6db99e5 1fa27cf8 c4ac5665 " +
    "f4292244 432aff97 ab9423a7 fc93a039 655b59c3 8f0ccc92 ffeff47d 85845dd1 " +
    "6fa87e4f fe2ce6e0 a3014314 4e0811a1 f7537e82 bd3af235 2ad7d2bb eb86d391 "
  ).trim().split(" "),
  (h) => parseInt(h, 16) | 0,
);
const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** MD5 (RFC 1321) of `data`, in lowercase hex: Web Crypto has no MD5. */
export function md5Hex(data: Uint8Array): string {
  const total = (((data.length + 8) >>> 6) + 1) << 6;
  const buf = new Uint8Array(total);
  buf.set(data);
  buf[data.length] = 0x80;
  const dv = new DataView(buf.buffer);
  const bits = data.length * 8;
  dv.setUint32(total - 8, bits >>> 0, true);
  dv.setUint32(total - 4, Math.floor(bits / 0x100000000), true);
  const h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const m = new Int32Array(16);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) m[i] = dv.getInt32(off + 4 * i, true);
    let a = h[0], b = h[1], c = h[2], d = h[3];
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      f = (f + a + MD5_K[i] + m[g]) | 0;
      a = d;
      d = c;
      c = b;
      const s = MD5_S[(i >> 4) * 4 + (i & 3)];
      b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
  }
  return Array.from(new Uint8Array(h.buffer), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** The answer to an MD5 password request: `md5` + md5(md5(password + user) + salt). */
export function md5Password(user: string, password: string, salt: Uint8Array): string {
  const inner = encoder.encode(md5Hex(encoder.encode(password + user)));
  const outer = new Uint8Array(inner.length + salt.length);
  outer.set(inner);
  outer.set(salt, inner.length);
  return `md5${md5Hex(outer)}`;
}

// SASLprep (RFC 4013) as libpq applies it to SCRAM passwords: ASCII passwords
// as they are; others mapped, NFKC-normalised, and used as they were when
// the result holds a prohibited character (libpq's fallback).

/** Code point ranges written `first-last` or `single`, in hex, space-separated. */
function ranges(text: string): number[] {
  return text.split(" ").flatMap((r) => {
    const [a, b = a] = r.split("-");
    return [parseInt(a, 16), parseInt(b, 16)];
  });
}

/** RFC 3454 C.1.2: non-ASCII spaces, mapped to U+0020. */
const NON_ASCII_SPACE = "a0 1680 2000-200b 202f 205f 3000";
/** RFC 3454 B.1: characters mapped to nothing. */
const MAPPED_TO_NOTHING = "ad 34f 1806 180b-180d 200b-200d 2060 fe00-fe0f feff";
/** RFC 3454 C.1.2, C.2.1, C.2.2, C.3–C.9: prohibited output. */
const PROHIBITED = `${NON_ASCII_SPACE} 0-1f 7f-9f 340-341 6dd 70f 180e 200c-200f 2028-202e ` +
  "2060-2063 206a-206f 2ff0-2ffb d800-f8ff fdd0-fdef feff fff9-ffff 1d173-1d17a e0001 " +
  "e0020-e007f f0000-10ffff";
/** RFC 3454 D.1: characters with bidirectional property R or AL. */
const RAND_AL = "5be 5c0 5c3 5d0-5ea 5f0-5f4 61b 61f 621-63a 640-64a 66d-66f 671-6d5 6dd " +
  "6e5-6e6 6fa-6fe 700-70d 710 712-72c 780-7a5 7b1 200f fb1d fb1f-fb28 fb2a-fb36 fb38-fb3c " +
  "fb3e fb40-fb41 fb43-fb44 fb46-fbb1 fbd3-fd3d fd50-fd8f fd92-fdc7 fdf0-fdfc fe70-fe74 fe76-fefc";

/** The SASLprep tables as range pairs, built on first use. */
let tables:
  | { space: number[]; nothing: number[]; prohibited: number[]; randAl: number[] }
  | undefined;

function inRanges(cp: number, ranges: readonly number[]): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (cp >= ranges[i] && cp <= ranges[i + 1]) return true;
  }
  return false;
}

/**
 * A SCRAM password as libpq prepares it (SASLprep, RFC 4013): ASCII as it
 * is; otherwise non-ASCII spaces mapped to spaces, the characters mapped
 * to nothing dropped, NFKC; when that holds a prohibited or unassigned
 * character, or breaks the bidirectional rule, the password as given.
 * (Left-to-right characters are told by Unicode letter and mark classes
 * rather than RFC 3454's table D.2, and unassigned ones by today's Unicode.)
 */
export function saslPrep(password: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const t = tables ??= {
    space: ranges(NON_ASCII_SPACE),
    nothing: ranges(MAPPED_TO_NOTHING),
    prohibited: ranges(PROHIBITED),
    randAl: ranges(RAND_AL),
  };
  let mapped = "";
  for (const ch of password) {
    const cp = ch.codePointAt(0)!;
    if (inRanges(cp, t.space)) mapped += " ";
    else if (!inRanges(cp, t.nothing)) mapped += ch;
  }
  const out = mapped.normalize("NFKC");
  if (out === "") return password;
  const chars = [...out];
  let randAl = false;
  let leftToRight = false;
  for (const ch of chars) {
    const cp = ch.codePointAt(0)!;
    if (inRanges(cp, t.prohibited) || /\p{Cn}/u.test(ch)) return password;
    if (inRanges(cp, t.randAl)) randAl = true;
    else if (/[\p{L}\p{Mc}]/u.test(ch)) leftToRight = true;
  }
  if (randAl) {
    const first = chars[0].codePointAt(0)!;
    const last = chars[chars.length - 1].codePointAt(0)!;
    if (leftToRight || !inRanges(first, t.randAl) || !inRanges(last, t.randAl)) return password;
  }
  return out;
}

/** HMAC-SHA-256 of `text` (UTF-8) under `key`. */
export async function hmacSha256(key: Uint8Array, text: string): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(text)));
}

/** SCRAM client state between the server's first and final messages. */
export interface ScramExchange {
  /** The client's final message (`c=…,r=…,p=…`). */
  clientFinal: string;
  /** The server signature the server's final message must carry (base64). */
  serverSignature: string;
}

/**
 * The SCRAM-SHA-256 client-final message for the server-first message,
 * with libpq's checks and wording: the client nonce `nonce` went out in
 * `n,,n=<user>,r=<nonce>` (libpq sends an empty user name), the password
 * is SASLprep'd.
 */
export async function scramClientFinal(
  password: string,
  nonce: string,
  serverFirst: string,
  user = "",
): Promise<ScramExchange> {
  const attrs = scramAttributes(serverFirst, ["r", "s", "i"], "server-first-message");
  const serverNonce = attrs.r;
  if (!serverNonce.startsWith(nonce) || serverNonce.length === nonce.length) {
    throw new Error("invalid SCRAM response (nonce mismatch)");
  }
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(attrs.s)) {
    throw new Error("malformed SCRAM message (invalid salt)");
  }
  const salt = Uint8Array.fromBase64(attrs.s);
  if (!/^[0-9]+$/.test(attrs.i) || Number(attrs.i) < 1) {
    throw new Error("malformed SCRAM message (invalid iteration count)");
  }
  const iterations = Number(attrs.i);
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(saslPrep(password)),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const salted = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
      key,
      256,
    ),
  );
  const withoutProof = `c=biws,r=${serverNonce}`;
  const authMessage = `n=${user},r=${nonce},${serverFirst},${withoutProof}`;
  const clientKey = await hmacSha256(salted, "Client Key");
  const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey));
  const signature = await hmacSha256(storedKey, authMessage);
  const proof = clientKey.map((b, i) => b ^ signature[i]);
  const serverKey = await hmacSha256(salted, "Server Key");
  return {
    clientFinal: `${withoutProof},p=${proof.toBase64()}`,
    serverSignature: (await hmacSha256(serverKey, authMessage)).toBase64(),
  };
}

/** The attributes `names` of a SCRAM message, in that order, as libpq reads them. */
function scramAttributes(
  text: string,
  names: string[],
  what: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  for (const name of names) {
    if (rest[0] !== name) throw new Error(`malformed SCRAM message (attribute "${name}" expected)`);
    if (rest[1] !== "=") {
      throw new Error(`malformed SCRAM message (expected character "=" for attribute "${name}")`);
    }
    const comma = rest.indexOf(",", 2);
    out[name] = comma < 0 ? rest.slice(2) : rest.slice(2, comma);
    rest = comma < 0 ? "" : rest.slice(comma + 1);
  }
  if (rest !== "") throw new Error(`malformed SCRAM message (garbage at end of ${what})`);
  return out;
}

/** Check the server-final message against the expected signature (libpq's wording). */
export function scramVerifyFinal(serverFinal: string, expected: string): void {
  if (serverFinal.startsWith("e=")) {
    throw new Error(`error received from server in SCRAM exchange: ${serverFinal.slice(2)}`);
  }
  const { v } = scramAttributes(serverFinal, ["v"], "server-final-message");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)) {
    throw new Error("malformed SCRAM message (invalid server signature)");
  }
  if (v !== expected) throw new Error("incorrect server signature");
}
