// `VERB::path-regex` permissions: implicitly anchored, method-checked, a list as OR, malformed
// entries ignored without throwing, the query never matched.
import { describe, expect, it } from 'vitest';
import { parsePermission, pathOnly, permits } from '../../guard/permissions.ts';
import { createResourceGuard } from '../../guard/resource-guard.ts';

describe('permits', () => {
  it('anchors the regex at both ends', () => {
    expect(permits(['GET::/a'], 'GET', '/a')).toBe(true);
    expect(permits(['GET::/a'], 'GET', '/a/b')).toBe(false);
    expect(permits(['GET::/a'], 'GET', '/xa')).toBe(false);
    expect(permits(['GET::/a|/b'], 'GET', '/b')).toBe(true);
    expect(permits(['GET::/a|/b'], 'GET', '/a/c')).toBe(false);
    expect(permits(['GET::/a|/b'], 'GET', '/c/b')).toBe(false);
    expect(permits(['GET::/api/items/[0-9]+'], 'GET', '/api/items/42')).toBe(true);
    expect(permits(['GET::/api/items/[0-9]+'], 'GET', '/api/items/42/delete')).toBe(false);
  });

  it('checks the verb, case-insensitively, and `*` allows any', () => {
    expect(permits(['GET::/a'], 'POST', '/a')).toBe(false);
    expect(permits(['get::/a'], 'GET', '/a')).toBe(true);
    expect(permits(['GET::/a'], 'get', '/a')).toBe(true);
    expect(permits(['*::/a'], 'DELETE', '/a')).toBe(true);
    expect(permits(['*::/a'], 'DELETE', '/b')).toBe(false);
  });

  it('reads the verb as an anchored, case-insensitive regex (Astarte style)', () => {
    expect(permits(['GET|PUT::devices/.*'], 'PUT', 'devices/d1')).toBe(true);
    expect(permits(['GET|PUT::devices/.*'], 'DELETE', 'devices/d1')).toBe(false);
    expect(permits(['.*::.*'], 'PATCH', '/anything')).toBe(true);
    expect(permits(['P.*::/a'], 'POST', '/a')).toBe(true);
    expect(permits(['P.*::/a'], 'GET', '/a')).toBe(false);
    // Anchored: a verb regex never matches part of a method.
    expect(permits(['GE::/a'], 'GET', '/a')).toBe(false);
    expect(permits(['ET::/a'], 'GET', '/a')).toBe(false);
    expect(permits(['(get|post)::/a'], 'POST', '/a')).toBe(true);
    // A verb that escapes its anchoring, does not compile, or holds what no method needs is malformed.
    for (const entry of ['GET)|(.*::/a', 'GET(::/a', 'G ET::/a', 'GET/x::/a']) expect(parsePermission(entry), entry).toBeNull();
  });

  it('treats a list as OR', () => {
    const list = ['GET::/items', 'POST::/items', 'DELETE::/items/[0-9]+'];
    expect(permits(list, 'POST', '/items')).toBe(true);
    expect(permits(list, 'DELETE', '/items/7')).toBe(true);
    expect(permits(list, 'DELETE', '/items')).toBe(false);
    expect(permits(list, 'PUT', '/items')).toBe(false);
    expect(permits([], 'GET', '/items')).toBe(false);
  });

  it('matches the path only, never the query or fragment', () => {
    expect(permits(['GET::/a'], 'GET', '/a?x=1')).toBe(true);
    expect(permits(['GET::/a\\?x=1'], 'GET', '/a?x=1')).toBe(false);
    expect(permits(['GET::/a.*'], 'GET', '/b?next=/a')).toBe(false);
    expect(pathOnly('/a/b#frag')).toBe('/a/b');
  });

  it('ignores malformed entries and never throws', () => {
    const malformed = ['GET:/a', '::/a', 'GET::(', 'G ET::/a', 'GET', 42, null, { a: 1 }, 'GET::' + 'a'.repeat(2000)];
    for (const entry of malformed) expect(() => permits([entry], 'GET', '/a')).not.toThrow();
    expect(permits(malformed, 'GET', '/a')).toBe(false);
    expect(permits([...malformed, 'GET::/a'], 'GET', '/a')).toBe(true);
    expect(parsePermission('GET::(')).toBeNull();
  });

  it('does not let an entry escape the anchoring with a group', () => {
    expect(permits(['GET::/a)|(.*'], 'GET', '/anything')).toBe(false);
    expect(permits(['GET::/a)|(?:.*'], 'GET', '/anything')).toBe(false);
    expect(permits(['GET::/a)|(?:.*'], 'GET', '/a')).toBe(false);
  });

  it('accepts a single string, and nothing else, as the claim', () => {
    expect(permits('GET::/a', 'GET', '/a')).toBe(true);
    expect(permits(undefined, 'GET', '/a')).toBe(false);
    expect(permits({ 0: 'GET::/a' }, 'GET', '/a')).toBe(false);
  });

  it('an empty regex only allows the empty path', () => {
    expect(permits(['GET::'], 'GET', '/a')).toBe(false);
  });
});

describe('createResourceGuard', () => {
  it('refuses unsafe algorithms and missing audience', () => {
    expect(() => createResourceGuard({ issuer: 'https://id.example/t/a', audience: 'api', algorithms: ['none'] })).toThrow(TypeError);
    expect(() => createResourceGuard({ issuer: 'https://id.example/t/a', audience: 'api', algorithms: ['HS256'] })).toThrow(TypeError);
    expect(() => createResourceGuard({ issuer: 'https://id.example/t/a', audience: [] })).toThrow(TypeError);
  });

  it('reads permissions from the configured claim', () => {
    const guard = createResourceGuard({ issuer: 'https://id.example/t/a', audience: 'api', permissionsClaim: 'perms' });
    expect(guard.allows({ perms: ['GET::/x'] }, 'GET', '/x')).toBe(true);
    expect(guard.allows({ permissions: ['GET::/x'] }, 'GET', '/x')).toBe(false);
  });
});
