// core/registration/invitation-lifecycle.ts starts the invitation workflow and sends `revoke` by name (core/
// may not import workflows/): the names must be the ones the workflow registers.
import { expect, it } from 'vitest';
import { INVITATION_FINISHED, INVITATION_WORKFLOW_NAME, REVOKE_UPDATE_NAME } from '../../core/registration/invitation-lifecycle.ts';
import { hashInvitationCode, invitationLink, invitationWorkflowId, newInvitationCode } from '../../core/registration/invitations.ts';
import { INVITATION_WORKFLOW, InvitationFailures, revokeUpdate } from '../../workflows/invitation-contracts.ts';
import * as workflows from '../../workflows/index.ts';

it('names the workflow, the revoke update and its failure as the workflow does', () => {
  expect(INVITATION_WORKFLOW_NAME).toBe(INVITATION_WORKFLOW);
  expect(INVITATION_WORKFLOW in workflows).toBe(true);
  expect(REVOKE_UPDATE_NAME).toBe(revokeUpdate.name);
  expect(INVITATION_FINISHED).toBe(InvitationFailures.finished);
});

it('makes 256-bit codes, keeps only their sha256, and puts them in the link fragment', () => {
  const code = newInvitationCode();
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(newInvitationCode()).not.toBe(code);
  expect(hashInvitationCode(code)).toMatch(/^[0-9a-f]{64}$/);
  expect(invitationLink('https://id.example', 'acme', code)).toBe(`https://id.example/t/acme/ui/signup#invite=${code}`);
  expect(invitationWorkflowId('acme', 'abc')).toBe('invitation-acme-abc');
});
