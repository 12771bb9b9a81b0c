import { describe, expect, it } from 'vitest';
import {
  type BodySink,
  type BodySource,
  RESPONSE_BODY_HIGH_WATER_MARK,
  ResponseBody,
  WebStreamSource,
} from './response-body.js';

/** A source the test pushes into, recording pause/resume/cancel. */
class PushSource implements BodySource {
  sink: BodySink | undefined;
  paused = false;
  resumes = 0;
  cancelled: unknown;
  start(sink: BodySink): void {
    this.sink = sink;
  }
  resume(): void {
    this.resumes++;
    this.paused = false;
  }
  cancel(reason: unknown): void {
    this.cancelled = reason;
  }
  push(n: number): void {
    if (!this.sink!.chunk(new Uint8Array(n))) this.paused = true;
  }
}

function hooks() {
  const h = {
    progress: 0,
    done: [] as unknown[],
    onProgress: () => h.progress++,
    onDone: (e: unknown) => h.done.push(e),
  };
  return h;
}

describe('ResponseBody', () => {
  it('asks the source to pause beyond the high-water mark and to resume as the reader consumes', async () => {
    const src = new PushSource();
    const h = hooks();
    const body = new ResponseBody(src, h);
    src.push(RESPONSE_BODY_HIGH_WATER_MARK / 2);
    expect(src.paused).toBe(false);
    src.push(RESPONSE_BODY_HIGH_WATER_MARK / 2);
    expect(src.paused).toBe(true);
    const reader = body.stream.getReader();
    await reader.read();
    await reader.read();
    expect(src.paused).toBe(false);
    expect(h.progress).toBe(2);
    src.sink!.end();
    expect((await reader.read()).done).toBe(true);
    expect(h.done).toEqual([undefined]);
  });

  it('fail() errors the reader, cancels the source and completes once', async () => {
    const src = new PushSource();
    const h = hooks();
    const body = new ResponseBody(src, h);
    const reason = new Error('stop');
    body.fail(reason);
    body.fail(new Error('again'));
    src.sink!.end();
    await expect(body.stream.getReader().read()).rejects.toBe(reason);
    expect(src.cancelled).toBe(reason);
    expect(h.done).toEqual([reason]);
  });

  it('a consumer cancel reaches the source', async () => {
    const src = new PushSource();
    const h = hooks();
    const body = new ResponseBody(src, h);
    await body.stream.cancel('bye');
    expect(src.cancelled).toBe('bye');
    expect(h.done).toEqual(['bye']);
  });

  it('WebStreamSource pumps a WHATWG stream and reports its error', async () => {
    const chunks = [new Uint8Array([1]), new Uint8Array([2, 3])];
    const ok = new ResponseBody(
      new WebStreamSource(
        new ReadableStream({
          start: (c) => {
            for (const x of chunks) c.enqueue(x);
            c.close();
          },
        }),
        () => {},
      ),
      hooks(),
    );
    const got: number[] = [];
    for await (const c of ok.stream as unknown as AsyncIterable<Uint8Array>) got.push(...c);
    expect(got).toEqual([1, 2, 3]);
    const boom = new Error('reset');
    const h = hooks();
    const failing = new ResponseBody(
      new WebStreamSource(new ReadableStream({ start: (c) => c.error(boom) }), () => {}),
      h,
    );
    await expect(failing.stream.getReader().read()).rejects.toBe(boom);
    expect(h.done).toEqual([boom]);
  });
});
