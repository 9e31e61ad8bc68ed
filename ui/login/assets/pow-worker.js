// Solves one proof-of-work challenge off the page's thread: { salt, difficulty } in,
// { solution } or { error } out; { tried } now and then, for progress.
import { searchPow } from './pow-sha256.js';

const CHUNK = 1 << 16;

self.onmessage = (event) => {
  const { salt, difficulty } = event.data ?? {};
  try {
    for (let start = 0; start < Number.MAX_SAFE_INTEGER; start += CHUNK) {
      const solution = searchPow(salt, difficulty, start, CHUNK);
      if (solution !== undefined) return self.postMessage({ solution });
      self.postMessage({ tried: start + CHUNK });
    }
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err) });
  }
};
