// libxml2's xmllint compiled to asm.js (node-xmllint) as one instance that validates a stream of
// documents against schemas parsed once. node-xmllint's own validateXML builds a fresh emscripten
// runtime (16 MiB heap, memory image, schema parsing) for every document: ~40 ms of CPU each;
// here one `main` runs over `file_0.xml … file_<n-1>.xml` with the schemas given once, and each
// file is filled in at the moment xmllint looks it up, so a document costs well under 1 ms. Rules:
// - a run is synchronous: `next()` may block (the worker thread waits for work there), and every
//   document taken with `next()` gets exactly one `done(output)`, even when the run dies;
// - the output of a document is what xmllint printed for it ("file_<k>.xml validates\n" or its
//   error lines); its interpretation is the caller's (saml-schema-validator.ts, fail-closed);
// - a run ends after `maxDocuments` (libxml2 may leak a little per document in the fixed 16 MiB
//   heap) or when `next()` returns undefined; the caller starts a fresh one. `main` cannot be
//   entered twice in one instance (libxml2's cleanup leaves it recursing endlessly), hence one
//   instance per run;
// - the runtime gets a stand-in `process`: emscripten would add a process-wide uncaughtException
//   listener per instance and print to the thread's stdout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface EmscriptenFs {
  lookupPath(path: string, opts?: unknown): unknown;
  writeFile(path: string, data: string): void;
  unlink(path: string): void;
}

interface XmllintModule { FS: EmscriptenFs; callMain(args: string[]): void; return: string }

type Factory = (require: NodeJS.Require, process: object, options: { schema: string[] }) => XmllintModule;

export interface XmllintFeed {
  /** The next document to validate (may block until there is one); undefined ends the run. */
  next(): string | undefined;
  /** What xmllint printed for the document `next()` gave last. */
  done(output: string): void;
}

const requireHere = createRequire(import.meta.url);
const fromValidator = createRequire(requireHere.resolve('@authenio/samlify-node-xmllint'));

let factory: Factory | undefined;

/** node-xmllint's emscripten body (its pre-js included), wrapped so that each call makes one runtime. */
function loadFactory(): Factory {
  const source = readFileSync(fromValidator.resolve('node-xmllint'), 'utf8');
  const start = source.indexOf('Module["preRun"]');
  const end = source.lastIndexOf("Module['return'] = Module['return'].split");
  if (start < 0 || end < start) throw new Error('node-xmllint: unexpected build (its emscripten body was not found)');
  // noInitialRun: the runtime is set up (files of preRun written) but main waits for callMain.
  // noExitRuntime: main's exit() returns instead of tearing the runtime down and printing.
  // The library's own code, read from node_modules (the path npm resolves), wrapped as a function.
  return new Function('require', 'process', 'options', `var Module = { xml: [''], schema: options.schema, noInitialRun: true, noExitRuntime: true };
${source.slice(start, end)}
Module.FS = FS;
return Module;`) as Factory;
}

const quietProcess = {
  argv: ['node', 'xmllint'], platform: process.platform, on() {},
  stdout: { write() {}, once() {} }, stderr: { write() {} }, stdin: { read: () => null },
};

class EndOfRun extends Error {}

const DOC = /^\/?file_(\d+)\.xml$/;

/**
 * Validates documents from `feed` against `schemas` (xmllint validates against the last one;
 * it is named file_<i>.xsd in the instance) until `feed.next()` returns undefined or
 * `maxDocuments` were done. @returns false when the feed ended, true when the run filled up.
 */
export function runXmllint(schemas: string[], feed: XmllintFeed, maxDocuments: number): boolean {
  factory ??= loadFactory();
  const instance = factory(requireHere, quietProcess, { schema: schemas });
  const fs = instance.FS;
  let arrived = 0; // documents handed to xmllint so far
  let open = false; // a document is being validated and has no done() yet
  let ended = false;
  const finish = () => {
    if (!open) return;
    open = false;
    const output = instance.return;
    instance.return = '';
    feed.done(output);
  };
  const lookupPath = fs.lookupPath;
  // xmllint stats then opens file_<k>.xml when it reaches it: the document before it is finished
  // by then (its verdict printed), and the next one is written in just in time.
  fs.lookupPath = function (this: unknown, path: string, ...rest: unknown[]) {
    const match = DOC.exec(String(path));
    if (match && Number(match[1]) === arrived) {
      arrived++; // first: writeFile below looks the path up again
      finish();
      if (arrived > 1) fs.unlink(`/file_${arrived - 2}.xml`);
      const xml = feed.next();
      if (xml === undefined) {
        ended = true;
        throw new EndOfRun();
      }
      fs.writeFile(`/file_${arrived - 1}.xml`, xml);
      instance.return = '';
      open = true;
    }
    return lookupPath.call(this, path, ...rest);
  };
  const args = ['--noout'];
  schemas.forEach((_, i) => args.push('--schema', `file_${i}.xsd`));
  for (let k = 0; k < maxDocuments; k++) args.push(`file_${k}.xml`);
  try {
    instance.callMain(args);
  } catch (err) {
    if (!(err instanceof EndOfRun) && open) {
      open = false;
      feed.done(`${instance.return}\nxmllint stopped: ${err instanceof Error ? err.message : String(err)}`);
    }
    return !ended;
  }
  finish();
  return !ended;
}
