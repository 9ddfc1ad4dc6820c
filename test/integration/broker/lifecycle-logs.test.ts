import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createProducer } from '../../../src/client/producer.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const ENTRY = fileURLToPath(new URL('../../../dist/broker/index.js', import.meta.url));

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

let storeDir = '';
useTempDir('rxrocket-logs-', (path) => {
  storeDir = path;
});
let child: ChildProcess | undefined;

/** Log lines travel on another pipe than stdout: wait (bounded) for the one expected. */
async function logged(logs: readonly LogLine[], msg: string): Promise<void> {
  for (let i = 0; i < 200 && !logs.some((l) => l.msg === msg); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
afterEach(() => {
  child?.kill('SIGKILL');
});

describe('broker logs at the default level', () => {
  it('one JSON line per lifecycle event, none per message, the shutdown included', async () => {
    child = spawn(
      process.execPath,
      [
        ENTRY,
        '--namesrv-listen',
        '127.0.0.1:0',
        '--listen',
        '127.0.0.1:0',
        '--ha-listen',
        '127.0.0.1:0',
        '--metrics-port',
        '0',
        '--store-dir',
        storeDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const logs: LogLine[] = [];
    const stdout: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(JSON.parse(line) as LogLine));
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        stdout.push(line);
        if (line === 'broker ready') resolve();
      });
    });
    await ready;
    await logged(logs, 'broker started');
    const namesrv = /^name server listening on (\S+)$/.exec(stdout[0]!)![1]!;
    expect(stdout.some((l) => /^metrics listening on 127\.0\.0\.1:\d+$/.test(l))).toBe(true);
    const messages = logs.map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'name server started',
        'store opened',
        'registered with a name server',
        'broker started',
      ]),
    );
    expect(logs.filter((l) => l.msg === 'listening').map((l) => l.what)).toEqual([
      'clients',
      'HA',
      'metrics',
    ]);
    expect(
      logs.every((l) => typeof l.level === 'number' && typeof l.time === 'number' && l.pid === child!.pid),
    ).toBe(true);

    const producer = createProducer({ group: 'logs-pg', namesrv });
    const linesBeforeTraffic = logs.length;
    try {
      for (let i = 0; i < 20; i++)
        await firstValueFrom(producer.send$({ topic: 'LogsTopic', body: Buffer.from(`m${i}`) }));
    } finally {
      await producer.shutdown();
    }
    const trafficLines = logs.slice(linesBeforeTraffic).filter((l) => !/topic|created/i.test(l.msg));
    expect(trafficLines).toEqual([]);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    await logged(logs, 'broker stopped');
    expect(code).toBe(0);
    const shutdown = logs.map((l) => l.msg);
    expect(shutdown).toEqual(
      expect.arrayContaining(['shutting down', 'store shut down cleanly', 'broker stopped']),
    );
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
