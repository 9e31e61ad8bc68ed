// The schema check every SAML document goes through (core/saml/saml-setup.ts installs it in
// samlify): xmllint compiled to JavaScript (node-xmllint, through @authenio/samlify-node-xmllint,
// whose SAML 2.0, xmldsig and xenc schemas it reuses) with XML Encryption 1.1 (xenc11) added.
// Rules:
// - xmllint validates against the last schema given; the protocol schema is last and imports the
//   assertion schema (which imports xmldsig and xenc) and xenc11;
// - a refusal rejects with SchemaError, whose message is for the operator: element and attribute
//   names and what was wrong, each quoted value of the document replaced by '…', at most three
//   errors — never the document text.
import { createRequire } from 'node:module';
import { XENC11_SCHEMA } from './xenc11-schema.ts';

const fromValidator = createRequire(createRequire(import.meta.url).resolve('@authenio/samlify-node-xmllint'));
const xmllint = fromValidator('node-xmllint') as { validateXML(options: { xml: string; schema: string[] }): { errors: string[] | null } };
const schema = (name: string) => (fromValidator(`./schemas/${name}.xsd`) as { default: string }).default;

// The virtual file system names the schemas file_<index>.xsd, in this order.
const SCHEMAS = (() => {
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

/** One xmllint error line, with the document's values taken out ("file_0.xml:1: element X: Schemas validity error : Element '{ns}X': …"). */
export function describeSchemaError(line: string): string {
  const message = line.replace(/^file_\d+\.xml:\d+:\s*/, '').replace(/^element [^:]*:\s*/, '');
  // Element, attribute and type names stay (they are the schema's words); any other quoted text is the document's.
  return message
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/'([^']*)'/g, (whole, inner: string, offset: number, text: string) =>
      (/(Element|attribute|type)\s*$/.test(text.slice(Math.max(0, offset - 12), offset)) && /^[{}\w:./#-]*$/.test(inner) ? whole : "'…'"))
    .slice(0, 300);
}

/** @returns a promise that rejects with SchemaError when the document breaks the SAML schemas. */
export function validateSamlSchema(xml: string): Promise<string> {
  const { errors } = xmllint.validateXML({ xml, schema: SCHEMAS });
  if (!errors) return Promise.resolve('SUCCESS_VALIDATE_XML');
  const reasons = errors.filter((line) => /error/i.test(line)).slice(0, 3).map(describeSchemaError);
  return Promise.reject(new SchemaError(reasons.join('; ') || 'schema validation failed'));
}
