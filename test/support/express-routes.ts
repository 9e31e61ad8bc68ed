// Every route an Express 5 app binds, found by walking its router stack (routers mounted with
// `use(path, router)` included), as `METHOD /path` with OpenAPI-style parameters (`/users/{id}`).
// Tests compare what the server really serves with what a document claims it serves.
import type express from 'express';

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

const openApiStyle = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const joined = (prefix: string, path: string) => (path === '/' ? prefix : `${prefix}${path}`) || '/';

function walk(stack: Layer[], prefix: string, out: string[]): void {
  for (const layer of stack) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') continue;
      const path = openApiStyle(joined(prefix, layer.route.path));
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push(`${method.toUpperCase()} ${path}`);
    } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
      walk(layer.handle.stack, joined(prefix, layer.rawPath), out);
    }
  }
}

/** `METHOD /path` of every route of `app`, in the order bound (duplicates kept). */
export function boundRoutes(app: express.Express): string[] {
  const out: string[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', out);
  return out;
}
