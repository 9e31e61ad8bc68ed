// The part of W3C's xenc-schema-11.xsd (XML Encryption 1.1, namespace xmlenc11#) that SAML key
// transport uses: xenc11:MGF, the mask generation function of http://www.w3.org/2009/xmlenc11#rsa-oaep
// (its AlgorithmIdentifierType restricted to the Algorithm attribute, as in the W3C schema).
// Without a declaration the strict `##other` wildcard of xenc:EncryptionMethod refuses the element,
// and with it every encrypted assertion Keycloak sends by default. The other xenc11 elements (key
// derivation, key agreement) are left out: Tessera does not accept them.
// `file_1.xsd` / `file_2.xsd` are the xmldsig and xenc schemas in the validator's virtual file system.
export const XENC11_SCHEMA = `<?xml version="1.0" encoding="utf-8"?>
<schema xmlns="http://www.w3.org/2001/XMLSchema" version="1.0"
        xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
        targetNamespace="http://www.w3.org/2009/xmlenc11#"
        elementFormDefault="qualified">
  <element name="MGF" type="xenc11:MGFType"/>
  <complexType name="MGFType">
    <attribute name="Algorithm" type="anyURI" use="required"/>
  </complexType>
</schema>`;
