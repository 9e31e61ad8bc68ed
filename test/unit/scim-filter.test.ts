// SCIM filters (RFC 7644 §3.4.2.2): every operator, and/or/not with their precedence, parentheses,
// value filters on multi-valued attributes, schema-qualified paths, attribute names in any case,
// case-exact and date comparisons, and malformed or hostile filters refused with invalidFilter.
import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../core/scim/filter-eval.ts';
import { parseFilter, parsePatchPath } from '../../core/scim/filter-parser.ts';
import { ScimError } from '../../core/scim/scim-error.ts';
import { RESOURCE_ATTRIBUTES, USER_SCHEMA } from '../../core/scim/schemas.ts';

const target = { schema: USER_SCHEMA, attributes: RESOURCE_ATTRIBUTES.User };

const babs = {
  schemas: [USER_SCHEMA], id: '2819c223-7f76-453a-919d-413861904646', externalId: 'Bjensen', userName: 'bjensen',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen', title: 'Tour Guide', active: true,
  emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
  groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }],
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z', version: 'W/"3694e05e9dff591"' },
};
const mark = { ...babs, id: 'b1', userName: 'mark', externalId: 'mark', name: { givenName: 'Mark' }, displayName: undefined, title: undefined,
  active: false, emails: [{ value: 'mark@example.org', type: 'work' }], groups: [], meta: { ...babs.meta, lastModified: '2009-01-01T00:00:00Z' } };

const match = (filter: string, resource: object = babs) => matchesFilter(parseFilter(filter), resource, target);

