import { tlsAlert } from '../alert.js';
import { AlertDescription, HandshakeType } from '../constants.js';
import { frameHandshake } from './handshake-framing.js';

/** RFC 8446 §4.4.4 `struct { opaque verify_data[Hash.length]; } Finished`. */
export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.finished, verifyData);
}

/** The verify_data; a body of the wrong size for the negotiated hash is a decode_error. */
export function parseFinished(body: Uint8Array, hashLength: number): Uint8Array {
  if (body.length !== hashLength) {
    throw tlsAlert(AlertDescription.decode_error, `Finished of ${body.length} bytes, expected ${hashLength}`);
  }
  return body;
}
