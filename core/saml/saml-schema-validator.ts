// The schema check every SAML document goes through (core/saml/saml-setup.ts installs it in
// samlify): xmllint compiled to JavaScript (node-xmllint, through @authenio/samlify-node-xmllint,
// whose SAML 2.0, xmldsig and xenc schemas it reuses) with XML Encryption 1.1 (xenc11) added,
// run by one long-lived worker thread that keeps its instance (xmllint-validator.ts).
// Rules:
// - a document is valid only when xmllint printed exactly "<its file> validates" for it: any
//   warning, parser error, or a failure of the worker refuses it;
// - xmllint validates against the last schema given; the protocol schema is last and imports the
//   assertion schema (which imports xmldsig and xenc) and xenc11;
// - a refusal rejects with SchemaError, whose message is for the operator: element and attribute
//   names and what was wrong, each quoted value of the document replaced by '…', at most three
//   errors — never the document text.
import { createRequire } from 'node:module';
import { XENC11_SCHEMA } from './xenc11-schema.ts';
import { XmllintValidator } from './xmllint-validator.ts';

const fromValidator = createRequire(createRequire(import.meta.url).resolve('@authenio/samlify-node-xmllint'));
const schema = (name: string) => (fromValidator(`./schemas/${name}.xsd`) as { default: string }).default;

// The virtual file system names the schemas file_<index>.xsd, in this order.
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

let validator: XmllintValidator | undefined;

/** @returns a promise that rejects with SchemaError when the document breaks the SAML schemas. */
export async function validateSamlSchema(xml: string): Promise<string> {
  validator ??= new XmllintValidator(SAML_SCHEMAS);
  let output: string;
  try {
    output = await validator.validate(xml);
  } catch (err) {
    throw new SchemaError(`schema validation failed (${err instanceof Error ? err.message : 'validator error'})`);
  }
  const lines = output.split('\n').filter(Boolean);
  if (lines.length === 1 && /^file_\d+\.xml validates$/.test(lines[0]!)) return 'SUCCESS_VALIDATE_XML';
  const reasons = lines.filter((line) => /error/i.test(line)).slice(0, 3).map(describeSchemaError);
  throw new SchemaError(reasons.join('; ') || 'schema validation failed');
}
