/** Helpers for tests of code that uses RxRocket: `import { startBrokerProcess } from 'rxrocket/testing'`. */
export { startBrokerProcess } from './broker-process.js';
export type { BrokerProcess, BrokerProcessOptions } from './broker-process.js';
export { BrokerProcessError } from '../errors.js';
