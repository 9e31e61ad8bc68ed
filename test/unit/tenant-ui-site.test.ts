// A tenant's login UI must be on the site of PUBLIC_URL (schemeful same-site: scheme and
// registrable domain, any port), or the browser withholds the SameSite=Lax journey cookie from
// its Journey API calls. The registrable domain is approximated by the host's last two labels.
import { describe, expect, it } from 'vitest';
import { crossSiteProblem, siteOf } from '../../core/tenants/tenant-ui.ts';

describe('same site as PUBLIC_URL', () => {
  it.each([
    ['https://login.example.com/start', 'https://auth.example.com'],
    ['https://example.com/login', 'https://auth.example.com'],
    ['https://login.example.com:8443/', 'https://example.com'],
    ['https://a.b.example.com/', 'https://auth.example.com/t'],
    ['http://localhost:5173/login', 'http://localhost:3000'],
    ['http://127.0.0.1:5173/', 'http://127.0.0.1:3000'],
    ['https://LOGIN.Example.com/', 'https://auth.example.com'],
  ])('%s is on the site of %s', (ui, server) => {
    expect(crossSiteProblem(ui, server)).toBeUndefined();
  });

  it.each([
    ['https://login.example.net/', 'https://auth.example.com'],
    ['https://example.com.evil.example/', 'https://auth.example.com'],
    ['http://login.example.com/', 'https://auth.example.com'],
    ['https://localhost:5173/', 'http://localhost:3000'],
    ['http://127.0.0.1:5173/', 'http://localhost:3000'],
    ['http://localhost:5173/', 'http://127.0.0.1:3000'],
    ['http://127.0.0.2:5173/', 'http://127.0.0.1:3000'],
    ['http://[::1]:5173/', 'http://localhost:3000'],
  ])('%s is not on the site of %s, and the message says so', (ui, server) => {
    expect(crossSiteProblem(ui, server)).toMatch(/^must be on the same site as PUBLIC_URL \(.+\): .*SameSite=Lax/);
  });

  it('names the site as scheme and registrable domain (an IP address or one-label host whole)', () => {
    expect(siteOf(new URL('https://auth.login.example.com:8443/x'))).toBe('https://example.com');
    expect(siteOf(new URL('http://localhost:3000'))).toBe('http://localhost');
    expect(siteOf(new URL('http://192.168.10.20:3000'))).toBe('http://192.168.10.20');
    expect(siteOf(new URL('http://[::1]:3000'))).toBe('http://[::1]');
  });
});
