// Refusing a SAML request with a page and an audit event — never a redirect or a post to an
// address the request merely names (an SP only gets a posted error Response when it and its ACS
// URL are registered; see sso.ts). The page shows the SAML-side reason, HTML-escaped.
import type { Request, Response } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import type { Db } from '../../../core/infra/db.ts';
import { escapeHtml, pageHtml } from '../../html-page.ts';

export interface Refusal { status: number; code: string; message: string; sp?: string; event?: string }

export async function refuse(db: Db, req: Request, res: Response, r: Refusal): Promise<void> {
  const tenant = req.tenant!.id;
  await recordAudit(db, {
    tenant, type: r.event ?? 'saml.request_refused', actor: 'anonymous',
    data: { code: r.code, ...(r.sp ? { sp: r.sp.slice(0, 300) } : {}), ip: req.ip },
  });
  res.status(r.status).type('html').send(pageHtml({
    tenant, title: 'This sign-in request cannot continue',
    body: `<div class="status status-danger">
        <p class="status-text">The application that sent you here made a SAML request we cannot answer. Nothing was shared with it.</p>
        <div class="alert" role="alert"><p><strong>${escapeHtml(r.code)}</strong></p><p>${escapeHtml(r.message)}</p></div>
      </div>`,
  }));
}
