// samlify, configured once per process: every document it parses is first checked against the
// SAML 2.0 XML schemas (with XML Encryption 1.1) by libxml2 compiled to WebAssembly
// (saml-schema-validator.ts: no Java, no native code), which also refuses DOCTYPEs, so XXE and
// entity expansion never reach a parser that would honour them. Import samlify through this
// module, never directly.
import * as samlify from 'samlify';
import { validateSamlSchema } from './saml-schema-validator.ts';

let configured = false;

export function saml(): typeof samlify {
  if (!configured) {
    samlify.setSchemaValidator({ validate: validateSamlSchema });
    configured = true;
  }
  return samlify;
}
