// Management operations for roles.
import type { Operation } from '../operation.ts';

export const operations: Operation[] = [];
