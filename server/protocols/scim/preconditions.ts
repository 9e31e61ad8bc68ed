// ETags of SCIM resources (RFC 7644 §3.14): If-Match on PUT, PATCH and DELETE must name the
// current meta.version (412 otherwise, nothing changed); If-None-Match on GET naming it answers
// 304 without a body.
import type { Request } from 'express';
import { ScimError } from '../../../core/scim/scim-error.ts';
import { etagListHas } from '../../../core/scim/version.ts';

/** @throws ScimError 412 when If-Match names another version. */
export function checkIfMatch(req: Request, current: Record<string, unknown>): void {
  const header = req.get('if-match');
  const version = (current.meta as { version: string }).version;
  if (header !== undefined && !etagListHas(header, version)) {
    throw new ScimError(412, 'The resource changed since you read it (If-Match): read it again, then retry.');
  }
}

export function notModified(req: Request, current: Record<string, unknown>): boolean {
  const header = req.get('if-none-match');
  return header !== undefined && etagListHas(header, (current.meta as { version: string }).version);
}
