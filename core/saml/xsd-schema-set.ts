// XML Schema validation by libxml2 compiled to WebAssembly (libxml2-wasm), synchronously on the
// calling thread: the schemas are parsed once into one validator, and each document is parsed,
// validated and freed (~0.06 ms of CPU for a SAML message on the 2-core development machine; the
// xmllint worker thread this replaces cost ~80 MiB of memory before its first document).
// Rules:
// - the schemas are served from memory under `tessera-schemas:///<set>/<name>`: an input
//   provider answers those names only, so a schema import never reads a file or the network;
// - documents are parsed without network access and without external entities (NONET, NO_XXE),
//   and no DTD is loaded: libxml2 reads nothing but the string it is given;
// - a document is valid only when parsing and validation both raise nothing; otherwise the
//   errors are libxml2's messages, for the caller to interpret (they quote document values);
// - libxml2's memory is the WebAssembly heap, which the garbage collector does not free: every
//   parsed document is disposed of in `finally`.
import {
  ParseOption, XmlDocument, XmlError, XmlLibError, xmlRegisterInputProvider, XsdValidator, type XmlInputProvider,
} from 'libxml2-wasm';

const PREFIX = 'tessera-schemas:///';
const DOCUMENT_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

/** Files by full name, shared by every set: libxml2 keeps its input providers process-wide. */
const files = new Map<string, Uint8Array>();
const open = new Map<number, { data: Uint8Array; at: number }>();
let nextHandle = 1;
let registered = false;

const memoryFiles: XmlInputProvider = {
  match: (name) => files.has(name),
  open(name) {
    const data = files.get(name);
    if (!data) return undefined;
    const handle = nextHandle++;
    open.set(handle, { data, at: 0 });
    return handle;
  },
  read(handle, buffer) {
    const file = open.get(handle);
    if (!file) return -1;
    const n = Math.min(buffer.length, file.data.length - file.at);
    buffer.set(file.data.subarray(file.at, file.at + n));
    file.at += n;
    return n;
  },
  close(handle) {
    open.delete(handle);
    return true;
  },
};

/**
 * libxml2's messages for a failure it raised about the document (a parse or validation error, or
 * an internal error such as an entity it may not load); anything else is a failure of ours, rethrown.
 */
function messagesOf(err: unknown): string[] {
  if (!(err instanceof XmlError)) throw err;
  const messages = err instanceof XmlLibError ? err.details.map((d) => d.message.trim()).filter(Boolean) : [];
  return messages.length ? messages : [err.message || 'not well-formed XML'];
}

export class XsdSchemaSet {
  readonly #validator: XsdValidator;
  /** Kept as long as the validator: libxml2's compiled schema may still point into it. */
  readonly #schemaDoc: XmlDocument;

  /**
   * @param set a name for this set's files (`tessera-schemas:///<set>/…`)
   * @param schemas file name → schema text; imports name each other by these names
   * @param main the schema documents are validated against (it imports the others)
   * @throws XmlError when a schema does not parse or compile
   */
  constructor(set: string, schemas: Record<string, string>, main: string) {
    const encoder = new TextEncoder();
    for (const [name, text] of Object.entries(schemas)) files.set(`${PREFIX}${set}/${name}`, encoder.encode(text));
    if (!registered) registered = xmlRegisterInputProvider(memoryFiles);
    if (!registered) throw new Error('libxml2 refused the schema input provider');
    this.#schemaDoc = XmlDocument.fromString(schemas[main]!, { url: `${PREFIX}${set}/${main}` });
    try {
      this.#validator = XsdValidator.fromDoc(this.#schemaDoc);
    } catch (err) {
      this.#schemaDoc.dispose();
      throw err;
    }
  }

  /** libxml2's errors for `xml` against the schemas: none when it is valid. */
  errors(xml: string): string[] {
    let doc: XmlDocument | undefined;
    try {
      doc = XmlDocument.fromString(xml, { option: DOCUMENT_OPTIONS });
      this.#validator.validate(doc);
      return [];
    } catch (err) {
      return messagesOf(err);
    } finally {
      doc?.dispose();
    }
  }
}
