// SCIM PATCH (RFC 7644 §3.5.2) on a resource's representation: the RFC's own examples for add,
// replace and remove, value filters with a sub-attribute, attribute names in any case, Azure AD's
// habits ("Replace", "False", remove with a value list), and every refusal with its scimType,
// without touching the input.
import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../core/scim/patch.ts';
import { ScimError } from '../../core/scim/scim-error.ts';
import { GROUP_SCHEMA, PATCH_SCHEMA, RESOURCE_ATTRIBUTES, USER_SCHEMA } from '../../core/scim/schemas.ts';

const users = { schema: USER_SCHEMA, attributes: RESOURCE_ATTRIBUTES.User };
const groups = { schema: GROUP_SCHEMA, attributes: RESOURCE_ATTRIBUTES.Group };
const patch = (...Operations: object[]) => ({ schemas: [PATCH_SCHEMA], Operations });

const user = () => ({
  schemas: [USER_SCHEMA], id: 'u1', userName: 'bjensen', displayName: 'Babs Jensen', nickName: 'Babs',
  name: { givenName: 'Barbara', familyName: 'Jensen' }, active: true,
  emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
  meta: { resourceType: 'User', version: 'W/"a"' },
});
const group = () => ({
  schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Tour Guides',
  members: [{ value: 'u1', display: 'bjensen' }, { value: 'u2', display: 'jsmith' }, { value: 'u3', display: 'mark' }],
});

