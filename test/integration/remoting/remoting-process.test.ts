import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingConnectionError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';

let child: ChildProcess;
let address: string;
let client: RemotingClient;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/remoting/echo-server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  address = `127.0.0.1:${line.trim()}`;
  client = createRemotingClient({ logger: silentLogger });
});

afterAll(async () => {
  await client.close();
  child.kill('SIGKILL');
});

describe('remoting across processes', () => {
  it('correlates 10 000 concurrent invokes', async () => {
    const calls = Array.from({ length: 10_000 }, (_, i) =>
      firstValueFrom(
        client.invoke$(
          address,
          createRequest(9001, { extFields: { i: String(i) }, body: Buffer.from(`payload-${i}`) }),
          30_000,
        ),
      ),
    );
    const responses = await Promise.all(calls);
    responses.forEach((r, i) => {
      expect(r.extFields?.i).toBe(String(i));
      expect(Buffer.from(r.body!).toString()).toBe(`payload-${i}`);
    });
  });

  it('a killed server fails every pending call with a connection error, not a timeout', async () => {
    const pending = Array.from({ length: 1000 }, () =>
      firstValueFrom(client.invoke$(address, createRequest(9002), 30_000)).then(
        () => 'answered',
        (error: unknown) => error,
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    const results = await Promise.all(pending);
    for (const r of results) expect(r).toBeInstanceOf(RemotingConnectionError);
  });
});
