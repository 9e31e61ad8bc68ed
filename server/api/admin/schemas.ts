// Schemas shared by the management operations.
import { z } from 'zod';

/** A date as the API writes it: ISO 8601 in UTC. */
export const Timestamp = z.iso.datetime();
export const Uuid = z.uuid();
/**
 * `{id}` in a path: any short string, so a malformed id is answered like an unknown one (404).
 * Look-ups must check the shape before querying (isUuid), or PostgreSQL refuses the cast (500).
 */
export const IdParams = z.object({ id: z.string().min(1).max(200) });
export const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
/** A free-text reason for a decision or a change, as admins type it. */
export const Reason = z.string().trim().min(1).max(500);
export const TenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63');
