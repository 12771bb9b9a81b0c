// Test PKI helpers: the certificate generator of the package (certificates made at test time, no committed keys).
export * from '../../src/x509/certificate-generator.js';
