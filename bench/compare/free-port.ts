import { createServer } from 'node:net';

/**
 * A loopback port free right now, for servers that cannot report the port they bound to (redis-server and
 * nats-server print it, but only once bound to a port given to them).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
