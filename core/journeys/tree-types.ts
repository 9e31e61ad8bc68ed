// The tree DSL (DESIGN.md §3). Trees are data: stored per tenant, versioned, snapshotted by a
// journey at its start.

export const TERMINALS = ['success', 'failure'] as const;
export type Terminal = (typeof TERMINALS)[number];

export interface Remember { in: 'session' | 'cookie' | 'none'; for: string }

export interface TreeNode {
  type: string;
  config?: Record<string, unknown>;
  next: Record<string, string>;
  remember?: Remember;
}

export interface Tree {
  name: string;
  version?: number;
  start: string;
  /** The ACR a journey through this tree achieves. */
  acr?: string;
  /** Runs only inside other trees (or as a step-up of a signed-in user), never started alone. */
  internal?: boolean;
  nodes: Record<string, TreeNode>;
}

/** A tree as a journey snapshots it: with every tree its `tree` nodes run, at their current versions. */
export interface TreeBundle extends Tree {
  inner?: Record<string, Tree>;
}

/** What validation needs to know about each module type. */
export interface ModuleCatalogEntry {
  /** Names of other trees a node of this type runs (the `tree` module). */
  innerTrees?(config: Record<string, unknown>): string[];
  outcomes(config: Record<string, unknown>): string[];
  /** Outcomes a tree may leave unrouted: they then lead to `failure` (e.g. a script's `error`). */
  optionalOutcomes?(config: Record<string, unknown>): string[];
  /** Problems with a node's config, as sentences; empty when valid. */
  checkConfig(config: Record<string, unknown>): string[];
}
export type ModuleCatalog = Record<string, ModuleCatalogEntry>;
