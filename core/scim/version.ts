// meta.version: a weak ETag of everything else in the representation, so any change a GET would
// show changes the version (RFC 7644 §3.14), and an If-Match read before another change fails.
import { createHash } from 'node:crypto';

export function versionOf(representation: Record<string, unknown>): string {
  return `W/"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-Match / If-None-Match header names `current` (`*` or one of a list; weak comparison). */
export function etagListHas(header: string, current: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(current));
}

/** The resource with its meta.version set from the rest of it. */
export function withVersion<T extends { meta: Record<string, unknown> }>(resource: T): T {
  const version = versionOf(resource as unknown as Record<string, unknown>);
  return { ...resource, meta: { ...resource.meta, version } };
}
