import { PoolAllocator, type PoolAllocatorOptions } from './buffer/pool-allocator.js';
import { SystemClock } from './clock/system-clock.js';
import { BufferAllocator } from './contracts/buffer-allocator.js';
import { Clock } from './contracts/clock.js';
import { QlogSink } from './contracts/qlog.js';
import { StringInterner } from './contracts/string-interner.js';
import type { DependencyContainer } from './di/container.js';
import { HashStringInterner, type HashStringInternerOptions } from './intern/hash-string-interner.js';
import { NullQlogSink } from './qlog/qlog-sinks.js';

export interface CoreOptions {
  /** Default: a new SystemClock. Pass a VirtualClock for simulations. */
  readonly clock?: Clock;
  /** Default: a PoolAllocator with these options (or the given allocator). */
  readonly allocator?: BufferAllocator | PoolAllocatorOptions;
  readonly interner?: StringInterner | HashStringInternerOptions;
  /** Default: NullQlogSink (no tracing). */
  readonly qlog?: QlogSink;
}

function isAllocator(v: BufferAllocator | PoolAllocatorOptions): v is BufferAllocator {
  return typeof (v as BufferAllocator).acquire === 'function';
}

function isInterner(v: StringInterner | HashStringInternerOptions): v is StringInterner {
  return typeof (v as StringInterner).internBytes === 'function';
}

/**
 * Registers the core services of one composition root: Clock, BufferAllocator, StringInterner and QlogSink.
 * Each registration is a singleton for this container; register again (after this call) to replace one.
 */
export function registerCore(container: DependencyContainer, options: CoreOptions = {}): DependencyContainer {
  const allocator = options.allocator;
  const interner = options.interner;
  container.register(Clock, { useValue: options.clock ?? new SystemClock() });
  container.register(BufferAllocator, {
    useValue: allocator && isAllocator(allocator) ? allocator : new PoolAllocator(allocator),
  });
  container.register(StringInterner, {
    useValue: interner && isInterner(interner) ? interner : new HashStringInterner(interner),
  });
  container.register(QlogSink, { useValue: options.qlog ?? new NullQlogSink() });
  return container;
}
