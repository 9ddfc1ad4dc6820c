/** The client's public surface: `import { createProducer } from 'rxrocket/client'`. */
export { createProducer } from './producer.js';
export type { Producer, ProducerOptions, SendOptions } from './producer.js';
export { createTransactionProducer } from './transaction-producer.js';
export type {
  LocalTransaction,
  TransactionProducer,
  TransactionProducerOptions,
  TransactionSendResult,
} from './transaction-producer.js';
export type {
  LocalTransactionState,
  TransactionChecker,
  TransactionMessage,
  TransactionStateInput,
} from './transaction-check.js';
export type { Message, SendResult, SendStatus } from './message.js';
export type { MessageQueue, QueueSelector } from './queue-selector.js';
export { selectByHash } from './queue-selector.js';
export type { ClientOptions } from './client-options.js';
export type { ConsumerMessage, RetryOptions } from './consumer-message.js';
export { createPushConsumer } from './push-consumer.js';
export type { ConsumeHandler, ConsumeOptions, ConsumeResult, PushConsumer } from './push-consumer.js';
export type { ConsumerEvent, MessageModel, PushConsumerOptions } from './push-consumer-options.js';
export { createPullConsumer } from './pull-consumer.js';
export type { PullConsumer, PullConsumerOptions } from './pull-consumer.js';
export type { PulledMessage } from './consumer-message.js';
export type { ProcessQueueLimits, ProcessQueueStats } from './process-queue.js';
export { bySql, byTag } from './subscription.js';
export type { MessageSelector } from './subscription.js';
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
