// Tree validation: the rules of DESIGN.md §3, each with a tree that breaks it.
import { describe, expect, it } from 'vitest';
import { moduleCatalog } from '../../activities/registry.ts';
import { defaultTrees } from '../../core/journeys/default-trees.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { formatTreeErrors, routeOptionalOutcomes, validateTree } from '../../workflows/tree/validate.ts';

const base = () => ({
  name: 'login',
  start: 'identify',
  nodes: {
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', next: { ok: 'success', bad: 'password' } },
  },
});

function errorsOf(tree: unknown): string {
  const check = validateTree(tree, moduleCatalog);
  expect(check.ok).toBe(false);
  return check.ok ? '' : formatTreeErrors(check.errors);
}

describe('validateTree', () => {
  it('accepts the default trees', () => {
    for (const tree of defaultTrees) expect(validateTree(tree, moduleCatalog)).toMatchObject({ ok: true });
  });

  it('accepts a minimal tree', () => {
    expect(validateTree(base(), moduleCatalog).ok).toBe(true);
  });

  it('refuses an unrouted outcome, naming the node', () => {
    const tree = base();
    tree.nodes.password.next = { ok: 'success' } as never;
    expect(errorsOf(tree)).toBe('node "password": outcome "bad" is not routed');
  });

  it('refuses an outcome the module does not have', () => {
    const tree = base();
    (tree.nodes.identify.next as Record<string, string>).maybe = 'success';
    expect(errorsOf(tree)).toContain('node "identify": "maybe" is not an outcome of username');
  });

  it('refuses an unreachable node', () => {
    const tree = base() as any;
    tree.nodes.orphan = { type: 'password', next: { ok: 'success', bad: 'failure' } };
    expect(errorsOf(tree)).toBe('node "orphan": node is unreachable from start');
  });

  it('refuses an unknown module type', () => {
    const tree = base() as any;
    tree.nodes.identify.type = 'retina-scan';
    expect(errorsOf(tree)).toContain('node "identify": unknown module type "retina-scan"');
  });

  it('refuses config the module does not accept', () => {
    const tree = base() as any;
    tree.nodes.password.next.ok = 'otp';
    tree.nodes.otp = { type: 'totp', config: { enroll: 'yes' }, next: { ok: 'success', bad: 'otp', skip: 'success' } };
    expect(errorsOf(tree)).toMatch(/^node "otp": config: enroll: /);
    tree.nodes.otp.config = { colour: 'red' };
    expect(errorsOf(tree)).toMatch(/^node "otp": config: /);
  });

  it('refuses a target that is no node and no terminal', () => {
    const tree = base() as any;
    tree.nodes.identify.next.ok = 'pasword';
    expect(errorsOf(tree)).toContain('node "identify": outcome "ok" goes to unknown node "pasword"');
  });

  it('refuses a missing start, a bad name, a terminal used as a node id, and bad remember', () => {
    expect(errorsOf({ ...base(), start: 'nope' })).toContain('start "nope" is not a node');
    expect(errorsOf({ ...base(), name: 'Login Tree' })).toContain('name must be');
    const terminal = base() as any;
    terminal.nodes.success = { type: 'password', next: { ok: 'success', bad: 'failure' } };
    expect(errorsOf(terminal)).toContain('node "success": node id "success" is not allowed');
    const remember = base() as any;
    remember.nodes.password.remember = { in: 'forever', for: 'always' };
    expect(errorsOf(remember)).toContain('node "password": remember must be');
  });

  it('refuses things that are not trees at all', () => {
    for (const raw of [null, 42, 'tree', [], { name: 'x', start: 'a' }, { name: 'x', start: 'a', nodes: {} }]) {
      expect(validateTree(raw, moduleCatalog).ok).toBe(false);
    }
  });
});

describe('DESIGN.md §3 example tree', () => {
  const example = {
    name: 'login', version: 3, start: 'identify',
    nodes: {
      identify: { type: 'username', next: { ok: 'password' } },
      password: { type: 'password', next: { ok: 'mfa?', bad: 'throttle' } },
      throttle: { type: 'throttle', config: { captchaAfter: 3, lockAfter: 10, window: '15m' }, next: { retry: 'password', captcha: 'captcha', locked: 'failure' } },
      captcha: { type: 'captcha', next: { ok: 'password', bad: 'captcha' } },
      'mfa?': { type: 'script', config: { source: "return user.totp ? 'yes' : 'no'" }, next: { yes: 'otp', no: 'success' } },
      otp: { type: 'totp', remember: { in: 'session', for: '12h' }, next: { ok: 'success', bad: 'otp' } },
    },
  };

  it('validates as written, its unrouted optional outcomes leading to failure', () => {
    const check = validateTree(example, moduleCatalog);
    expect(check).toMatchObject({ ok: true });
    const routed = routeOptionalOutcomes(example as Tree, moduleCatalog);
    expect(routed.nodes['mfa?']!.next).toEqual({ yes: 'otp', no: 'success', error: 'failure' });
    expect(routed.nodes.otp!.next).toEqual({ ok: 'success', bad: 'otp', skip: 'failure' });
    expect(routed.nodes.password!.next).toEqual(example.nodes.password.next);
  });
});
