// Which trees a journey may start on (pure; the server loads the trees and the tenant's
// registration setting, then asks here). Rules:
// - a tree meant to run inside others (`internal: true`, or the built-in `mfa` tree, stored
//   before the flag existed) never starts alone, except as a step-up the server started for a
//   signed-in user; it is answered as if it did not exist;
// - a tree that signs people up (a `signup` node in it or in a tree it runs) runs only as a
//   `registration` journey, and the built-in `recovery` tree only as a `recovery` journey;
// - a `registration` journey starts only while the tenant's registration is enabled;
// - the account trees (named `account-*`) run only as `account` journeys, and an `account`
//   journey (started by the server for the signed-in user, server/api/journeys) runs nothing else.
import type { JourneyKind } from './journey-types.ts';
import type { Tree } from './tree-types.ts';

/** Built-in trees that are internal whatever their stored definition says. */
export const INTERNAL_TREE_NAMES: ReadonlySet<string> = new Set(['mfa']);

/** The only kind of journey that may run a `signup` node (checked at the start and by the node). */
export const SIGNUP_KIND: JourneyKind = 'registration';

/** Whether a journey of `kind` may sign people up. */
export function maySignUp(kind: JourneyKind): boolean {
  return kind === SIGNUP_KIND;
}

/** Built-in trees that only one kind of journey may run. */
const KIND_OF_TREE: Readonly<Record<string, JourneyKind>> = { registration: 'registration', recovery: 'recovery' };

export interface StartRefusal { status: 400 | 403; code: string; message: string }

export function isInternalTree(tree: Pick<Tree, 'name' | 'internal'>): boolean {
  return tree.internal === true || INTERNAL_TREE_NAMES.has(tree.name);
}

/** A tree of the account console (an `account` journey's only trees). */
export function isAccountTree(tree: Pick<Tree, 'name'>): boolean {
  return tree.name.startsWith('account-');
}

/** Names of the trees a tree's `tree` nodes run (DESIGN.md §3). */
export function innerTreeNames(tree: Tree): string[] {
  const names = Object.values(tree.nodes)
    .map((node) => (node.type === 'tree' ? node.config?.tree : undefined))
    .filter((name): name is string => typeof name === 'string');
  return [...new Set(names)];
}

export function signsUp(trees: Tree[]): boolean {
  return trees.some((tree) => Object.values(tree.nodes).some((node) => node.type === 'signup'));
}

export interface StartFacts {
  registrationEnabled: boolean;
  /** The server starts this journey to raise a signed-in user's session (request.stepUp). */
  stepUp?: boolean;
}

/**
 * Why a journey of `kind` may not start on `root` (running `inner` trees), or undefined.
 * A refused internal tree answers like an unknown one.
 */
export function startRefusal(kind: JourneyKind, root: Tree, inner: Tree[], facts: StartFacts): StartRefusal | undefined {
  if (isInternalTree(root) && !facts.stepUp) return unknownTree(root.name);
  if (kind === 'registration' && !facts.registrationEnabled) {
    return { status: 403, code: 'registration_disabled', message: 'This service does not accept new accounts.' };
  }
  const only = KIND_OF_TREE[root.name] ?? (signsUp([root, ...inner]) ? SIGNUP_KIND : isAccountTree(root) ? 'account' : undefined);
  if (kind === 'account' && only !== 'account') return { status: 400, code: 'tree_not_allowed', message: `An account journey cannot run the tree "${root.name}".` };
  if (only && only !== kind) return { status: 400, code: 'tree_not_allowed', message: `A ${kind} journey cannot run the tree "${root.name}".` };
  return undefined;
}

export function unknownTree(name: string): StartRefusal {
  return { status: 400, code: 'unknown_tree', message: `There is no tree "${name}".` };
}
