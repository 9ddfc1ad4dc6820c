import { type Server, createServer } from 'node:net';
import type { Logger } from '../../logger.js';

export interface ReservedPort {
  /** The bound port (the real one when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Holds the HA port until replication exists: listening, so the port is ours and is what the name servers
 * hear as haServerAddr, but closing every connection at once, so a slave sees a refusal rather than silence.
 */
export function reserveHaPort(host: string, port: number, logger: Logger): Promise<ReservedPort> {
  const server: Server = createServer((socket) => {
    logger.debug({ peer: socket.remoteAddress }, 'HA connection closed: replication is not available yet');
    socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const info = server.address();
      resolve({
        port: typeof info === 'object' && info !== null ? info.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}
