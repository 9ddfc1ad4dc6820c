/** The client's public surface: `import { createProducer } from 'rxrocket/client'`. */
export { createProducer } from './producer.js';
export type { Producer, ProducerOptions, SendOptions } from './producer.js';
export type { Message, SendResult, SendStatus } from './message.js';
export type { MessageQueue, QueueSelector } from './queue-selector.js';
export { selectByHash } from './queue-selector.js';
export type { ClientOptions } from './client-options.js';
export type { ConsumerMessage, RetryOptions } from './consumer-message.js';
export type { ConsumeFromWhere } from './start-offset.js';
export type { AllocateStrategy } from './rebalance/strategies.js';
export {
  allocateAveragely,
  allocateAveragelyByCircle,
  allocateConsistentHash,
} from './rebalance/strategies.js';
export { CONTENT_TYPE_PROPERTY, ContentType, decodeBody } from './body-codec.js';
export type { MessageBody } from './body-codec.js';
export {
  MQBrokerError,
  MQClientError,
  RemotingConnectionError,
  RemotingTimeoutError,
  RxRocketError,
} from '../errors.js';
