import { TransportError, TransportErrorCode } from '@fos/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalConnectionIds, PeerConnectionIds } from './cid-manager.js';

const cid = (n: number, len = 8) => new Uint8Array(len).fill(n);
const token = (n: number) => new Uint8Array(16).fill(n);

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransportError) return e.code;
    throw e;
  }
  return undefined;
}

describe('LocalConnectionIds', () => {
  const make = () => {
    let n = 100;
    return new LocalConnectionIds({
      initial: cid(1),
      generate: () => {
        n++;
        return { cid: cid(n), resetToken: token(n) };
      },
    });
  };

  it('tops up to the peer active_connection_id_limit, capped by maxIssued', () => {
    const local = make();
    expect(local.topUp().map((e) => e.sequence)).toEqual([1]); // default limit 2
    local.setPeerLimit(100);
    expect(local.topUp().length).toBe(6); // capped at 8 issued
    expect(local.activeCount).toBe(8);
    expect(local.takeAnnouncements().map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(local.takeAnnouncements()).toEqual([]);
  });

  it('retirement frees a slot and is validated (RFC 9000 §19.16)', () => {
    const local = make();
    local.setPeerLimit(3);
    local.topUp();
    expect(code(() => local.onRetire(9, cid(0)))).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    expect(code(() => local.onRetire(1, cid(101)))).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    expect(local.onRetire(1, cid(1))?.cid).toEqual(cid(101));
    expect(local.onRetire(1, cid(1))).toBeUndefined();
    expect(local.topUp().map((e) => e.sequence)).toEqual([3]);
  });

  it('never issues more CIDs when our CIDs are zero-length', () => {
    const local = new LocalConnectionIds({
      initial: new Uint8Array(0),
      generate: () => ({ cid: cid(2), resetToken: token(2) }),
    });
    local.setPeerLimit(8);
    expect(local.topUp()).toEqual([]);
  });

  it('resends a lost announcement only while the CID is active', () => {
    const local = make();
    local.topUp();
    local.takeAnnouncements();
    local.onAnnouncementLost(1);
    expect(local.takeAnnouncements().map((e) => e.sequence)).toEqual([1]);
    local.onRetire(1, cid(1));
    local.onAnnouncementLost(1);
    expect(local.takeAnnouncements()).toEqual([]);
  });
});

describe('PeerConnectionIds', () => {
  it('stores new CIDs up to our limit and enforces CONNECTION_ID_LIMIT_ERROR (§5.1.1)', () => {
    const peer = new PeerConnectionIds({ initial: cid(1), activeLimit: 3 });
    peer.onNewConnectionId(1, 0, cid(2), token(2));
    peer.onNewConnectionId(2, 0, cid(3), token(3));
    expect(code(() => peer.onNewConnectionId(3, 0, cid(4), token(4)))).toBe(
      TransportErrorCode.CONNECTION_ID_LIMIT_ERROR,
    );
  });

  it('retire_prior_to retires older CIDs, switches away from a retired current one', () => {
    const peer = new PeerConnectionIds({ initial: cid(1), activeLimit: 4 });
    peer.onNewConnectionId(1, 0, cid(2), token(2));
    peer.onNewConnectionId(2, 2, cid(3), token(3));
    expect(peer.takeRetirements().sort()).toEqual([0, 1]);
    expect(peer.currentSequence).toBe(2);
    expect(peer.currentCid).toEqual(cid(3));
    // A CID below retire_prior_to that arrives late is retired at once.
    peer.onNewConnectionId(1, 0, cid(2), token(2));
    expect(peer.takeRetirements()).toEqual([]); // sequence 1 was already retired
    peer.onNewConnectionId(0, 0, cid(9), token(9));
    expect(peer.takeRetirements()).toEqual([]);
  });

  it('rejects reuse of a sequence number or of a CID (§19.15)', () => {
    const peer = new PeerConnectionIds({ initial: cid(1), activeLimit: 4 });
    peer.onNewConnectionId(1, 0, cid(2), token(2));
    peer.onNewConnectionId(1, 0, cid(2), token(2)); // exact repeat: fine
    expect(code(() => peer.onNewConnectionId(1, 0, cid(5), token(2)))).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    expect(code(() => peer.onNewConnectionId(2, 0, cid(2), token(7)))).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('zero-length peer CIDs forbid NEW_CONNECTION_ID', () => {
    const peer = new PeerConnectionIds({ initial: new Uint8Array(0), activeLimit: 4 });
    expect(code(() => peer.onNewConnectionId(1, 0, cid(2), token(2)))).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('rotates to a spare CID and retires the old one', () => {
    const peer = new PeerConnectionIds({ initial: cid(1), activeLimit: 4 });
    expect(peer.rotate()).toBe(false);
    peer.onNewConnectionId(1, 0, cid(2), token(2));
    expect(peer.hasSpare()).toBe(true);
    expect(peer.rotate()).toBe(true);
    expect(peer.currentCid).toEqual(cid(2));
    expect(peer.takeRetirements()).toEqual([0]);
  });

  it('detects a stateless reset by the token in the last 16 bytes (§10.3.1)', () => {
    const peer = new PeerConnectionIds({ initial: cid(1), activeLimit: 4 });
    peer.onNewConnectionId(1, 0, cid(2), token(0xab));
    const datagram = new Uint8Array(40).fill(0x41);
    datagram.set(token(0xab), 24);
    expect(peer.isStatelessReset(datagram)).toBe(true);
    datagram[39] ^= 1;
    expect(peer.isStatelessReset(datagram)).toBe(false);
    expect(peer.isStatelessReset(token(0xab))).toBe(false); // too short to be a reset
    peer.setInitialResetToken(token(0xcd));
    datagram.set(token(0xcd), 24);
    expect(peer.isStatelessReset(datagram)).toBe(true);
  });

  it('any sequence of valid frames keeps the active set within the limit and retirements unique', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 40 }), (steps) => {
        const peer = new PeerConnectionIds({ initial: cid(0), activeLimit: 8 });
        let seq = 0;
        let prior = 0;
        const retired: number[] = [];
        for (const [adv, bump] of steps) {
          seq += 1 + adv;
          prior = Math.min(seq, prior + bump);
          const result = (() => {
            try {
              peer.onNewConnectionId(seq, prior, cid(seq % 250, 8 + (seq % 12)), token(seq % 250));
              return undefined;
            } catch (e) {
              return e;
            }
          })();
          if (result !== undefined) {
            expect(result).toBeInstanceOf(TransportError);
            expect((result as TransportError).code).toBe(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR);
            return;
          }
          retired.push(...peer.takeRetirements());
          expect(peer.currentSequence).toBeGreaterThanOrEqual(prior);
        }
        expect(new Set(retired).size).toBe(retired.length);
      }),
    );
  });
});
