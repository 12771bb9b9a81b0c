// `fos-h3` dispatches `serve …` to the server command (src/serve, the server side of the CLI) and everything else
// to the fetch command.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../src/index.js';
import { runCli } from './support/cli-harness.js';

describe('fos-h3 dispatch', () => {
  it('`serve` goes to the serve command, never to the fetch parser', async () => {
    const r = await runCli(['serve', '--help']);
    expect(r.stderr).not.toMatch(/missing required argument 'url'/);
    if (r.code !== 0) {
      // A build without the server part says so clearly.
      expect(r).toMatchObject({
        code: ExitCode.FAILURE,
        stderr: 'fos-h3: the serve command is not available in this build\n',
      });
    }
  });

  it('anything else is a fetch: a URL-less command line is a usage error', async () => {
    const r = await runCli(['-v']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^fos-h3: missing required argument 'url'/);
  });
});
