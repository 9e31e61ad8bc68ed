// The diff of two tree versions: start and ACR, nodes added and removed, changed fields per node
// (type, each config key, each routed outcome, remember); key order never counts as a change.
import { describe, expect, it } from 'vitest';
import { defaultLoginTree } from '../../core/journeys/default-trees.ts';
import { diffTrees } from '../../core/journeys/tree-diff.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';

const base: Tree = {
  name: 'login', start: 'identify', acr: 'urn:a',
  nodes: {
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', config: { a: 1, b: { x: 1, y: 2 } }, next: { ok: 'otp', bad: 'password' } },
    otp: { type: 'totp', config: { enroll: false }, next: { ok: 'success', bad: 'otp' } },
  },
};

describe('diffTrees', () => {
  it('finds nothing between a tree and a reordered copy of it', () => {
    const reordered: Tree = {
      nodes: { otp: base.nodes.otp!, password: { next: { bad: 'password', ok: 'otp' }, config: { b: { y: 2, x: 1 }, a: 1 }, type: 'password' }, identify: base.nodes.identify! },
      acr: 'urn:a', start: 'identify', name: 'login',
    };
    expect(diffTrees(base, reordered)).toEqual({ start: null, acr: null, added: [], removed: [], changed: [] });
    expect(diffTrees(defaultLoginTree, structuredClone(defaultLoginTree)).changed).toEqual([]);
  });

  it('names nodes added and removed, the start and the ACR', () => {
    const to: Tree = {
      name: 'login', start: 'password',
      nodes: { password: base.nodes.password!, captcha: { type: 'captcha', next: { ok: 'password', bad: 'captcha' } } },
    };
    const diff = diffTrees(base, to);
    expect(diff.start).toEqual({ from: 'identify', to: 'password' });
    expect(diff.acr).toEqual({ from: 'urn:a', to: null });
    expect(diff.added).toEqual([{ node: 'captcha', type: 'captcha' }]);
    expect(diff.removed).toEqual([{ node: 'identify', type: 'username' }, { node: 'otp', type: 'totp' }]);
    expect(diff.changed).toEqual([]);
  });

  it('lists the changed fields of a node with both values, absent as null', () => {
    const to = structuredClone(base);
    to.nodes.password!.config = { a: 2, b: { x: 1, y: 2 }, c: true };
    to.nodes.password!.next = { ok: 'success', bad: 'password' };
    to.nodes.otp!.type = 'email-code';
    to.nodes.otp!.config = undefined;
    to.nodes.otp!.remember = { in: 'session', for: '12h' };
    expect(diffTrees(base, to).changed).toEqual([
      { node: 'otp', fields: [
        { field: 'type', from: 'totp', to: 'email-code' },
        { field: 'config.enroll', from: false, to: null },
        { field: 'remember', from: null, to: { in: 'session', for: '12h' } },
      ] },
      { node: 'password', fields: [
        { field: 'config.a', from: 1, to: 2 },
        { field: 'config.c', from: null, to: true },
        { field: 'next.ok', from: 'otp', to: 'success' },
      ] },
    ]);
  });
});