function refusal(run: () => unknown): ScimError {
  try {
    run();
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('RFC 7644 §3.5.2 examples', () => {
  it('§3.5.2.1 adds a member to a group', () => {
    const out = applyPatch(group(), patch({
      op: 'add', path: 'members',
      value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', value: '2819c223-7f76-453a-919d-413861904646' }],
    }), groups);
    expect(out.members).toHaveLength(4);
    expect((out.members as object[])[3]).toEqual({
      display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', value: '2819c223-7f76-453a-919d-413861904646',
    });
  });

  it('§3.5.2.1 adds without a path: attributes merged, names in their schema spelling', () => {
    const out = applyPatch(user(), patch({ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babsy' } }), users);
    expect(out.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }]);
    expect(out.nickName).toBe('Babsy');
    expect(out).not.toHaveProperty('nickname');
  });

  it('§3.5.2.2 removes one member, all members, and members by a filter, then the same with a remove and add', () => {
    const one = applyPatch(group(), patch({ op: 'remove', path: 'members[value eq "u2"]' }), groups);
    expect((one.members as { value: string }[]).map((m) => m.value)).toEqual(['u1', 'u3']);
    const all = applyPatch(group(), patch({ op: 'remove', path: 'members' }), groups);
    expect(all).not.toHaveProperty('members');
    const some = applyPatch(group(), patch({ op: 'remove', path: 'members[value eq "u1" or value eq "u3"]' }), groups);
    expect((some.members as { value: string }[]).map((m) => m.value)).toEqual(['u2']);
    const swap = applyPatch(group(), patch(
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [{ display: 'Babs Jensen', value: 'u9' }, { display: 'James Smith', value: 'u8' }] },
    ), groups);
    expect((swap.members as { value: string }[]).map((m) => m.value)).toEqual(['u9', 'u8']);
  });

  it('§3.5.2.2 removes a sub-attribute of the values a filter picks', () => {
    const start = { ...user(), emails: [{ value: 'a@x.org', type: 'work', display: 'Work' }, { value: 'b@x.org', type: 'home', display: 'Home' }] };
    const out = applyPatch(start, patch({ op: 'remove', path: 'emails[type eq "work"].display' }), users);
    expect(out.emails).toEqual([{ value: 'a@x.org', type: 'work' }, { value: 'b@x.org', type: 'home', display: 'Home' }]);
  });

  it('§3.5.2.3 replaces all members, a value picked by a filter, its sub-attribute, and attributes without a path', () => {
    const all = applyPatch(group(), patch({ op: 'replace', path: 'members', value: [{ display: 'Babs Jensen', value: 'u9' }] }), groups);
    expect(all.members).toEqual([{ display: 'Babs Jensen', value: 'u9' }]);
    const start = { ...user(), emails: [{ value: 'a@x.org', type: 'work', primary: true }, { value: 'b@x.org', type: 'home' }] };
    const whole = applyPatch(start, patch({ op: 'replace', path: 'emails[type eq "work"]', value: { type: 'work', value: 'bjensen@example.com' } }), users);
    expect(whole.emails).toEqual([{ type: 'work', value: 'bjensen@example.com' }, { value: 'b@x.org', type: 'home' }]);
    const value = applyPatch(start, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@x.org' }), users);
    expect((value.emails as { value: string }[])[0]!.value).toBe('new@x.org');
    const noPath = applyPatch(user(), patch({ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }), users);
    expect(noPath.emails).toHaveLength(2);
    expect(noPath.nickName).toBe('Babs');
  });
});

describe('PATCH details', () => {
  it('merges complex attributes, sets sub-attributes, and replaces simple ones', () => {
    const out = applyPatch(user(), patch(
      { op: 'replace', path: 'name', value: { familyName: 'Jensen-Smith' } },
      { op: 'add', path: 'name.middleName', value: 'Jane' },
      { op: 'replace', path: 'DISPLAYNAME', value: 'Barbara' },
      { op: 'remove', path: 'nickName' },
    ), users);
    expect(out.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen-Smith', middleName: 'Jane' });
    expect(out.displayName).toBe('Barbara');
    expect(out).not.toHaveProperty('nickName');
  });

  it('takes Azure AD\'s spellings: capitalised ops, "False" for a boolean, schema-qualified paths, remove with a value list', () => {
    const out = applyPatch(user(), patch(
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', path: `${USER_SCHEMA}:title`, value: 'Guide' },
    ), users);
    expect(out.active).toBe(false);
    expect(out.title).toBe('Guide');
    const removed = applyPatch(group(), patch({ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] }), groups);
    expect((removed.members as { value: string }[]).map((m) => m.value)).toEqual(['u2']);
  });

  it('adds the value a filter of equalities describes when it matches nothing (Azure AD\'s add of emails[type eq "work"].value)', () => {
    const start = { ...user(), emails: [] as object[] };
    const out = applyPatch(start, patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@example.com' }), users);
    expect(out.emails).toEqual([{ type: 'work', value: 'babs@example.com' }]);
    const again = applyPatch(out, patch({ op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' }), users);
    expect(again.emails).toEqual([{ type: 'work', value: 'new@example.com' }]);
    expect(refusal(() => applyPatch(start, patch({ op: 'add', path: 'emails[type co "wo"].value', value: 'x@y.z' }), users)).scimType).toBe('noTarget');
    expect(refusal(() => applyPatch(start, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'x@y.z' }), users)).scimType).toBe('noTarget');
  });

  it('does not repeat a value already there, and moves the primary mark to a new primary value', () => {
    const same = applyPatch(group(), patch({ op: 'add', path: 'members', value: [{ value: 'u1', display: 'bjensen' }] }), groups);
    expect(same.members).toHaveLength(3);
    const out = applyPatch(user(), patch({ op: 'add', path: 'emails', value: [{ value: 'new@x.org', primary: true }] }), users);
    expect(out.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: false }, { value: 'new@x.org', primary: true }]);
  });

  it('never changes its input, nor applies anything when one operation fails', () => {
    const start = user();
    const before = JSON.stringify(start);
    applyPatch(start, patch({ op: 'replace', path: 'userName', value: 'other' }), users);
    refusal(() => applyPatch(start, patch({ op: 'replace', path: 'userName', value: 'x' }, { op: 'replace', path: 'id', value: 'y' }), users));
    expect(JSON.stringify(start)).toBe(before);
  });
});

describe('PATCH refusals', () => {
  it.each([
    [{ Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    [{ schemas: [PATCH_SCHEMA] }, 'invalidSyntax'],
    [{ schemas: [PATCH_SCHEMA], Operations: [] }, 'invalidSyntax'],
    [patch({ op: 'move', path: 'title', value: 'x' }), 'invalidSyntax'],
    [patch({ op: 'add', path: 'title' }), 'invalidValue'],
    [patch({ op: 'remove' }), 'noTarget'],
    [patch({ op: 'add', path: 'favouriteColour', value: 'x' }), 'invalidPath'],
    [patch({ op: 'add', path: 'name.nick', value: 'x' }), 'invalidPath'],
    [patch({ op: 'add', value: { favouriteColour: 'x' } }), 'invalidPath'],
    [patch({ op: 'add', path: 'emails', value: [{ value: 'a@b.c', colour: 'x' }] }), 'invalidPath'],
    [patch({ op: 'add', path: 'urn:example:ext:1.0:User:title', value: 'x' }), 'invalidPath'],
    [patch({ op: 'replace', path: 'title[value eq "x"]', value: 'x' }), 'invalidPath'],
    [patch({ op: 'replace', path: 'emails[type eq "home"].value', value: 'x@y.z' }), 'noTarget'],
    [patch({ op: 'replace', path: 'emails[type eq ', value: 'x' }), 'invalidPath'],
    [patch({ op: 'replace', path: 'id', value: 'x' }), 'mutability'],
    [patch({ op: 'replace', path: 'meta.version', value: 'x' }), 'mutability'],
    [patch({ op: 'add', path: 'groups', value: [{ value: 'g1' }] }), 'mutability'],
    [patch({ op: 'remove', path: 'userName' }), 'mutability'],
  ])('%j → %s', (body, scimType) => {
    const err = refusal(() => applyPatch(user(), body, users));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe(scimType);
  });

  it('refuses more than 1000 operations', () => {
    const ops = Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'title', value: 'x' }));
    expect(refusal(() => applyPatch(user(), patch(...ops), users)).scimType).toBe('invalidValue');
  });
});
