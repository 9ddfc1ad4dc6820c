import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { createRemotingClient } from '../../../src/remoting/client.js';

/** The built entry point, as `node dist/broker` runs it (npm test builds first). */
const ENTRY = 'dist/broker/index.js';

describe('node dist/broker', () => {
  it('--help documents the flags and exits 0', () => {
    const result = spawnSync(process.execPath, [ENTRY, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--namesrv/);
    expect(result.stdout).toMatch(/--store-dir/);
  });

  it('a bad flag is a clear error and exit code 2', () => {
    const result = spawnSync(process.execPath, [ENTRY, '--no-such-flag'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/rxrocket:/);
  });

  it('runs the name server alone, answers route queries, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [ENTRY, 'namesrv', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const address = /listening on (\S+)/.exec(line)?.[1];
    expect(address).toBeDefined();
    const client = createRemotingClient({ logger: silentLogger });
    const response = await firstValueFrom(
      client.invoke$(
        address!,
        createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: 'Nope' } }),
        5000,
      ),
    );
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    await client.close();
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
