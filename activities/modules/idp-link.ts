// idp-link: links the upstream account an `idp` node offered (outcome `link`) to the existing
// account it matched — only once this journey proved the user owns that account. Proof: any AMR
// value gathered after the upstream node (which reset the journey's AMR) from a factor of the
// account itself: password, one-time code, passkey or security key. Without it: `bad`, and the
// journey cannot succeed anyway (JourneyState.succeed refuses an unlinked offer).
import { z } from 'zod';
import { linkIdentity } from '../../core/federation/federated-identities.ts';
import { defineModule } from './module.ts';

const PROOFS = ['pwd', 'otp', 'hwk', 'swk', 'email'];

export const idpLinkModule = defineModule({
  type: 'idp-link',
  config: z.object({}).strict(),
  outcomes: ['ok', 'bad'],
  rememberOutcomes: [],
  async prepare({ ctx }, { db, audit }) {
    const offer = ctx.federated;
    const proven = ctx.amr.some((value) => PROOFS.includes(value));
    if (!offer?.subject || !offer.linkTo || offer.linkTo !== ctx.user?.id || !proven) {
      await audit({ tenant: ctx.tenant, type: 'federation.link_refused', subject: ctx.user?.id, journeyId: ctx.journeyId, data: { idp: offer?.idp ?? null, proven } });
      return { kind: 'outcome', outcome: 'bad', patch: { error: { code: 'link_failed', message: 'The accounts could not be linked. Please start again.' } } };
    }
    if (!(await linkIdentity(db, ctx.tenant, offer.idp, offer.subject, offer.linkTo, offer.email))) {
      return { kind: 'outcome', outcome: 'bad', patch: { error: { code: 'already_linked', message: 'This account is already linked to another sign-in at this provider.' } } };
    }
    await audit({
      tenant: ctx.tenant, type: 'federation.linked', subject: offer.linkTo, journeyId: ctx.journeyId,
      dedupeKey: `federation-linked:${ctx.journeyId}`, data: { idp: offer.idp, proof: ctx.amr },
    });
    return { kind: 'outcome', outcome: 'ok', patch: { federated: { ...offer, linked: true }, amr: ['fed'] } };
  },
});
