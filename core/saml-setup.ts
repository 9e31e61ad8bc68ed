// samlify, configured once per process: every document it parses is first checked against the
// SAML 2.0 XML schemas by xmllint compiled to JavaScript (@authenio/samlify-node-xmllint: no Java,
// no native code), which also refuses DOCTYPEs, so XXE and entity expansion never reach a parser
// that would honour them. Import samlify through this module, never directly.
import * as samlify from 'samlify';
import { validate } from '@authenio/samlify-node-xmllint';

let configured = false;

export function saml(): typeof samlify {
  if (!configured) {
    samlify.setSchemaValidator({ validate });
    configured = true;
  }
  return samlify;
}
