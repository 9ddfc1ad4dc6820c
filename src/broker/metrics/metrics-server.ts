import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.js';
import { formatAddress } from '../../remoting/address.js';
import type { BrokerMetrics } from './broker-metrics.js';

export interface MetricsServer {
  /** "host:port" actually bound. */
  readonly address: string;
  close(): Promise<void>;
}

/** GET /metrics in Prometheus text format; any other path is a 404, a failed scrape a 500 and a log line. */
export async function startMetricsServer(
  metrics: BrokerMetrics,
  host: string,
  port: number,
  logger: Logger,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    metrics.exposition().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType }).end(text);
      },
      (error: unknown) => {
        logger.error({ error: String(error) }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: formatAddress({ address: bound.address, port: bound.port }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
