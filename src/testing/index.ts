/** Helpers for tests of code that uses RxRocket: `import { MessageFactory, startBrokerProcess } from 'rxrocket/testing'`. */
export { startBrokerProcess } from './broker-process.js';
export type { BrokerProcess, BrokerProcessOptions } from './broker-process.js';
export { BrokerProcessError } from '../errors.js';
export { MessageFactory, acked, retried } from './message-factory.js';
export type {
  MessageFactoryOptions,
  RecordedSettlement,
  Settlement,
  TestMessageInit,
} from './message-factory.js';
export { FakeProducer } from './fake-producer.js';
export type { FakeProducerOptions, SentMessage } from './fake-producer.js';
export { FakePushConsumer } from './fake-push-consumer.js';
export type { FakePushConsumerOptions } from './fake-push-consumer.js';
export { EmbeddedClusterError, startEmbeddedCluster } from './embedded-cluster.js';
export type { EmbeddedCluster, EmbeddedClusterOptions } from './embedded-cluster.js';
export { startNameServerProcess } from './name-server-process.js';
export type { NameServerProcess, NameServerProcessOptions } from './name-server-process.js';
