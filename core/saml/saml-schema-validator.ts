// The schema check every SAML document goes through (core/saml/saml-setup.ts installs it in
// samlify): libxml2's XML Schema validator compiled to WebAssembly (xsd-schema-set.ts), against
// the SAML 2.0, xmldsig and xenc schemas of @authenio/samlify-node-xmllint with XML Encryption
// 1.1 (xenc11) added, parsed once per process on the first document.
// Rules:
// - a document is valid only when libxml2 parsed and validated it without an error; a DOCTYPE
//   (which SAML forbids) or a validator that failed to load refuses it;
// - the protocol schema is the one validated against; it imports the assertion schema (which
//   imports xmldsig and xenc) and xenc11;
// - a refusal rejects with SchemaError, whose message is for the operator: element and attribute
//   names and what was wrong, each quoted value of the document replaced by '…', at most three
//   errors — never the document text.
import { createRequire } from 'node:module';
import { XENC11_SCHEMA } from './xenc11-schema.ts';
import type { XsdSchemaSet } from './xsd-schema-set.ts';

const fromValidator = createRequire(createRequire(import.meta.url).resolve('@authenio/samlify-node-xmllint'));
const schema = (name: string) => (fromValidator(`./schemas/${name}.xsd`) as { default: string }).default;

// The schemas name each other file_<index>.xsd, in this order; the last one is validated against.
export const SAML_SCHEMAS = (() => {
  const assertion = schema('saml-schema-assertion-2.0').replace('xmldsig-core-schema.xsd', 'file_1.xsd').replace('xenc-schema.xsd', 'file_2.xsd');
  const xenc = schema('xenc-schema').replace('xmldsig-core-schema.xsd', 'file_1.xsd');
  const protocol = schema('saml-schema-protocol-2.0')
    .replace('saml-schema-assertion-2.0.xsd', 'file_0.xsd')
    .replace('xmldsig-core-schema.xsd', 'file_1.xsd')
    .replace(/<import /, '<import namespace="http://www.w3.org/2009/xmlenc11#" schemaLocation="file_3.xsd"/>\n    <import ');
  return [assertion, schema('xmldsig-core-schema'), xenc, XENC11_SCHEMA, protocol];
})();

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** One of libxml2's messages, with the document's values taken out ("Element '{ns}X': The attribute 'Version' is required but missing."). */
export function describeSchemaError(message: string): string {
  // Element, attribute and type names stay (they are the schema's words); any other quoted text is the document's.
  return message
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/'([^']*)'/g, (whole, inner: string, offset: number, text: string) =>
      (/(Element|attribute|type)\s*$/.test(text.slice(Math.max(0, offset - 12), offset)) && /^[{}\w:./#-]*$/.test(inner) ? whole : "'…'"))
    .slice(0, 300);
}

let schemas: Promise<XsdSchemaSet> | undefined;

/** The SAML schema set, built on first use (loading libxml2 costs ~10 MiB, which a process without SAML never pays). */
function samlSchemas(): Promise<XsdSchemaSet> {
  schemas ??= import('./xsd-schema-set.ts').then(({ XsdSchemaSet }) =>
    new XsdSchemaSet('saml', Object.fromEntries(SAML_SCHEMAS.map((text, i) => [`file_${i}.xsd`, text])), `file_${SAML_SCHEMAS.length - 1}.xsd`));
  // A load that failed is tried again by the next document (this one is refused).
  schemas.catch(() => { schemas = undefined; });
  return schemas;
}

/** @returns a promise that rejects with SchemaError when the document breaks the SAML schemas. */
export async function validateSamlSchema(xml: string): Promise<string> {
  if (/<!DOCTYPE/i.test(xml)) throw new SchemaError('a DOCTYPE is not allowed in a SAML message');
  let errors: string[];
  try {
    errors = (await samlSchemas()).errors(xml);
  } catch (err) {
    throw new SchemaError(`schema validation failed (${err instanceof Error ? err.message : 'validator error'})`);
  }
  if (errors.length === 0) return 'SUCCESS_VALIDATE_XML';
  throw new SchemaError(errors.slice(0, 3).map(describeSchemaError).join('; ') || 'schema validation failed');
}
