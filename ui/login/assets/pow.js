// The proof-of-work check in the login page (the captcha module's step carries `options.pow`).
// Rules: solving starts as soon as the step is shown, in a Web Worker (same-origin script, which
// the CSP's script-src 'self' allows) or, where workers fail, in short slices on the page's
// thread so the page stays responsive; the answer is checked with WebCrypto where the browser
// has it (secure contexts) before it is sent; it goes only into the hidden field the step
// declares (`options.pow.field`, default "solution"); progress is announced to screen readers.
import { h } from './dom.js';
import { searchPow } from './pow-sha256.js';

const SLICE = 1 << 13;

function solveInWorker(pow) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pow-worker.js', import.meta.url), { type: 'module' });
    const finish = (settle, value) => {
      worker.terminate();
      settle(value);
    };
    worker.onmessage = (event) => {
      if (typeof event.data?.solution === 'string') finish(resolve, event.data.solution);
      else if (event.data?.error) finish(reject, new Error(event.data.error));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish(reject, new Error('the worker did not start'));
    };
    worker.postMessage({ salt: pow.salt, difficulty: pow.difficulty });
  });
}

async function solveHere(pow) {
  for (let start = 0; ; start += SLICE) {
    const solution = searchPow(pow.salt, pow.difficulty, start, SLICE);
    if (solution !== undefined) return solution;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

async function confirmed(pow, solution) {
  if (!globalThis.crypto?.subtle) return true;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${pow.salt}:${solution}`)));
  let bits = 0;
  for (const byte of digest) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24 >= pow.difficulty;
    bits += 8;
  }
  return true;
}

/** Resolves to the solution of `{ salt, difficulty }`. @throws when it cannot be found or checked. */
export async function solvePow(pow) {
  if (typeof pow?.salt !== 'string' || !Number.isInteger(pow.difficulty)) throw new Error('malformed challenge');
  let solution;
  try {
    solution = await solveInWorker(pow);
  } catch {
    solution = await solveHere(pow);
  }
  if (!(await confirmed(pow, solution))) throw new Error('the answer did not check out');
  return solution;
}

/**
 * Starts solving for a form step. Returns the status line to show and `ready()`, which resolves
 * to true once the solution is in the hidden field, false when this browser cannot solve it.
 */
export function proofOfWork(pow, renderedFields) {
  const target = renderedFields.find((r) => r.field.name === (pow.field ?? 'solution') && r.field.type === 'hidden');
  const status = h('p', { class: 'step-note', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Checking your browser\u2026');
  const done = solvePow(pow).then((solution) => {
    if (target) target.control.value = solution;
    status.replaceChildren('Browser check complete.');
    return target !== undefined;
  }, () => {
    status.replaceChildren('This browser could not complete the check. Start over to try again.');
    return false;
  });
  return { status, ready: () => done };
}
