// captcha: a self-hosted proof of work (no outside service) that the login UI solves in the
// browser before it submits (ui/login/assets/pow.js); a headless client solves it the same way.
// Rules: a fresh challenge (128-bit salt) per visit, kept only in the journey (encrypted
// history), so it is bound to this journey; it expires; it is used once (cleared by verify,
// whatever the verdict), so a solution never counts twice; difficulty 8..24 leading zero bits.
import { z } from 'zod';
import { MAX_DIFFICULTY, MIN_DIFFICULTY, newChallenge, SOLUTION_MAX, verifySolution, type PowChallenge } from '../../core/journeys/proof-of-work.ts';
import { defineModule } from './module.ts';

const FAILED = { field: 'solution', code: 'captcha_failed', message: 'The browser check did not pass. Please try again.' };
const LIFETIME_MS = 5 * 60_000;

export const captchaModule = defineModule({
  type: 'captcha',
  config: z.object({
    difficulty: z.number().int().min(MIN_DIFFICULTY).max(MAX_DIFFICULTY).default(18),
  }).strict(),
  outcomes: ['ok', 'bad'],
  rememberOutcomes: [],
  async prepare({ config }, { now }) {
    const challenge = newChallenge(config.difficulty, now().getTime(), LIFETIME_MS);
    return {
      kind: 'step',
      patch: { nodeState: challenge },
      step: {
        type: 'form',
        title: 'Checking your browser',
        description: 'This takes a moment and needs no action from you.',
        fields: [{ name: 'solution', type: 'hidden', label: 'Browser check', required: true, maxLength: SOLUTION_MAX }],
        options: { pow: { algorithm: challenge.algorithm, salt: challenge.salt, difficulty: challenge.difficulty, expires: challenge.expires, field: 'solution' } },
      },
    };
  },
  async verify({ ctx, node }, values, { now }) {
    const challenge = ctx.nodeState[node] as PowChallenge | undefined;
    const verdict = verifySolution(challenge, values.solution, now().getTime());
    if (verdict === 'ok') return { outcome: 'ok', patch: { nodeState: null } };
    return { outcome: 'bad', patch: { nodeState: null }, errors: [FAILED] };
  },
});
