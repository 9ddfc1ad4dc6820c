import { afterEach, describe, expect, it } from 'vitest';
import { jetStream } from '../../../../bench/compare/jetstream.js';
import { redisStreams } from '../../../../bench/compare/redis-streams.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

describe('compare bench peers without their servers', () => {
  let dir = '';
  useTempDir('rxrocket-no-peers-', (path) => (dir = path));
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('say which package to install instead of starting', async () => {
    process.env.PATH = dir;
    expect(await redisStreams('everysec').unavailable()).toBe(
      'redis-server not installed (apt-get install -y redis-server)',
    );
    expect(await jetStream('default').unavailable()).toBe(
      'nats-server not installed (apt-get install -y nats-server)',
    );
    expect(await jetStream('always').unavailable()).toBe(
      'nats-server not installed (apt-get install -y nats-server)',
    );
  });
});
