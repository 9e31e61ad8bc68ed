// The dev mailbox: where mail goes when no SMTP_URL is set. Messages are rows of mail_messages
// (transport 'dev', bodies kept) so that every process of an instance sees the same mailbox;
// /dev/mail lists them when enabled (TESSERA_DEV_MAIL). The log line names the recipient and subject only:
// bodies hold sign-in codes and links, and logs travel further than the database.
import type { Db } from './db.ts';

export interface DevMail {
  tenant: string;
  id: number;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: Date;
}

export interface DevMailFilter { tenant?: string; to?: string; limit?: number }

export const DEV_MAIL_MAX = 200;

export function devMailLogLine(to: string, subject: string): string {
  return `[mail] to=${to} subject=${subject}`;
}

/** The newest dev mail first, optionally for one tenant and one recipient. */
export async function listDevMail(db: Db, filter: DevMailFilter = {}): Promise<DevMail[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), DEV_MAIL_MAX);
  const rows = await db`SELECT * FROM mail_messages WHERE transport = 'dev'
    ${filter.tenant ? db`AND tenant_id = ${filter.tenant}` : db``}
    ${filter.to ? db`AND lower(recipient) = lower(${filter.to})` : db``}
    ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
  return rows.map((r) => ({
    tenant: r.tenant_id, id: Number(r.id), template: r.template, to: r.recipient, subject: r.subject,
    text: r.text_body ?? '', html: r.html_body ?? '', createdAt: r.created_at,
  }));
}
