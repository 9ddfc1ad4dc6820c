import type { Observable } from 'rxjs';
import type { MessageExt } from '../../protocol/message.js';
import type { OffsetStorePort } from '../offset-store.js';
import type { PullRequest, PullResult } from '../pull-loop.js';
import type { MessageQueue } from '../queue-selector.js';
import type { AssignmentSettings, GroupMembershipPorts, TopicSubscription } from './assignment.js';

/** Everything the pull consumer asks of brokers and the client instance; specs give fakes. */
export interface PullConsumerPorts extends GroupMembershipPorts {
  pull$(request: PullRequest, subscription: TopicSubscription): Observable<PullResult<MessageExt>>;
  /** Committed offsets: on the broker (clustering) or in a local file (broadcasting). */
  readonly offsets: OffsetStorePort;
  minOffset$(queue: MessageQueue): Observable<number>;
  maxOffset$(queue: MessageQueue): Observable<number>;
  searchOffset$(queue: MessageQueue, timestamp: number): Observable<number>;
  queues$(topic: string): Observable<readonly MessageQueue[]>;
  /** UNREGISTER_CLIENT, once subscribe() joined the group. */
  leave$(): Observable<void>;
  /** Gives the connections back; the last call. */
  release(): Promise<void>;
}

export interface PullConsumerSettings extends Omit<AssignmentSettings, 'onRevoked'> {
  readonly consumeTimestamp: number;
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly pullBatchSize: number;
  readonly pullThresholdForQueue: number;
  readonly pullThresholdSizeForQueue: number;
  readonly pollTimeoutMs: number;
}
