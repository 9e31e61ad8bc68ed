// Secrets never sit in workflow history: read the raw history of a finished password + TOTP
// login the way the Temporal Web UI does (no codec) and look for every secret in it.
import { expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db, config } = stack;

/** Every form a string could take in the raw bytes: plain, JSON-escaped, base64 (as the UI shows payloads). */
function forms(secret: string): string[] {
  const b64 = Buffer.from(secret).toString('base64');
  return [secret, JSON.stringify(secret), b64.slice(0, Math.max(8, b64.length - 4))];
}

async function rawHistory(workflowId: string): Promise<string> {
  const connection = await Connection.connect({ address: config.temporalAddress! });
  try {
    const res = await connection.workflowService.getWorkflowExecutionHistory({ namespace: config.temporalNamespace, execution: { workflowId } });
    const bytes = proto.temporal.api.history.v1.History.encode(res.history!).finish();
    return Buffer.from(bytes).toString('latin1') + JSON.stringify(res.history);
  } finally {
    await connection.close();
  }
}

it('keeps password, OTP, TOTP secret, username and email out of the raw history', async () => {
  const { tenant, login, password, user } = await tenantWithUser(db);
  const secret = newTotpSecret();
  await saveTotpSecret(db, tenant, user.id, secret, 0);
  const api = new JourneyApi(stack.url, tenant);
  await api.start();
  await api.submit({ username: login });
  await api.submit({ password });
  const code = totpCode(secret);
  expect((await api.submit({ code })).body.status).toBe('succeeded');

  const raw = await rawHistory(api.journey!.id);
  expect(raw.length).toBeGreaterThan(1000);
  for (const s of [password, secret, login, user.id, tenant]) {
    for (const form of forms(s)) expect(raw).not.toContain(form);
  }
  expect(raw).not.toContain(`"code":"${code}"`);
  expect(raw).toContain('binary/encrypted');

  // Control: the same search does find a secret in a payload encoded without the codec.
  const plain = proto.temporal.api.common.v1.Payload.encode(defaultPayloadConverter.toPayload({ password })).finish();
  expect(Buffer.from(plain).toString('latin1')).toContain(password);
});
