// The legacy protocol's `next` allowlist: every way of pointing a prefix match somewhere else.
import { describe, expect, it } from 'vitest';
import { checkNext, formatAllowedPrefix, parseAllowedPrefix, withLoginParams } from '../../core/legacy/legacy-allowlist.ts';

const prefixes = ['https://svc.example/app', 'https://other.example/', 'http://localhost:8080/cb/'].map(parseAllowedPrefix);

const allowed = (next: string) => checkNext(next, prefixes).ok;

describe('legacy next allowlist', () => {
  it('allows the prefix itself and what lies below it on a / boundary', () => {
    expect(allowed('https://svc.example/app')).toBe(true);
    expect(allowed('https://svc.example/app/')).toBe(true);
    expect(allowed('https://svc.example/app/page?x=1#top')).toBe(true);
    expect(allowed('https://SVC.example:443/app/x')).toBe(true);
    expect(allowed('https://other.example/anything')).toBe(true);
    expect(allowed('http://localhost:8080/cb/done')).toBe(true);
  });

  it('refuses other paths, hosts, schemes and ports', () => {
    for (const next of [
      'https://svc.example/apple', 'https://svc.example/', 'https://svc.example/ap', 'http://svc.example/app',
      'https://svc.example:8443/app', 'https://svc.example.evil.com/app', 'https://evil.example/app',
      'https://svc.example./app', 'http://localhost:8081/cb/', 'http://localhost/cb/', 'http://localhost:8080/cb',
      'https://svc.example/app/../admin', 'https://svc.example/app/%2e%2e/admin',
    ]) expect(allowed(next), next).toBe(false);
  });

  it('refuses relative, protocol-relative and non-http addresses', () => {
    for (const next of [
      '', '/app', '//svc.example/app', '///svc.example/app', 'https:svc.example/app', 'https:/svc.example/app',
      'javascript:alert(1)//https://svc.example/app', 'data:text/html,x', 'ftp://svc.example/app', 'svc.example/app',
    ]) expect(allowed(next), next).toBe(false);
  });

  it('refuses userinfo, backslashes, whitespace and encoded tricks', () => {
    for (const next of [
      'https://svc.example@evil.com/app', 'https://user:pw@svc.example/app', 'https://@svc.example/app',
      'https://evil.com\\@svc.example/app', 'https://svc.example\\evil.com/app', 'https:\\\\svc.example/app',
      'https://svc.example/app\\..\\..\\admin', ' https://svc.example/app', 'https://svc.example/app\n',
      'https://svc.exa\tmple/app', 'https://svc.example%2fevil.com/app', 'https://svc%2eexample/app',
      'https://svc.example/app%2F..%2Fadmin', 'https://svc.example/app/..%2fadmin', 'https://svc.example/app/%5c..',
      'https://svc.example/app/%00', `https://svc.example/app/${'a'.repeat(2100)}`,
    ]) expect(allowed(next), next).toBe(false);
  });

  it('refuses a next that carries its own user or token', () => {
    expect(allowed('https://svc.example/app?user=victim@x.example')).toBe(false);
    expect(allowed('https://svc.example/app?a=1&token=x')).toBe(false);
  });

  it('refuses everything when nothing is allowed', () => {
    expect(checkNext('https://svc.example/app', []).ok).toBe(false);
  });

  it('appends user and token after next\'s own query, keeping the fragment last', () => {
    const url = (checkNext('https://svc.example/app/p?a=b%20c&d#frag', prefixes) as { url: URL }).url;
    expect(withLoginParams(url, 'alice+x@t.example', 'tsu_abc')).toBe('https://svc.example/app/p?a=b%20c&d&user=alice%2Bx%40t.example&token=tsu_abc#frag');
    const bare = (checkNext('https://svc.example/app', prefixes) as { url: URL }).url;
    expect(withLoginParams(bare, 'a@b.example', 't')).toBe('https://svc.example/app?user=a%40b.example&token=t');
  });

  it('normalizes prefixes and refuses malformed ones', () => {
    expect(formatAllowedPrefix(parseAllowedPrefix('HTTPS://Svc.Example:443/App'))).toBe('https://svc.example/App');
    for (const bad of ['//svc.example/', 'https://u@svc.example/', 'https://svc.example/?q', 'https://svc.example/#f', 'ftp://x/', 'https://svc.example/a%2fb']) {
      expect(() => parseAllowedPrefix(bad), bad).toThrow();
    }
  });
});
