// The server's own HTML pages outside the login UI (OIDC consent, account choice, logout, device
// code, protocol errors, legacy refusals): one layout on the login UI's stylesheet, no script and
// no inline style (the site's CSP), every value HTML-escaped.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export interface PageContent {
  title: string;
  /** A sentence under the title (plain text). */
  description?: string;
  /** Trusted HTML built with escapeHtml. */
  body: string;
  tenant?: string;
}

export function pageHtml({ title, description, body, tenant }: PageContent): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <meta name="robots" content="noindex, nofollow">
  <title>${escapeHtml(title)}${tenant ? ` · ${escapeHtml(tenant)}` : ''}</title>
  <link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/ui/assets/style.css">
</head>
<body>
  <div class="page">
    ${tenant ? `<header class="brand"><span class="tenant-name">${escapeHtml(tenant)}</span></header>` : ''}
    <main class="card">
      <div class="step-header">
        <h1>${escapeHtml(title)}</h1>
        ${description ? `<p class="step-description">${escapeHtml(description)}</p>` : ''}
      </div>
      ${body}
    </main>
    <footer class="footer"><span>Secured by Tessera</span></footer>
  </div>
</body>
</html>
`;
}