function refusal(run: () => unknown): ScimError {
  try {
    run();
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('SCIM filter operators', () => {
  it('eq, ne, co, sw, ew on strings, ignoring case where the attribute does', () => {
    expect(match('userName eq "bjensen"')).toBe(true);
    expect(match('userName eq "BJensen"')).toBe(true);
    expect(match('userName eq "bjensen2"')).toBe(false);
    expect(match('userName ne "mark"')).toBe(true);
    expect(match('userName ne "bjensen"')).toBe(false);
    expect(match('name.familyName co "ens"')).toBe(true);
    expect(match('name.familyName co "xyz"')).toBe(false);
    expect(match('userName sw "BJ"')).toBe(true);
    expect(match('userName sw "en"')).toBe(false);
    expect(match('userName ew "SEN"')).toBe(true);
    expect(match('userName ew "bj"')).toBe(false);
  });

  it('compares caseExact attributes exactly', () => {
    expect(match('externalId eq "Bjensen"')).toBe(true);
    expect(match('externalId eq "bjensen"')).toBe(false);
    expect(match('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
  });

  it('pr: present and non-empty', () => {
    expect(match('title pr')).toBe(true);
    expect(match('title pr', mark)).toBe(false);
    expect(match('name pr')).toBe(true);
    expect(match('groups pr', mark)).toBe(false);
    expect(match('nickName pr')).toBe(false);
  });

  it('gt, ge, lt, le on dates as instants, and on strings in order', () => {
    expect(match('meta.lastModified gt "2011-05-13T04:42:33Z"')).toBe(true);
    expect(match('meta.lastModified gt "2011-05-13T04:42:34Z"')).toBe(false);
    expect(match('meta.lastModified ge "2011-05-13T04:42:34Z"')).toBe(true);
    expect(match('meta.lastModified lt "2011-05-13T05:00:00-01:00"')).toBe(true);
    expect(match('meta.lastModified le "2011-05-13T04:42:34.000Z"')).toBe(true);
    expect(match('meta.created lt "2010-01-01T00:00:00Z"')).toBe(false);
    expect(match('userName gt "a"')).toBe(true);
    expect(match('userName lt "a"')).toBe(false);
  });

  it('booleans and null', () => {
    expect(match('active eq true')).toBe(true);
    expect(match('active eq false', mark)).toBe(true);
    expect(match('active eq "true"')).toBe(false);
    expect(match('nickName eq null')).toBe(true);
    expect(match('title ne null')).toBe(true);
  });
});

describe('SCIM filter logic', () => {
  it('and, or, not, with not before and before or, and parentheses', () => {
    expect(match('userName eq "bjensen" and active eq true')).toBe(true);
    expect(match('userName eq "bjensen" and active eq false')).toBe(false);
    expect(match('userName eq "x" or title pr')).toBe(true);
    expect(match('not (userName eq "bjensen")')).toBe(false);
    expect(match('not(userName eq "mark")')).toBe(true);
    // and binds tighter than or: true or (false and false) = true; (true or false) and false = false.
    expect(match('title pr or userName eq "x" and active eq false')).toBe(true);
    expect(match('(title pr or userName eq "x") and active eq false')).toBe(false);
    expect(match('userName eq "bjensen" AND (emails co "example.com" OR emails.value co "example.org")')).toBe(true);
  });

  it('value filters on multi-valued attributes, and the implicit value of complex ones', () => {
    expect(match('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(match('emails[type eq "home" and value co "@example.com"]')).toBe(false);
    expect(match('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]')).toBe(true);
    expect(match('emails co "jensen.org"')).toBe(true);
    expect(match('emails.type eq "home"')).toBe(true);
    expect(match('groups.display eq "tour guides"')).toBe(true);
    expect(match('emails[not (type eq "work")]')).toBe(true);
    expect(match('emails[type eq "work"]', mark)).toBe(true);
  });

  it('attribute names and operators in any case, and schema-qualified paths', () => {
    expect(match('USERNAME EQ "bjensen"')).toBe(true);
    expect(match('Name.FamilyName Co "jen"')).toBe(true);
    expect(match(`${USER_SCHEMA}:userName eq "bjensen"`)).toBe(true);
    expect(match(`${USER_SCHEMA}:name.givenName eq "barbara"`)).toBe(true);
    expect(match('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "Babs Jensen"')).toBe(false);
    expect(match('unknownAttr eq "x"')).toBe(false);
    expect(match('not (unknownAttr eq "x")')).toBe(true);
  });

  it('escapes in strings and numbers', () => {
    expect(match('title eq "Tour\\u0020Guide"')).toBe(true);
    expect(match('displayName co "\\"Babs"')).toBe(false);
    expect(parseFilter('x gt 1.5e3')).toEqual({ op: 'gt', path: { attr: 'x' }, value: 1500 });
  });
});

describe('RFC 7644 §3.4.2.2 example filters', () => {
  const employee = { ...babs, userType: 'Employee' };
  it.each([
    ['userName eq "bjensen"', true, true], ['name.familyName co "O\'Malley"', false, false], ['userName sw "J"', false, false],
    [`${USER_SCHEMA}:userName sw "J"`, false, false], ['title pr', true, true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false, false], ['meta.lastModified ge "2011-05-13T04:42:34Z"', true, true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false, false], ['meta.lastModified le "2011-05-13T04:42:34Z"', true, true],
    ['title pr and userType eq "Employee"', false, true], ['title pr or userType eq "Intern"', true, true],
    [`schemas eq "${USER_SCHEMA}"`, true, true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', false, true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false, false],
    ['userType eq "Employee" and (emails.type eq "work")', false, true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', false, true],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true, true],
  ])('%s → %s, and for an employee %s', (filter, forBabs, forEmployee) => {
    expect(match(filter)).toBe(forBabs);
    expect(match(filter, employee)).toBe(forEmployee);
  });
});

describe('malformed filters', () => {
  it.each([
    ['', /empty/], ['userName', /operator/], ['userName eq', /value/], ['userName eq bjensen', /quoted/],
    ['userName xx "a"', /unknown operator/], ['(userName eq "a"', /expected "\)"/], ['userName eq "a")', /unexpected/],
    ['userName eq "a" and', /attribute/], ['not userName eq "a"', /expected "\("/], ['emails[type eq "work"', /expected "\]"/],
    ['emails[type[value eq "a"] eq "b"]', /another/], ['userName eq "abc', /unterminated/], ['a.b.c eq "x"', /attribute path/],
    ['userName co 5', /string/], ['active gt true', /cannot compare/], ['userName eq "a" ; drop', /unexpected/],
  ])('%s is invalidFilter', (filter, detail) => {
    const err = refusal(() => match(filter));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
    expect(err.message).toMatch(detail);
  });

  it('refuses deep nesting and huge filters without exhausting the stack', () => {
    expect(refusal(() => parseFilter(`${'('.repeat(5000)}a pr${')'.repeat(5000)}`)).message).toMatch(/longer than/);
    expect(refusal(() => parseFilter(`${'not ('.repeat(40)}a pr${')'.repeat(40)}`)).message).toMatch(/nests too deeply/);
    expect(refusal(() => parseFilter(`a eq "${'x'.repeat(5000)}"`)).scimType).toBe('invalidFilter');
  });
});

describe('PATCH paths', () => {
  it('parses attributes, sub-attributes, value filters and a sub-attribute after them', () => {
    expect(parsePatchPath('name.familyName')).toEqual({ path: { attr: 'name', sub: 'familyName' } });
    expect(parsePatchPath(`${USER_SCHEMA}:userName`)).toEqual({ path: { schema: USER_SCHEMA, attr: 'userName' } });
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      path: { attr: 'emails' }, filter: { op: 'eq', path: { attr: 'type' }, value: 'work' }, sub: 'value',
    });
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toMatchObject({
      path: { attr: 'members' }, filter: { op: 'eq', value: '2819c223-7f76-453a-919d-413861904646' },
    });
  });

  it.each(['emails[type eq "work"', 'emails[]', 'emails[type eq "work"]value', 'a.b.c', 'name.familyName[type eq "x"]', 'emails[type eq "x"].a.b'])(
    '%s is invalidPath', (path) => {
      expect(refusal(() => parsePatchPath(path)).scimType).toBe('invalidPath');
    },
  );
});
