import { tlsAlert } from './alert.js';
import { AlertDescription, ExtensionType } from './constants.js';
import type { Extension } from './wire/extensions.js';

const E = ExtensionType;

/** Messages that carry extensions (RFC 8446 §4.2 table: CH, SH, EE, CT, CR, NST, HRR). */
export type ExtensionMessage = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

/** RFC 8446 §4.2 table (+ RFC 8449 record_size_limit: CH, EE; RFC 9001 §8.2 quic_transport_parameters: CH, EE). */
const ALLOWED: Readonly<Record<ExtensionMessage, ReadonlySet<number>>> = {
  CH: new Set<number>([
    E.server_name,
    E.max_fragment_length,
    E.status_request,
    E.supported_groups,
    E.signature_algorithms,
    E.use_srtp,
    E.heartbeat,
    E.application_layer_protocol_negotiation,
    E.signed_certificate_timestamp,
    E.client_certificate_type,
    E.server_certificate_type,
    E.padding,
    E.record_size_limit,
    E.key_share,
    E.pre_shared_key,
    E.psk_key_exchange_modes,
    E.early_data,
    E.cookie,
    E.supported_versions,
    E.certificate_authorities,
    E.post_handshake_auth,
    E.signature_algorithms_cert,
    E.quic_transport_parameters,
  ]),
  SH: new Set<number>([E.key_share, E.pre_shared_key, E.supported_versions]),
  HRR: new Set<number>([E.key_share, E.cookie, E.supported_versions]),
  EE: new Set<number>([
    E.server_name,
    E.max_fragment_length,
    E.supported_groups,
    E.use_srtp,
    E.heartbeat,
    E.application_layer_protocol_negotiation,
    E.client_certificate_type,
    E.server_certificate_type,
    E.record_size_limit,
    E.early_data,
    E.quic_transport_parameters,
  ]),
  CT: new Set<number>([E.status_request, E.signed_certificate_timestamp]),
  CR: new Set<number>([
    E.status_request,
    E.signature_algorithms,
    E.signed_certificate_timestamp,
    E.certificate_authorities,
    E.oid_filters,
    E.signature_algorithms_cert,
  ]),
  NST: new Set<number>([E.early_data]),
};

const KNOWN = new Set<number>(Object.values(ExtensionType));

/**
 * RFC 8446 §4.2 checks on a received extension block:
 * - a recognised extension not specified for `message` → illegal_parameter;
 * - in a response (SH, HRR, EE, CT), an extension the peer did not request (`offered` false) → unsupported_extension
 *   (the HelloRetryRequest cookie is the one exception, §4.2.2);
 * - in CH, CR and NST unknown extensions are ignored.
 */
export function checkExtensions(
  extensions: readonly Extension[],
  message: ExtensionMessage,
  offered: (type: number) => boolean = () => true,
): void {
  const allowed = ALLOWED[message];
  const response = message === 'SH' || message === 'HRR' || message === 'EE' || message === 'CT';
  for (const { type } of extensions) {
    if (KNOWN.has(type) && !allowed.has(type)) {
      throw tlsAlert(AlertDescription.illegal_parameter, `extension ${type} is not allowed in ${message}`);
    }
    if (response && !(message === 'HRR' && type === E.cookie) && !offered(type)) {
      throw tlsAlert(
        AlertDescription.unsupported_extension,
        `${message} carries extension ${type} that was not offered`,
      );
    }
  }
}
