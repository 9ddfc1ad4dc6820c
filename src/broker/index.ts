#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { type Logger, createLogger } from '../logger.js';
import { formatAddress, parseHostAddress } from '../remoting/address.js';
import { startBroker } from './broker.js';
import { type NamesrvSettings, parseBrokerCommandLine } from './cli-args.js';
import { type NameServer, startNameServer } from './namesrv/namesrv.js';

/**
 * `node dist/broker [namesrv | admin] [flags]`. Lines for people go to stdout, one per listening address and then
 * `broker ready`, so scripts and tests can read the real ports; structured logs go to stderr. SIGTERM and
 * SIGINT shut down cleanly and exit 0; a failure to start is one line on stderr and exit 1.
 */
if (process.argv[2] === 'admin') {
  // Loaded only here: the admin tool needs none of the broker, and the broker none of it.
  const { runAdminCli } = await import('../admin/cli.js');
  process.exit(await runAdminCli(process.argv.slice(3)));
}

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

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const failed = (what: string, error: unknown): never => {
  process.stderr.write(
    `rxrocket: cannot start the ${what}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
};

/** Closes everything started, in reverse order, once, on the first SIGTERM or SIGINT. */
function stopOnSignals(closers: readonly (() => Promise<void>)[], log: Logger): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    closers
      .reduce((done, close) => done.then(close), Promise.resolve())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ error: String(error) }, 'shutdown failed');
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
}

async function runNameServer(settings: NamesrvSettings): Promise<NameServer> {
  const nameServer = await startNameServer({
    host: settings.host,
    port: settings.port,
    logger,
    ...(settings.kvConfigPath === undefined ? {} : { kvConfigPath: settings.kvConfigPath }),
  }).catch((error: unknown) => failed('name server', error));
  say(`name server listening on ${nameServer.address}`);
  return nameServer;
}

/** The embedded name server's address as the broker should dial it: a wildcard bind is reached on loopback. */
function reachable(nameServer: NameServer): string {
  const host = parseHostAddress(nameServer.address);
  const address = host.address === '0.0.0.0' || host.address === '::' ? '127.0.0.1' : host.address;
  return formatAddress({ address, port: host.port });
}

if (parsed.kind === 'namesrv') {
  const nameServer = await runNameServer(parsed.namesrv);
  stopOnSignals([() => nameServer.close()], logger);
} else {
  const nameServer = parsed.namesrv === undefined ? undefined : await runNameServer(parsed.namesrv);
  const config =
    nameServer === undefined || parsed.config.namesrvAddr !== undefined
      ? parsed.config
      : { ...parsed.config, namesrvAddr: reachable(nameServer) };
  const broker = await startBroker(config, {
    logger,
    ...(parsed.metricsPort === undefined ? {} : { metricsPort: parsed.metricsPort }),
  }).catch(async (error: unknown) => {
    await nameServer?.close();
    return failed('broker', error);
  });
  say(`broker listening on ${broker.address}`);
  say(`ha listening on ${broker.haAddress}`);
  if (broker.metricsAddress !== undefined) say(`metrics listening on ${broker.metricsAddress}`);
  say('broker ready');
  stopOnSignals(
    nameServer === undefined ? [() => broker.close()] : [() => broker.close(), () => nameServer.close()],
    logger,
  );
}
