// oidc-provider 9.13 gives every request's Koa context its `ctx.oidc` through a getter that is a
// new closure per request (`Object.defineProperty(ctx, 'oidc', { get: () => … })` in
// lib/helpers/initialize_app.js). On Node 24's V8 what such a per-object accessor closes over is
// freed only by a full collection, never a young one, so every request's whole object graph
// (Koa context, request, response, headers, OIDCContext) survives the young-generation collections
// and is copied into the old generation as garbage: ~6 KB per request, measured with `--trace-gc`
// on a bare provider (discovery and the token endpoint alike), and the server's scavenges took
// ~10 ms each instead of ~1.5. One getter function shared by all requests, keeping the lazily made
// OIDCContext on the context itself, behaves the same and leaves nothing behind (0.03 KB per request).
//
// The package is ESM and cannot be patched from outside, so its one source file is rewritten as
// Node loads it (module.registerHooks, in this thread). Installed by bin/tessera.js before anything
// imports oidc-provider, and by the test setup. When the installed version no longer has the code
// this replaces, the file loads unchanged (the provider works as before, with the garbage) and
// test/unit/provider-context-fix.test.ts fails, so an upgrade brings someone here.
import { registerHooks } from 'node:module';

const FILE = /\/node_modules\/oidc-provider\/lib\/helpers\/initialize_app\.js$/;

export const ORIGINAL = `  const ensureOIDC = async (ctx, next) => {
    let oidcCtx;
    Object.defineProperty(ctx, 'oidc', {
      get: () => {
        oidcCtx ||= new this.OIDCContext(ctx);
        return oidcCtx;
      },
    });
    return als.run(ctx, () => next());
  };`;

// Same property as before (an own, non-enumerable, non-configurable getter, the OIDCContext made on
// first use), with one getter per provider instead of one per request.
const REPLACEMENT = `  const provider = this;
  const oidcContextSlot = Symbol('oidcContext');
  function oidcContextGetter() {
    this[oidcContextSlot] ||= new provider.OIDCContext(this);
    return this[oidcContextSlot];
  }
  const ensureOIDC = async (ctx, next) => {
    Object.defineProperty(ctx, 'oidc', { get: oidcContextGetter });
    return als.run(ctx, () => next());
  };`;

/** The fixed source, or undefined when `source` does not have the code this replaces. */
export function fixProviderContext(source: string): string | undefined {
  return source.includes(ORIGINAL) ? source.replace(ORIGINAL, REPLACEMENT) : undefined;
}

let installed = false;

/** Rewrites oidc-provider's initialize_app.js as it loads; idempotent. */
export function installProviderContextFix(): void {
  if (installed) return;
  installed = true;
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      if (!FILE.test(url) || result.source === undefined || result.source === null) return result;
      const text = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
      const fixed = fixProviderContext(text);
      return fixed === undefined ? result : { ...result, source: fixed };
    },
  });
}
