// Management operations for clients: declared in its own issue-11 slice; empty until then.
import type { Operation } from '../operation.ts';

export const operations: Operation[] = [];
