// What an admin's script does: the admin API over HTTP with a bearer token (every answer checked
// against the served OpenAPI document: openapi-answers.ts), and accounts awaiting approval set up
// as the register module leaves them (a pending user and its running registration workflow).
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { findApprovalForUser, type Approval } from '../../core/registration/approvals.ts';
import { updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser, type User } from '../../core/accounts/users.ts';
import { REGISTRATION_WORKFLOW, registrationWorkflowId, type RegistrationInput } from '../../workflows/registration-contracts.ts';
import { uniqueTenantId } from './harness.ts';
import { checkAnswer } from './openapi-answers.ts';
import { bodyOf } from './response-body.ts';

export interface AdminResponse { status: number; body: any; headers: Headers }

export async function adminRequest(base: string, tenant: string, token: string | undefined, method: string, path: string,
  body?: unknown, headers: Record<string, string> = {}): Promise<AdminResponse> {
  const all: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers };
  if (body !== undefined && !all['content-type']) all['content-type'] = 'application/json';
  const url = `${base}/t/${tenant}/api/admin${path}`;
  const res = await fetch(url, {
    method, headers: all, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer = { status: res.status, body: await bodyOf(res), headers: res.headers };
  await checkAnswer(base, method, url, answer.status, answer.body);
  return answer;
}

/** A tenant with moderation on (admins notified at `notify`) and an admin token named "ops". */
export async function moderatedTenant(db: Db, notify: string[] = []): Promise<{ tenant: string; token: string }> {
  const tenant = uniqueTenantId('mod');
  await createTenant(db, tenant);
  await updateRegistrationSettings(db, tenant, { moderation: { enabled: true, notify } });
  return { tenant, token: (await createAdminToken(db, tenant, 'ops')).token };
}

/** A pending account and its registration workflow, once the workflow has opened the approval. */
export async function awaitingApproval(db: Db, temporal: Client, config: Config, tenant: string, name = 'Pat Doe'): Promise<{ user: User; approval: Approval }> {
  const email = `${randomBytes(4).toString('hex')}@${tenant}.example`;
  const user = await createUser(db, tenant, { email, name, password: 'correct horse battery', status: 'pending' });
  const input: RegistrationInput = { tenant, userId: user.id, policy: 'moderation' };
  await temporal.workflow.start(REGISTRATION_WORKFLOW, { taskQueue: config.taskQueue, workflowId: registrationWorkflowId(tenant, user.id), args: [input] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const approval = await findApprovalForUser(db, tenant, user.id);
    if (approval) return { user, approval };
    if (Date.now() > deadline) throw new Error('the registration workflow opened no approval within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}
