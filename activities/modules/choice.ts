// choice: lets the user pick one of the configured options (e.g. "password" or "passkey"); each
// option's value is an outcome of the node.
import { z } from 'zod';
import { defineModule } from './module.ts';

const Option = z.object({ value: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/), label: z.string().min(1).max(100) }).strict();

export const choiceModule = defineModule({
  type: 'choice',
  config: z.object({
    title: z.string().min(1).max(200).default('How do you want to continue?'),
    description: z.string().max(500).optional(),
    options: z.array(Option).min(1).max(10).refine((o) => new Set(o.map((x) => x.value)).size === o.length, 'option values must differ'),
  }).strict(),
  outcomes: (config) => config.options.map((o) => o.value),
  rememberOutcomes: [],
  async prepare({ config }) {
    return {
      kind: 'step',
      step: {
        type: 'choice', title: config.title, ...(config.description ? { description: config.description } : {}),
        choices: config.options.map((o) => ({ value: o.value, label: o.label })),
      },
    };
  },
  async verify(_call, values) {
    return { outcome: values.choice! };
  },
});
