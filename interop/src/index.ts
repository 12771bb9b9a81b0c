// @fos/interop — the harness interop tests use to drive third-party QUIC / HTTP/3 peers (ngtcp2's gtlsserver and
// gtlsclient, Caddy/quic-go, tshark) on loopback: discovery, ports, certificates, launchers, content checks,
// packet captures, cleanup, and the baseline benchmark's scenario runner.

export { caddyBench, gtlsClientBench, gtlsServerBench } from './bench-peers.js';
export {
  type CaddyAccessEntry,
  type CaddyfileParams,
  type CaddyOptions,
  type CaddyServer,
  parseCaddyAccessLine,
  parseCaddyLog,
  renderCaddyfile,
  startCaddy,
} from './caddy.js';
export { type CertificateFiles, type CertificateOptions, generateCertificate, type KeyKind } from './certs.js';
export {
  createDocroot,
  type Docroot,
  type ServedFile,
  sha256File,
  verifyDownload,
  writeRandomFile,
} from './content.js';
export { hostPort, httpsUrl, type ServerEndpoint } from './endpoint.js';
export { isCI, isRoot, keepArtifacts } from './env.js';
export { HarnessError, HarnessErrorCode } from './errors.js';
export {
  type ClientCpu,
  type GtlsClientOptions,
  type GtlsClientResult,
  type GtlsGetOptions,
  gtlsClientArgs,
  gtlsGet,
  parseTimeOutput,
  runGtlsClient,
} from './gtls-client.js';
export { type GtlsServer, type GtlsServerOptions, gtlsServerArgs, startGtlsServer } from './gtls-server.js';
export { cleanupAll, livePeers, makeTempDir, type Stoppable, track, untrack } from './lifecycle.js';
export { type ListeningPeerOptions, startListeningPeer } from './listening-peer.js';
export {
  type BenchClient,
  type BenchContext,
  type BenchServer,
  type FetchOutcome,
  formatMarkdownTable,
  measureScenario,
  median,
  type RunningServer,
  type RunSample,
  type RunScenariosOptions,
  runScenarios,
  type Scenario,
  type ScenarioResult,
  savedPathFor,
} from './measure.js';
export { type PeerExit, type PeerProcess, type SpawnPeerOptions, spawnPeer, waitForExit } from './peer-process.js';
export {
  type FindPeerOptions,
  findPeer,
  overrideVar,
  PEERS,
  type PeerName,
  type PeerRequirement,
  type RequirePeersOptions,
  requirePeer,
  requirePeers,
} from './peers.js';
export {
  type FreePortOptions,
  freePort,
  freeTcpPort,
  freeUdpPort,
  hasIpv6Loopback,
  type PortProtocol,
  type PortRetryOptions,
  withPortRetry,
} from './ports.js';
export {
  type BoundSpec,
  clockTicksPerSecond,
  decodeProcAddress,
  findBound,
  type ProcNetSocket,
  parseProcNet,
  parseStatCpuTicks,
  portSharers,
  processCpuMs,
  readProcNet,
  socketInodes,
  TCP_LISTEN,
} from './proc-net.js';
export { RingLog } from './ring-log.js';
export { describeWithPeers, useHarnessCleanup } from './suite.js';
export {
  assessCapture,
  type Capture,
  type CaptureHealth,
  type CaptureOptions,
  DEFAULT_FIELDS,
  type DecodedFrame,
  type DecodeOptions,
  decodeCapture,
  framesByConnection,
  packetTypes,
  parseFieldsOutput,
  startCapture,
} from './tshark.js';
