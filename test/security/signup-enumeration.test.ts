// No account enumeration through signup: a taken email gets the same status, body and about the
// same time as a new one (both hash the password; one starts the registration workflow, the
// other mails the address's owner). Runs are interleaved so machine load hits both alike.
import { expect, it } from 'vitest';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser } from '../../core/accounts/users.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

const sink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });

async function timedSignup(tenant: string, email: string): Promise<{ ms: number; body: Record<string, unknown> }> {
  const api = new JourneyApi(stack.url, tenant);
  await api.start('registration');
  const started = performance.now();
  const res = await api.submit({ email, name: 'Sam', password: 'violet staple orbit 42', invitation: '' });
  const ms = performance.now() - started;
  expect(res.status).toBe(200);
  return { ms, body: { ...res.body, id: undefined, notice: { ...res.body.notice, message: res.body.notice.message.replace(email, '<email>') } } };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('answers a taken email like a new one, in about the same time', async () => {
  const tenant = uniqueTenantId('enum');
  await createTenant(stack.db, tenant);
  const runs = 9;
  const taken: number[] = [];
  const fresh: number[] = [];
  for (let i = 0; i < runs; i++) {
    const existing = `taken${i}@${tenant}.example`;
    await createUser(stack.db, tenant, { email: existing, password: 'another passphrase' });
    const a = await timedSignup(tenant, existing);
    const b = await timedSignup(tenant, `new${i}@${tenant}.example`);
    expect(a.body).toEqual(b.body);
    taken.push(a.ms);
    fresh.push(b.ms);
  }
  const ratio = median(taken) / median(fresh);
  expect(ratio, `taken ${median(taken).toFixed(1)} ms vs new ${median(fresh).toFixed(1)} ms`).toBeGreaterThan(0.5);
  expect(ratio).toBeLessThan(2);
}, 120_000);
