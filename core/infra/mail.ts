// Outgoing mail: nodemailer over the tenant's own SMTP server (tenants.settings.smtp) when it has
// one, else over SMTP_URL, else the dev mailbox.
// Rules: a message goes out once per (tenant, dedupe key): its row is claimed before sending,
// released when the SMTP server refused it and confirmed when the server took it, so a retried
// activity finding a confirmed claim mails nothing. A claim left unconfirmed means the attempt
// that made it died mid-send (a worker killed): the retry sends its own message then, and its meta
// replaces the first's, since a fresh code or link in it is the one that went out. Mail is thus
// never lost, and mailed twice only when a crash fell between the server's acceptance and the
// confirmation. Mail that went out over SMTP keeps no body (bodies hold codes and links); errors never
// carry the body nor an SMTP URL (it may hold a password); the From address is the tenant's
// `smtp.from` with its own server, else MAIL_FROM (config.mailFrom).
// Each recipient gets at most the tenant's mailsPerRecipient (core/infra/rate-limit-settings.ts):
// past it a message is claimed as usual but recorded as `suppressed` (no body) and never sent, and
// the caller is answered exactly as for a message that went out, so the journey behind it answers
// the same and nothing tells whether the address was being flooded.
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import type { Db } from './db.ts';
import { devMailLogLine } from './dev-mailbox.ts';
import { renderTemplate, type TemplateName } from './mail-templates.ts';
import { hit, limitKey } from './rate-limit.ts';
import { getRateLimits, ruleOf } from './rate-limit-settings.ts';
import { logger } from './logger.ts';
import { openTenantSmtp } from './tenant-smtp-secret.ts';

export const DEFAULT_FROM = 'Tessera <no-reply@localhost>';

export interface MailRequest {
  tenant: string;
  to: string;
  template: TemplateName;
  vars: Record<string, string>;
  /** Unique per tenant: a second send with the same key sends nothing. */
  dedupeKey: string;
  /**
   * Stored with the message; a duplicate send returns the meta of the message that went out (the
   * first send's, or this one's when the first died before the SMTP server took it).
   */
  meta?: Record<string, unknown>;
}

/** Marks, in meta, an SMTP message claimed but not yet taken by the server. */
const UNCONFIRMED = 'unconfirmed';

/** `sent` is false when the key was already used; `meta` is then the first send's. */
export interface MailReceipt { sent: boolean; meta: Record<string, unknown> }

export interface Mailer {
  readonly transport: 'smtp' | 'dev';
  /** @throws MailError when the recipient is malformed or the SMTP server refuses the message. */
  send(request: MailRequest): Promise<MailReceipt>;
  close(): void;
}

export interface MailerOptions { db: Db; smtpUrl?: string; from?: string; log?: (line: string) => void }

export class MailError extends Error {}

const ADDRESS = /^[^\s@<>",;]{1,64}@[^\s@<>",;]{1,255}$/;

