// @fos/client/testing — fakes for tests of code built on the client: an in-memory HTTP/3 session factory and a
// TCP transport, both on an injectable (virtual) clock.

export {
  type FakeConnectBehavior,
  type FakeConnectRecord,
  type FakeH3Handler,
  type FakeH3ReceivedRequest,
  type FakeH3Reply,
  FakeH3Session,
  FakeH3SessionFactory,
  type FakeH3SessionFactoryOptions,
} from './fake-h3-session-factory.js';
export {
  type FakeTcpHandler,
  type FakeTcpReceivedRequest,
  type FakeTcpReply,
  FakeTcpTransport,
  type FakeTcpTransportOptions,
} from './fake-tcp-transport.js';
