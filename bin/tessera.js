#!/usr/bin/env node
// The `tessera` command. Tessera is written in TypeScript and run by Node's own type stripping,
// which needs Node >= 22.18; `npm start`, `npm test` and `npx tessera` use the Node 24 that
// `npm install` places in node_modules/.bin.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`tessera: Node ${process.versions.node} is too old (need >= 22.18). Run it through npm (npm start / npx tessera), which uses the Node 24 installed with the project.`);
  process.exit(1);
}
process.removeAllListeners('warning');
process.on('warning', (w) => { if (w.name !== 'ExperimentalWarning') console.warn(w); });
// Before the first TypeScript file: Node's compile cache, so a restart finds every file already
// stripped of its types (bin/runtime/code-cache.js).
(await import('./runtime/code-cache.js')).enableCompileCache();
// The long-running commands replace themselves once with V8's young generation capped and glibc's
// arenas bounded (before anything else starts: same pid, nothing to carry over).
try {
  (await import('./runtime/process-settings.ts')).applyProcessSettings();
} catch (err) {
  console.error(`tessera: ${err.message}`);
  process.exit(1);
}
// Tracing patches the HTTP server, so it starts before anything else is loaded (when configured).
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) (await import('../core/infra/tracing.ts')).startTracing();
// Before anything imports oidc-provider: its per-request getter fills the old generation with garbage.
(await import('../server/protocols/oidc/provider-context-fix.ts')).installProviderContextFix();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
