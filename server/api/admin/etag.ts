// Weak ETags of a resource's JSON representation: any change to what GET answers changes the tag,
// so `If-Match` with a tag read before another admin's change is refused (412), never overwritten.
import { createHash } from 'node:crypto';

export function etagOf(representation: unknown): string {
  return `W/"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
}

/** Whether an `If-Match` header value accepts the current tag (`*` or one of a list; weak comparison). */
export function ifMatchAccepts(header: string, current: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(current));
}
