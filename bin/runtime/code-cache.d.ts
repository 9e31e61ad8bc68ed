// Types for code-cache.js, which is JavaScript so that it can run before any TypeScript is loaded.
/** The code cache directory, or undefined when TESSERA_CODE_CACHE=0. */
export function codeCacheDir(env?: Record<string, string | undefined>): string | undefined;
/** Turns on Node's compile cache in the code cache directory (when Node has one). */
export function enableCompileCache(env?: Record<string, string | undefined>): void;
