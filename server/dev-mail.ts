// GET /dev/mail: the dev mailbox (mail sent while SMTP_URL is unset), newest first, as JSON or,
// for a browser asking for HTML, a plain page. Mounted only when explicitly enabled
// (config.devMail: TESSERA_DEV_MAIL=1 only): the bodies hold sign-in codes and links. Filters: ?tenant=, ?to=, ?limit= (max 200).
import { Router, type Request } from 'express';
import type { Db } from '../core/infra/db.ts';
import { DEV_MAIL_MAX, listDevMail, type DevMail } from '../core/infra/dev-mailbox.ts';
import { escapeHtml } from '../core/infra/mail-templates.ts';
import { TENANT_ID } from '../core/tenants/tenants.ts';
import { HttpError } from './http-error.ts';

function param(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function page(mails: DevMail[]): string {
  const items = mails.map((m) => `<article>
<h2>${escapeHtml(m.subject)}</h2>
<p>To ${escapeHtml(m.to)} · tenant ${escapeHtml(m.tenant)} · ${escapeHtml(m.createdAt.toISOString())}</p>
<pre>${escapeHtml(m.text)}</pre>
</article>`).join('\n<hr>\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Dev mailbox</title></head>
<body><h1>Dev mailbox</h1>\n${items || '<p>No mail yet.</p>'}\n</body></html>\n`;
}

export function devMailRoutes(db: Db): Router {
  const router = Router();
  router.get('/dev/mail', async (req, res) => {
    const tenant = param(req, 'tenant');
    const to = param(req, 'to');
    const limit = Number(param(req, 'limit') ?? 50);
    if (tenant !== undefined && !TENANT_ID.test(tenant)) throw new HttpError(400, 'invalid_request', 'tenant is not a tenant id.');
    if (to !== undefined && to.length > 320) throw new HttpError(400, 'invalid_request', 'to is too long.');
    if (!Number.isInteger(limit) || limit < 1 || limit > DEV_MAIL_MAX) throw new HttpError(400, 'invalid_request', `limit must be 1 to ${DEV_MAIL_MAX}.`);
    const mails = await listDevMail(db, { tenant, to, limit });
    if (req.accepts(['json', 'html']) === 'html') return void res.type('html').send(page(mails));
    res.json({ messages: mails });
  });
  return router;
}
