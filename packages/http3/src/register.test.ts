import { createContainer, HashStringInterner, StringInterner } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { FakePair } from '../test/support/fake-transport.js';
import { H3Connection } from './connection/h3-connection.js';
import { H3ConnectionFactory, registerHttp3 } from './register.js';

describe('registerHttp3', () => {
  it('registers an H3ConnectionFactory with the defaults and the container interner', () => {
    const c = createContainer();
    const interner = new HashStringInterner();
    c.register(StringInterner, { useValue: interner });
    registerHttp3(c, { qpackMaxTableCapacity: 0, grease: false });
    const factory = c.resolve(H3ConnectionFactory);
    expect(factory.defaults).toMatchObject({ qpackMaxTableCapacity: 0, grease: false, interner });
    const pair = new FakePair();
    const conn = factory.create(pair.client, { maxFieldSectionSize: 1000 });
    expect(conn).toBeInstanceOf(H3Connection);
    expect(conn.role).toBe('client');
    expect(conn.localSettings).toMatchObject({ qpackMaxTableCapacity: 0, maxFieldSectionSize: 1000 });
  });

  it('works without a registered interner, and each container gets its own factory', () => {
    const a = registerHttp3(createContainer());
    const b = registerHttp3(createContainer(), { maxPushId: 4 });
    expect(a.resolve(H3ConnectionFactory)).not.toBe(b.resolve(H3ConnectionFactory));
    expect(b.resolve(H3ConnectionFactory).defaults.maxPushId).toBe(4);
  });
});
