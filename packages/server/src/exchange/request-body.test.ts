import { describe, expect, it } from 'vitest';
import { ServerError, ServerErrorCode } from '../errors.js';
import { RequestBody, type RequestBodyHost } from './request-body.js';

class Host implements RequestBodyHost {
  readonly calls: string[] = [];
  onResume: (() => void) | undefined;
  pauseReading(id: number): void {
    this.calls.push(`pause ${id}`);
  }
  resumeReading(id: number): void {
    this.calls.push(`resume ${id}`);
    this.onResume?.();
  }
  abortReading(id: number): void {
    this.calls.push(`abort ${id}`);
  }
}

const bytes = (n: number) => new Uint8Array(n);

describe('RequestBody (pull-based, backpressured)', () => {
  it('pauses above the high-water mark and resumes once drained below half of it', async () => {
    const host = new Host();
    const body = new RequestBody(host, 4, 100, Number.POSITIVE_INFINITY);
    body.push(bytes(60));
    body.push(bytes(60)); // 120 > 100
    expect(host.calls).toEqual(['pause 4']);
    expect((await body.read())?.length).toBe(60); // 60 left: above 50
    expect(host.calls).toEqual(['pause 4']);
    expect((await body.read())?.length).toBe(60);
    expect(host.calls).toEqual(['pause 4', 'resume 4']);
    body.end();
    expect(await body.read()).toBeNull();
  });

  it('a pending read gets the next chunk directly; end resolves it with null', async () => {
    const host = new Host();
    const body = new RequestBody(host, 0, 100, Number.POSITIVE_INFINITY);
    const r = body.read();
    body.push(bytes(7));
    expect((await r)?.length).toBe(7);
    const end = body.read();
    body.end();
    expect(await end).toBeNull();
  });

  it('data delivered synchronously by resumeReading is not lost', async () => {
    const host = new Host();
    const body = new RequestBody(host, 0, 10, Number.POSITIVE_INFINITY);
    body.push(bytes(20)); // paused
    await body.read(); // drains: resume
    host.onResume = () => body.push(bytes(3));
    body.push(bytes(11)); // paused again
    expect((await body.read())?.length).toBe(11);
    expect((await body.read())?.length).toBe(3);
  });

  it('the size limit fails the body and stops the client (STOP_SENDING)', async () => {
    const host = new Host();
    const body = new RequestBody(host, 8, 100, 10);
    const r = body.read();
    body.push(bytes(6));
    await r;
    body.push(bytes(6));
    await expect(body.read()).rejects.toMatchObject({ code: ServerErrorCode.REQUEST_BODY_TOO_LARGE });
    expect(host.calls).toContain('abort 8');
  });

  it('fail rejects a waiting read; cancel aborts reading and ends the stream', async () => {
    const host = new Host();
    const a = new RequestBody(host, 0, 100, Number.POSITIVE_INFINITY);
    const r = a.read();
    a.fail(new ServerError(ServerErrorCode.ABORTED, 'reset', 0x10c));
    await expect(r).rejects.toMatchObject({ code: ServerErrorCode.ABORTED, h3Code: 0x10c });
    const b = new RequestBody(host, 4, 100, Number.POSITIVE_INFINITY);
    b.push(bytes(5));
    b.cancel();
    expect(host.calls).toContain('abort 4');
    expect(await b.read()).toBeNull();
  });

  it('the WHATWG stream pulls only when read', async () => {
    const host = new Host();
    const body = new RequestBody(host, 0, 100, Number.POSITIVE_INFINITY);
    const reader = body.readable.getReader();
    body.push(bytes(1));
    body.push(bytes(2));
    body.end();
    const lengths: number[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) lengths.push(r.value.length);
    expect(lengths).toEqual([1, 2]);
  });
});
