import { createContainer, type DependencyContainer, resolve } from '@fos/core';
import { generateSelfSignedCertificate } from '@fos/crypto';
import { Http3Server, ServerResources } from './http3-server.js';
import type { Http3ServerOptions } from './options.js';
import { registerServer } from './register.js';

/**
 * Creates and starts an HTTP/3 server: composes a DI container (`registerServer`: UDP sockets, TLS, QUIC with
 * CUBIC, HTTP/3) and binds the UDP socket. Without `options.certificate` a self-signed certificate for localhost
 * is generated (see `server.certificate` for its PEM and SPKI pin).
 *
 * ```ts
 * const server = await createHttp3Server({ port: 4433, handler: (req, res) => res.end(`hello ${req.path}`) });
 * ```
 *
 * Pass your own `container` to swap plugins first (e.g. `registerNewReno(container)`, a `MemoryNetwork`).
 */
export async function createHttp3Server(
  options: Http3ServerOptions,
  container: DependencyContainer = createContainer(),
): Promise<Http3Server> {
  let o = options;
  let generated = false;
  if (o.certificate === undefined) {
    const cert = await generateSelfSignedCertificate();
    o = { ...o, certificate: { cert: cert.certPem, key: cert.keyPem } };
    generated = true;
  }
  registerServer(container, o);
  if (generated) {
    const res = resolve(container, ServerResources);
    if (res.certificate !== undefined) {
      container.register(ServerResources, { useValue: { ...res, certificate: { ...res.certificate, generated } } });
    }
  }
  return Http3Server.listen(container);
}