/** smtp:// or smtps://, a host, optional user and password; no query (no transport options from settings). */
export const SmtpUrl = z.string().max(2000).refine((text) => {
  try {
    const url = new URL(text);
    return /^smtps?:$/.test(url.protocol) && url.hostname !== '' && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}, 'must be an smtp:// or smtps:// URL with a host (user and password allowed), without query or fragment');

/** A From header: `Name <a@b>` or `a@b`, one line. */
export const MailFrom = z.string().min(3).max(300).regex(/^(?:[^\r\n<>]{0,200}<[^\s@<>",;]{1,64}@[^\s@<>",;]{1,255}>|[^\s@<>",;]{1,64}@[^\s@<>",;]{1,255})$/,
  'must be an address, or a name and an address in <>');

/** tenants.settings.smtp: the server a tenant's mail goes through. The URL may hold a password: never show or log it. */
export const TenantSmtp = z.object({ url: SmtpUrl, from: MailFrom.optional() }).strict();
export type TenantSmtp = z.infer<typeof TenantSmtp>;

/** What may be shown of a tenant's SMTP settings: never the URL (it may hold a password). */
export function smtpSummary(smtp: TenantSmtp): { configured: true; host: string; from: string | null } {
  const url = new URL(smtp.url);
  return { configured: true, host: url.port ? `${url.hostname}:${url.port}` : url.hostname, from: smtp.from ?? null };
}

const TRANSPORTER_CACHE = 100;

/** @throws MailError when smtpUrl is set but is not an smtp:// or smtps:// URL. */
export function createMailer({ db, smtpUrl, from = DEFAULT_FROM, log = (line) => logger.info(line) }: MailerOptions): Mailer {
  if (smtpUrl && !/^smtps?:\/\//i.test(smtpUrl)) throw new MailError('SMTP_URL must be an smtp:// or smtps:// URL');
  const transport = smtpUrl ? 'smtp' : 'dev';
  const transporters = new Map<string, Transporter>();
  const transporter = (url: string) => {
    let smtp = transporters.get(url);
    if (!smtp) {
      if (transporters.size >= TRANSPORTER_CACHE) {
        const [oldest, used] = transporters.entries().next().value!;
        used.close();
        transporters.delete(oldest);
      }
      smtp = nodemailer.createTransport({
        url, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000,
      } as Parameters<typeof nodemailer.createTransport>[0]);
      transporters.set(url, smtp);
    }
    return smtp;
  };

  /** The tenant's override of the template, and its own SMTP server (ignored when malformed). */
  async function tenantMail(tenant: string, name: TemplateName): Promise<{ override: unknown; smtp: TenantSmtp | undefined }> {
    const [row] = await db`SELECT settings->'mail'->${name} AS t, settings->'smtp' AS smtp FROM tenants WHERE id = ${tenant}`;
    const smtp = TenantSmtp.safeParse(openTenantSmtp(tenant, row?.smtp));
    return { override: row?.t ?? undefined, smtp: smtp.success ? smtp.data : undefined };
  }

  async function overRecipientLimit(tenant: string, to: string): Promise<boolean> {
    const rule = ruleOf(await getRateLimits(db, tenant), 'mailsPerRecipient');
    return !(await hit(db, tenant, limitKey('mailsPerRecipient', to.toLowerCase()), rule)).allowed;
  }

  /**
   * Hands a claimed message to the SMTP server, then marks it taken; a refusal frees the key,
   * unless a retry has claimed it for its own message meanwhile (the claim's meta is no longer ours).
   */
  async function deliver(server: string, smtp: TenantSmtp | undefined, content: { subject: string; text: string; html: string }, req: MailRequest, claim: { id: string; meta: Record<string, unknown> }): Promise<void> {
    try {
      await transporter(server).sendMail({ from: smtp ? smtp.from ?? from : from, to: req.to, subject: content.subject, text: content.text, html: content.html });
    } catch (err) {
      // Nothing went out: free the key so the retried activity sends.
      await db`DELETE FROM mail_messages WHERE tenant_id = ${req.tenant} AND id = ${claim.id} AND meta = ${db.json(claim.meta as never)}`;
      const code = (err as { code?: string; responseCode?: number }).responseCode ?? (err as { code?: string }).code ?? 'error';
      throw new MailError(`mail server refused the message (${code})`);
    }
    await db`UPDATE mail_messages SET meta = meta - ${UNCONFIRMED} WHERE tenant_id = ${req.tenant} AND id = ${claim.id}`;
  }

  return {
    transport,
    async send(req) {
      if (!ADDRESS.test(req.to)) throw new MailError('recipient is not a valid email address');
      const { override, smtp } = await tenantMail(req.tenant, req.template);
      const content = renderTemplate(req.template, req.vars, override);
      const server = smtp?.url ?? smtpUrl;
      const dev = !server;
      const meta = req.meta ?? {};
      const [claimed] = await db`INSERT INTO mail_messages
          (tenant_id, dedupe_key, template, recipient, subject, transport, text_body, html_body, meta)
        VALUES (${req.tenant}, ${req.dedupeKey}, ${req.template}, ${req.to}, ${content.subject}, ${dev ? 'dev' : 'smtp'},
                ${dev ? content.text : null}, ${dev ? content.html : null}, ${db.json((dev ? meta : { ...meta, [UNCONFIRMED]: true }) as never)})
        ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`;
      if (!claimed) {
        const [first] = await db`SELECT id, meta, transport FROM mail_messages WHERE tenant_id = ${req.tenant} AND dedupe_key = ${req.dedupeKey}`;
        const { [UNCONFIRMED]: unconfirmed, ...firstMeta } = (first?.meta ?? {}) as Record<string, unknown>;
        if (!(unconfirmed === true && first?.transport === 'smtp' && server)) return { sent: false, meta: firstMeta };
        // The first attempt never had the server's word: this message goes out in its place.
        const claim = { id: first.id as string, meta: { ...meta, [UNCONFIRMED]: true } };
        await db`UPDATE mail_messages SET subject = ${content.subject}, meta = ${db.json(claim.meta as never)}
          WHERE tenant_id = ${req.tenant} AND id = ${claim.id}`;
        await deliver(server, smtp, content, req, claim);
        return { sent: true, meta };
      }
      if (await overRecipientLimit(req.tenant, req.to)) {
        await db`UPDATE mail_messages SET transport = 'suppressed', text_body = NULL, html_body = NULL
          WHERE tenant_id = ${req.tenant} AND id = ${claimed.id}`;
        log(`[mail] ${req.template} mail suppressed: its recipient is over the tenant's mailsPerRecipient limit`);
        return { sent: true, meta };
      }
      if (dev) {
        log(devMailLogLine(req.to, content.subject));
        return { sent: true, meta };
      }
      await deliver(server, smtp, content, req, { id: claimed.id as string, meta: { ...meta, [UNCONFIRMED]: true } });
      return { sent: true, meta };
    },
    close() {
      for (const smtp of transporters.values()) smtp.close();
      transporters.clear();
    },
  };
}
