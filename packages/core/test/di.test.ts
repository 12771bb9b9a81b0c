import {
  BufferAllocator,
  Clock,
  createContainer,
  inject,
  injectable,
  PoolAllocator,
  QlogSink,
  registerCore,
  resolve,
  StringInterner,
  SystemClock,
  tryResolve,
  VirtualClock,
} from '@fos/core';
import { describe, expect, it } from 'vitest';

@injectable()
class NeedsClock {
  constructor(@inject(Clock) readonly clock: Clock) {}
}

describe('DI composition', () => {
  it('registerCore provides every core service as a container singleton', () => {
    const c = registerCore(createContainer());
    expect(resolve(c, Clock)).toBeInstanceOf(SystemClock);
    expect(resolve(c, BufferAllocator)).toBeInstanceOf(PoolAllocator);
    expect(resolve(c, BufferAllocator)).toBe(resolve(c, BufferAllocator));
    expect(resolve(c, StringInterner).intern('content-type')).toBe('content-type');
    expect(
      resolve(c, QlogSink).createTrace({ vantagePoint: 'client', odcid: '00', referenceTimeMs: 0 }),
    ).toBeUndefined();
  });

  it('a later registration replaces a plugin, and child containers do not leak into siblings', () => {
    const parent = registerCore(createContainer());
    const child = createContainer(parent);
    const virtual = new VirtualClock();
    child.register(Clock, { useValue: virtual });
    expect(resolve(child, Clock)).toBe(virtual);
    expect(resolve(parent, Clock)).toBeInstanceOf(SystemClock);
    expect(resolve(createContainer(parent), Clock)).toBeInstanceOf(SystemClock);
  });

  it('injects tokens into edge adapters with explicit @inject', () => {
    const c = registerCore(createContainer(), { clock: new VirtualClock({ startMs: 5 }) });
    const a = c.resolve(NeedsClock);
    expect(a.clock.now()).toBe(5);
  });

  it('tryResolve reports a missing plugin as undefined', () => {
    const c = createContainer();
    expect(tryResolve(c, Clock)).toBeUndefined();
  });
});
