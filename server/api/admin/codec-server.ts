// A codec server for Temporal's own Web UI (its "Codec Server endpoint"): POST /decode and /encode
// with `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`, answered in the same form.
// Rules: only super-admins (a payload does not say whose tenant it is); decoded JSON is redacted
// (redact-payload.ts) so typed passwords, codes and enrolment secrets stay unreadable; CORS only
// for the Web UI origins in TEMPORAL_UI_ORIGINS; bodies bounded (1 MiB, 200 payloads).
import express, { Router, type RequestHandler } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { loadCodec } from '../../../core/infra/codec-keys.ts';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { HttpError } from '../../http-error.ts';
import { authenticateAdmin } from './authenticate.ts';
import { isSuperAdmin, type AdminPrincipal } from './principal.ts';
import { redact } from './redact-payload.ts';

const Base64 = z.string().max(1_500_000).regex(/^[A-Za-z0-9+/]*={0,2}$/);
/** Request and answer of both routes. */
export const CodecPayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string().max(200), Base64).optional(), data: Base64.optional() })).max(200),
}).strict();

/** Where app.ts mounts this server, and its routes: what the OpenAPI document (openapi.ts) lists. */
export const CODEC_MOUNT = '/api/admin/codec';
export const CODEC_ROUTES = [
  { kind: 'decode', summary: 'Decode Temporal payloads (for the Temporal Web UI); JSON payloads come back redacted' },
  { kind: 'encode', summary: 'Encode Temporal payloads (for the Temporal Web UI)' },
] as const;

type WirePayload = z.infer<typeof CodecPayloads>['payloads'][number];

const toPayload = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** A JSON payload with its secrets redacted; anything else unchanged. */
function redacted(p: Payload): Payload {
  if (Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() !== 'json/plain') return p;
  try {
    return { ...p, data: Buffer.from(JSON.stringify(redact(JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))))) };
  } catch {
    return p;
  }
}

function cors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'authorization, content-type, x-namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

export function codecServerRoutes({ db, config }: { db: Db; config: Config }): Router {
  const router = Router();
  const parse = express.json({ limit: '1mb', type: () => true });
  router.use(cors(config.temporalUiOrigins));
  router.use(authenticateAdmin(db, config));
  router.use((_req, res, next) => {
    if (!isSuperAdmin(res.locals.principal as AdminPrincipal)) return next(new HttpError(403, 'forbidden', 'Only a super-admin may decode payloads.'));
    next();
  });
  const codec = loadCodec(config);
  const handle = (kind: 'decode' | 'encode'): RequestHandler[] => [parse, async (req, res) => {
    const body = CodecPayloads.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'invalid_request', 'Send { "payloads": [{ "metadata": {…}, "data": "base64" }] }.');
    const payloads = body.data.payloads.map(toPayload);
    const out = kind === 'decode' ? (await (await codec).decode(payloads)).map(redacted) : await (await codec).encode(payloads);
    res.json({ payloads: out.map(toWire) });
  }];
  for (const { kind } of CODEC_ROUTES) router.post(`/${kind}`, ...handle(kind));
  return router;
}
