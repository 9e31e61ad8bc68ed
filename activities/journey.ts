// Activities the journey workflow calls: load the tree snapshot, and prepare / verify any node by
// dispatching to its module through the registry. Module failures that retrying cannot fix are
// raised as non-retryable ApplicationFailures so the journey ends instead of looping.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../core/db.ts';
import { recordAudit, type AuditEvent } from '../core/audit.ts';
import { getTree } from '../core/trees.ts';
import type { Tree } from '../core/tree-types.ts';
import type { NodeCall, PrepareResult, VerifyResult } from '../core/journey-context.ts';
import { validateTree, formatTreeErrors } from '../workflows/tree/validate.ts';
import { findModule, moduleCatalog } from './registry.ts';
import type { AuthModule, ModuleDeps } from './modules/module.ts';

export interface JourneyActivityDeps { db: Db; now?: () => Date }

export interface JourneyEnd {
  tenant: string;
  journeyId: string;
  status: string;
  tree: string;
  version: number;
  subject?: string;
  error?: string;
}

function resolve(call: NodeCall): { module: AuthModule; config: unknown } {
  const module = findModule(call.type);
  if (!module) throw ApplicationFailure.nonRetryable(`node "${call.node}": unknown module "${call.type}"`, 'BadTree');
  const parsed = module.config.safeParse(call.config);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`node "${call.node}": invalid config`, 'BadTree');
  return { module, config: parsed.data };
}

export function createJourneyActivities({ db, now = () => new Date() }: JourneyActivityDeps) {
  const deps: ModuleDeps = { db, now, audit: (event: AuditEvent) => recordAudit(db, event) };
  return {
    /** The latest version of the tree, validated; the journey keeps this snapshot to the end. */
    async loadTree(input: { tenant: string; name: string }): Promise<Tree> {
      const stored = await getTree(db, input.tenant, input.name);
      if (!stored) throw ApplicationFailure.nonRetryable(`no tree "${input.name}"`, 'TreeNotFound');
      const check = validateTree(stored.tree, moduleCatalog);
      if (!check.ok) throw ApplicationFailure.nonRetryable(formatTreeErrors(check.errors), 'BadTree');
      return stored.tree;
    },

    async prepareNode(call: NodeCall): Promise<PrepareResult> {
      const { module, config } = resolve(call);
      return module.prepare({ ...call, config }, deps);
    },

    async verifyNode(call: NodeCall, values: Record<string, string>): Promise<VerifyResult> {
      const { module, config } = resolve(call);
      if (!module.verify) throw ApplicationFailure.nonRetryable(`node "${call.node}" takes no input`, 'BadTree');
      return module.verify({ ...call, config }, values, deps);
    },

    async recordJourneyEnd(end: JourneyEnd): Promise<void> {
      await recordAudit(db, {
        tenant: end.tenant, type: `journey.${end.status}`, subject: end.subject, journeyId: end.journeyId,
        dedupeKey: `journey-end:${end.journeyId}`,
        data: { tree: end.tree, version: end.version, ...(end.error ? { error: end.error } : {}) },
      });
    },
  };
}

export type JourneyActivities = ReturnType<typeof createJourneyActivities>;
