// Mail templates: defaults, tenant overrides, HTML escaping, and secrets kept out of subjects.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, describeLifetime, escapeHtml, renderTemplate } from '../../core/infra/mail-templates.ts';

const vars = { code: '123456', tenant: 'acme', expires: '10 minutes', link: 'https://id.example/t/acme/ui/journey/abc?code=123456' };

describe('mail templates', () => {
  it('fills the default code template', () => {
    const mail = renderTemplate('login-code', vars);
    expect(mail.subject).toBe('Your sign-in code for acme');
    expect(mail.text).toContain('Your sign-in code is 123456');
    expect(mail.text).toContain('It expires in 10 minutes.');
    expect(mail.html).toContain('<strong>123456</strong>');
  });

  it('puts the magic link in both parts and says it works only in the same browser', () => {
    const mail = renderTemplate('login-link', vars);
    expect(mail.text).toContain(vars.link);
    expect(mail.text).toMatch(/only in the browser where you started/);
    expect(mail.html).toContain(`href="${escapeHtml(vars.link)}"`);
  });

  it('escapes every value placed in the HTML part, and only there', () => {
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const mail = renderTemplate('login-code', { ...vars, tenant: evil, expires: evil },
      { html: '<p title="{{tenant}}">{{expires}}</p>' });
    expect(mail.html).toBe('<p title="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;">&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;</p>');
    expect(mail.html).not.toContain('<img');
    expect(mail.text).toContain(evil);
  });

  it('never lets a secret into the subject, even when a tenant template asks for it', () => {
    const mail = renderTemplate('login-link', vars, { subject: 'Code {{code}} link {{ link }} for {{tenant}}' });
    expect(mail.subject).toBe('Code  link  for acme');
    expect(mail.subject).not.toContain('123456');
  });

  it('keeps the subject on one line (no header injection)', () => {
    const mail = renderTemplate('login-code', { ...vars, tenant: 'acme\r\nBcc: victim@example.com' });
    expect(mail.subject).toBe('Your sign-in code for acme Bcc: victim@example.com');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('uses a tenant override for the parts it sets and the defaults for the rest', () => {
    const mail = renderTemplate('login-code', vars, { subject: 'Welcome back to {{tenant}}', text: 'Code: {{code}} ({{unknown}})' });
    expect(mail.subject).toBe('Welcome back to acme');
    expect(mail.text).toBe('Code: 123456 ()');
    expect(mail.html).toBe(renderTemplate('login-code', vars).html);
  });

  it('ignores a malformed override rather than sending a broken message', () => {
    for (const bad of [{ subject: 42 }, { subject: '' }, { extra: 'x' }, 'text', [1], { html: 'x'.repeat(100_001) }]) {
      expect(renderTemplate('login-code', vars, bad)).toEqual(renderTemplate('login-code', vars));
    }
  });

  it('does not read inherited properties as values', () => {
    const mail = renderTemplate('login-code', vars, { text: '{{constructor}}{{tostring}}' });
    expect(mail.text).toBe('');
  });

  it('describes lifetimes for people', () => {
    expect(describeLifetime(600_000)).toBe('10 minutes');
    expect(describeLifetime(60_000)).toBe('1 minute');
    expect(describeLifetime(2000)).toBe('2 seconds');
    expect(describeLifetime(90_000)).toBe('90 seconds');
  });

  it('has a subject, text and HTML for every template', () => {
    for (const t of Object.values(DEFAULT_TEMPLATES)) {
      expect(t.subject && t.text && t.html).toBeTruthy();
      expect(t.subject).not.toMatch(/\{\{\s*(code|link)\s*\}\}/);
    }
  });
});
