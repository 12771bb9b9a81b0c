import { readFileSync } from 'node:fs';

/** Length of a session-ticket key (AES-256-GCM, see `ServerTicketOptions.keys` in `@fos/server`). */
export const TICKET_KEY_BYTES = 32;

/**
 * Reads a session-ticket key file for `fos-h3 serve --ticket-key-file`: exactly 32 bytes are the raw key; otherwise
 * the text, surrounding whitespace trimmed, must be 64 hex digits (e.g. written by
 * `node -e "console.log(crypto.randomBytes(32).toString('hex'))"`). Throws an `Error` saying what is wrong.
 */
export function readTicketKeyFile(path: string): Uint8Array {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the ticket key file: ${(e as Error).message}`);
  }
  if (data.length === TICKET_KEY_BYTES) return new Uint8Array(data);
  const hex = data.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return new Uint8Array(Buffer.from(hex, 'hex'));
  throw new Error(
    `the ticket key file ${path} holds ${data.length} bytes: it must be ${TICKET_KEY_BYTES} raw bytes or 64 hex digits`,
  );
}
