// totp: verifies a code from an authenticator app, or enrols one.
// Rules: codes are 6 digits, accepted within ±30 s, never twice (replay); enrolment shows a fresh
// secret kept only in the journey (encrypted history) until a first valid code confirms it;
// without an enrolled app the node answers `skip`, unless `enroll` is on.
import { z } from 'zod';
import QRCode from 'qrcode';
import { claimTotpCounter, getTotpSecret, matchTotp, newTotpSecret, saveTotpSecret, totpUri } from '../../core/accounts/totp.ts';
import type { Field } from '../../core/journeys/journey-types.ts';
import { defineModule } from './module.ts';

const CODE_FIELD: Field = {
  name: 'code', type: 'otp', label: 'Six-digit code', required: true, autocomplete: 'one-time-code', maxLength: 6,
};
const BAD = { field: 'code', code: 'invalid_code', message: 'That code is not valid. Try the current one.' };

interface Enrolment { secret: string }

export const totpModule = defineModule({
  type: 'totp',
  config: z.object({ enroll: z.boolean().default(false), issuer: z.string().min(1).max(100).optional() }).strict(),
  outcomes: ['ok', 'bad', 'skip'],
  // Unrouted, "no authenticator enrolled" ends in `failure`: a tree must opt in to skipping it.
  optionalOutcomes: ['skip'],
  proves: ['otp'],
  async prepare({ ctx, node, config }, { db }) {
    if (!ctx.user) return { kind: 'outcome', outcome: 'bad' };
    if (await getTotpSecret(db, ctx.tenant, ctx.user.id)) {
      return { kind: 'step', step: { type: 'form', title: 'Two-step verification', description: 'Enter the code from your authenticator app.', fields: [CODE_FIELD] } };
    }
    if (!config.enroll) return { kind: 'outcome', outcome: 'skip' };
    const pending = (ctx.nodeState[node] as Enrolment | undefined)?.secret ?? newTotpSecret();
    const uri = totpUri(pending, config.issuer ?? ctx.tenant, ctx.user.username);
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
    return {
      kind: 'step',
      patch: { nodeState: { secret: pending } satisfies Enrolment },
      step: {
        type: 'form',
        title: 'Set up your authenticator app',
        description: `Scan the code with your authenticator app, or enter this key: ${pending.match(/.{1,4}/g)!.join(' ')}. Then type the code it shows.`,
        image: { src: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, alt: 'QR code for your authenticator app' },
        fields: [CODE_FIELD],
      },
    };
  },
  async verify({ ctx, node }, values, { db, now }) {
    const user = ctx.user!;
    const at = now().getTime();
    const stored = await getTotpSecret(db, ctx.tenant, user.id);
    const secret = stored ?? (ctx.nodeState[node] as Enrolment | undefined)?.secret;
    const counter = secret ? matchTotp(secret, values.code!, at) : undefined;
    if (counter === undefined) return { outcome: 'bad', errors: [BAD] };
    if (stored) {
      if (!(await claimTotpCounter(db, ctx.tenant, user.id, counter))) return { outcome: 'bad', errors: [BAD] };
    } else {
      await saveTotpSecret(db, ctx.tenant, user.id, secret!, counter);
    }
    return { outcome: 'ok', patch: { amr: ['otp'], nodeState: null } };
  },
});
