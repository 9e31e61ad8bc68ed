// A SCIM client as a provisioning system drives Tessera: fetch against /t/{tenant}/scim/v2 with a
// bearer token, application/scim+json both ways.
import { bodyOf } from './response-body.ts';

export interface ScimResponse { status: number; body: any; headers: Headers }

export type ScimClient = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ScimResponse>;

export function scimClient(base: string, tenant: string, token: string | undefined): ScimClient {
  return async (method, path, body, headers = {}) => {
    const all: Record<string, string> = {
      accept: 'application/scim+json', ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers,
    };
    const res = await fetch(`${base}/t/${tenant}/scim/v2${path}`, {
      method, headers: all, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await bodyOf(res), headers: res.headers };
  };
}
