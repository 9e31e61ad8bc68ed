// HTTP toward upstream identity providers: the transport rules every request of the OIDC adapter
// follows. Rules: plain http only to a loopback host (localhost, 127.0.0.1, ::1) or when the
// deployment explicitly allows it; every request has a time limit (openid-client's `timeout`,
// set on each Configuration) and every response body is read up to a size limit, past which
// the request fails, so a hostile or broken upstream cannot exhaust memory.
import type { CustomFetch, CustomFetchOptions } from 'openid-client';

export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export class ResponseTooLarge extends Error {
  constructor() {
    super('upstream response too large');
    this.name = 'ResponseTooLarge';
  }
}

export function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** True when every URL is https, or http to a loopback host (or any http when `allowInsecure`). */
export function transportAllowed(urls: (string | undefined)[], allowInsecure: boolean): boolean {
  return urls.every((url) => {
    if (url === undefined) return true;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol === 'https:') return true;
    return parsed.protocol === 'http:' && (allowInsecure || LOOPBACK.has(parsed.hostname));
  });
}

/** Whether a Configuration must allow http at all: some URL it will call is plain http. */
export function needsInsecure(urls: (string | undefined)[]): boolean {
  return urls.some((url) => url?.startsWith('http:'));
}

async function readBounded(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw new ResponseTooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/**
 * A fetch for openid-client that reads at most `limit` bytes of any response and lets `patch`
 * rewrite a JSON response (used to apply configured endpoint overrides to a discovery document).
 */
export function boundedFetch(options: {
  limit: number;
  fetch?: typeof fetch;
  patch?: (url: string, json: Record<string, unknown>) => Record<string, unknown> | undefined;
}): CustomFetch {
  const send = options.fetch ?? fetch;
  return async (url: string, init: CustomFetchOptions): Promise<Response> => {
    const res = await send(url, init as RequestInit);
    if (NULL_BODY_STATUSES.has(res.status) || !res.body) return res;
    let body: Uint8Array | string = await readBounded(res, options.limit);
    const patched = res.ok && options.patch ? patchJson(url, body, options.patch) : undefined;
    const headers = new Headers(res.headers);
    if (patched !== undefined) {
      body = patched;
      headers.delete('content-length');
    }
    return new Response(body as BodyInit, { status: res.status, statusText: res.statusText, headers });
  };
}

function patchJson(url: string, body: Uint8Array, patch: NonNullable<Parameters<typeof boundedFetch>[0]['patch']>): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const changed = patch(url, json as Record<string, unknown>);
  return changed ? JSON.stringify(changed) : undefined;
}
