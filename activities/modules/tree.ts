// tree: runs another tree of the tenant inside this journey and branches on how it ended.
// The inner tree is snapshotted with the outer one at the journey's start, so it too finishes on
// the version the journey started with.
import { z } from 'zod';
import { defineModule } from './module.ts';

export const treeModule = defineModule({
  type: 'tree',
  config: z.object({ tree: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) }).strict(),
  outcomes: ['success', 'failure'],
  innerTrees: (config) => [config.tree],
  async prepare({ config }) {
    return { kind: 'subtree', tree: config.tree };
  },
});
