import { BrokerStartError } from '../errors.js';
import type { Logger } from '../logger.js';
import { formatAddress } from '../remoting/address.js';

/** Runs listen(), logging the bound port, or fails the start with what could not listen where. */
export async function listening<T>(
  what: string,
  host: string,
  port: number,
  listen: () => Promise<T>,
  logger: Logger,
): Promise<T> {
  try {
    const bound = await listen();
    logger.info({ what, host, requestedPort: port }, 'listening');
    return bound;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'address already in use' : String(error);
    throw new BrokerStartError(
      `cannot listen for ${what} on ${formatAddress({ address: host, port })}: ${reason}`,
      {
        cause: error,
      },
    );
  }
}
