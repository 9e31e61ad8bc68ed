// The proof-of-work search (core/journeys/proof-of-work.ts): find a decimal counter n such that
// sha256(salt + ':' + n) starts with `difficulty` zero bits. A plain SHA-256 of one 64-byte block,
// because WebCrypto's digest costs ~10 µs per call in a promise, ~30× too slow for the default
// difficulty; pow.js checks the answer with WebCrypto where it exists. Difficulty ≤ 24, so only
// the digest's first word matters. Used by pow-worker.js, and by pow.js where workers fail.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W = new Int32Array(64);
const block = new Uint8Array(64);

const rotr = (x, n) => (x >>> n) | (x << (32 - n));

/** The first 32 bits of SHA-256 over block[0..length) (length ≤ 55: one block). */
function firstWord(length) {
  block.fill(0, length);
  block[length] = 0x80;
  for (let i = 0; i < 14; i++) W[i] = (block[i * 4] << 24) | (block[i * 4 + 1] << 16) | (block[i * 4 + 2] << 8) | block[i * 4 + 3];
  W[14] = 0;
  W[15] = length * 8;
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15];
    const b = W[i - 2];
    W[i] = (W[i - 16] + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + W[i - 7] + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10))) | 0;
  }
  let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  return (H[0] + a) | 0;
}

/**
 * Tries counters from `start` for at most `count` of them; returns the first solution as a string,
 * or undefined. @throws RangeError for a salt that does not fit one block with its counter.
 */
export function searchPow(salt, difficulty, start, count) {
  const prefix = new TextEncoder().encode(`${salt}:`);
  if (prefix.length > 40 || !(difficulty >= 1 && difficulty <= 32)) throw new RangeError('unsupported challenge');
  block.set(prefix);
  for (let n = start; n < start + count; n++) {
    const digits = String(n);
    let length = prefix.length;
    for (let i = 0; i < digits.length; i++) block[length++] = digits.charCodeAt(i);
    if (Math.clz32(firstWord(length)) >= difficulty) return digits;
  }
  return undefined;
}
