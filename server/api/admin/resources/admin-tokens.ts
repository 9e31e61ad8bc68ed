// Management operations for admin-tokens.
import type { Operation } from '../operation.ts';

export const operations: Operation[] = [];
