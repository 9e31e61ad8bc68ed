// samlify, configured once per process: every document it parses is first checked against the
// SAML 2.0 XML schemas (with XML Encryption 1.1) by xmllint compiled to JavaScript
// (saml-schema-validator.ts: no Java, no native code), which also refuses DOCTYPEs, so XXE and
// entity expansion never reach a parser that would honour them. Import samlify through this
// module, never directly.
import * as samlify from 'samlify';
import { validateSamlSchema } from './saml-schema-validator.ts';

let configured = false;

/**
 * Runs the schema validator (synchronous underneath) so that it neither logs nor leaks: it prints
 * its errors — fragments of the document — with console.error, and each run leaves listeners on
 * `process` and `process.stdout` that hold its whole emscripten heap (~2 MB of RSS per document
 * otherwise). Whatever listener appears during the run is removed after it.
 */
function quietly<T>(run: () => T): T {
  const emitters = [process, process.stdout, process.stderr] as NodeJS.EventEmitter[];
  const before = emitters.map((emitter) => new Map(emitter.eventNames().map((name) => [name, new Set(emitter.listeners(name))])));
  const [error, log] = [console.error, console.log];
  // Its emscripten exit() also prints a blank line to stdout for every document.
  console.error = () => {};
  console.log = () => {};
  try {
    return run();
  } finally {
    [console.error, console.log] = [error, log];
    emitters.forEach((emitter, i) => {
      for (const name of emitter.eventNames()) {
        const kept = before[i]!.get(name);
        for (const listener of emitter.listeners(name)) {
          if (!kept?.has(listener)) emitter.removeListener(name, listener as (...args: unknown[]) => void);
        }
      }
    });
  }
}

export function saml(): typeof samlify {
  if (!configured) {
    samlify.setSchemaValidator({ validate: (xml: string) => quietly(() => validateSamlSchema(xml)) });
    configured = true;
  }
  return samlify;
}
