#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createLogger } from '../logger.js';
import { parseBrokerCommandLine } from './cli-args.js';
import { startNameServer } from './namesrv/namesrv.js';

/**
 * `node dist/broker [namesrv] [flags]`. Lines for people go to stdout, structured logs to stderr. SIGTERM
 * and SIGINT close the listeners and exit 0.
 */
const parsed = parseBrokerCommandLine(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, 'utf8'),
});
if (parsed.kind === 'help') {
  process.stdout.write(`${parsed.text}\n`);
  process.exit(0);
}
if (parsed.errors.length > 0) {
  for (const error of parsed.errors) process.stderr.write(`rxrocket: ${error}\n`);
  process.stderr.write('rxrocket: see --help\n');
  process.exit(2);
}
const logger = createLogger(parsed.logLevel);
for (const warning of parsed.warnings) logger.warn({}, warning);

if (parsed.kind === 'broker') {
  process.stderr.write(
    'rxrocket: the broker role is not available yet (its message store is still being built); ' +
      '`node dist/broker namesrv` runs the name server\n',
  );
  process.exit(1);
}

const nameServer = await startNameServer({
  host: parsed.namesrv.host,
  port: parsed.namesrv.port,
  logger,
  ...(parsed.namesrv.kvConfigPath === undefined ? {} : { kvConfigPath: parsed.namesrv.kvConfigPath }),
});
process.stdout.write(`name server listening on ${nameServer.address}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  nameServer.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ error: String(error) }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => {
  stop('SIGTERM');
});
process.on('SIGINT', () => {
  stop('SIGINT');
});
