import { spawn, spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { createRemotingClient } from '../../../src/remoting/client.js';
import { startBrokerProcess } from '../../../src/testing/broker-process.js';
import { routeOf } from '../../fixtures/broker/broker-fixture.js';
import { useTempDir } from '../../helpers/temp-dir.js';

/** The built entry point, as `node dist/broker` runs it (npm test builds first). */
const ENTRY = 'dist/broker/index.js';

let dir: string;
useTempDir('rxrocket-entry-', (path) => {
  dir = path;
});

/** Runs the entry point to its exit (bounded), for the ways it refuses to start. */
const runToExit = (args: readonly string[]) =>
  spawnSync(process.execPath, [ENTRY, ...args], { encoding: 'utf8', timeout: 30_000 });

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

  it('runs the broker in dev mode on free ports, prints each address then "broker ready", and exits 0 on SIGTERM', async () => {
    const args = ['--namesrv-listen', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--ha-listen', '127.0.0.1:0'];
    const child = spawn(process.execPath, [ENTRY, ...args, '--store-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line === 'broker ready') resolve();
      });
      void exit.then((code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^name server listening on 127\.0\.0\.1:[1-9]\d*$/);
    expect(lines[1]).toMatch(/^broker listening on 127\.0\.0\.1:[1-9]\d*$/);
    expect(lines[2]).toMatch(/^ha listening on 127\.0\.0\.1:[1-9]\d*$/);
    const namesrv = lines[0]!.split(' ').at(-1)!;
    const brokerAddress = lines[1]!.split(' ').at(-1)!;
    const route = await routeOf(namesrv, 'TBW102');
    expect(route?.brokerDatas[0]?.brokerAddrs['0']).toBe(brokerAddress);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const files = await readdir(dir);
    expect(files).toContain('checkpoint');
    expect(files).not.toContain('abort');
  });

  it('a broker port in use is one clear line on stderr and exit code 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = runToExit([
        '--namesrv-listen',
        '127.0.0.1:0',
        '--listen',
        `127.0.0.1:${port}`,
        '--store-dir',
        dir,
      ]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `rxrocket: cannot start the broker: cannot listen for clients on 127\\.0\\.0\\.1:${port}: address already in use`,
        ),
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a store directory another broker holds is a clear error and exit code 1', async () => {
    const first = await startBrokerProcess({ storeDir: dir });
    try {
      const result = runToExit([
        '--namesrv-listen',
        '127.0.0.1:0',
        '--listen',
        '127.0.0.1:0',
        '--ha-listen',
        '127.0.0.1:0',
        '--store-dir',
        dir,
      ]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/rxrocket: cannot start the broker: .*held by process \d+/);
      expect(first.pid).toBeDefined();
    } finally {
      await first.dispose();
    }
  });
});
