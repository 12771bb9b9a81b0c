// @peculiar/x509 imports tsyringe, which refuses to load without the Reflect metadata polyfill. @fos/core loads
// the polyfill before it touches tsyringe, so importing it first (module evaluation follows import order) makes
// this the one safe way for the harness to reach @peculiar/x509.
import '@fos/core';

export * as x509 from '@peculiar/x509';
