// Management operations for audit-events.
import type { Operation } from '../operation.ts';

export const operations: Operation[] = [];
