// prompt=select_account: the signed-in account, or another one. Posts back to the interaction
// with the CSRF token.
import { escapeHtml, hidden, pageHtml } from './page.ts';

export interface AccountChoiceView { tenant: string; clientName: string; account: string; action: string; csrf: string }

export function accountPageHtml({ tenant, clientName, account, action, csrf }: AccountChoiceView): string {
  return pageHtml({
    tenant,
    title: 'Choose an account',
    description: `to continue to ${clientName}`,
    body: `<form class="form" method="post" action="${escapeHtml(action)}">
        ${hidden('csrf', csrf)}
        <button class="button button-primary" type="submit" name="account" value="current">Continue as ${escapeHtml(account)}</button>
        <button class="button button-secondary" type="submit" name="account" value="other">Use another account</button>
      </form>`,
  });
}
