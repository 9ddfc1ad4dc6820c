import type { AdminCommand } from '../command.js';
import { brokerStatus } from './broker-status.js';
import { clusterList } from './cluster-list.js';
import { consumeMessage } from './consume-message.js';
import { consumerConnection } from './consumer-connection.js';
import { consumerProgress } from './consumer-progress.js';
import { deleteSubGroup } from './delete-sub-group.js';
import { deleteTopic } from './delete-topic.js';
import { queryMsgById } from './query-msg-by-id.js';
import { queryMsgByKey } from './query-msg-by-key.js';
import { queryMsgByOffset } from './query-msg-by-offset.js';
import { resetOffsetByTime } from './reset-offset-by-time.js';
import { sendMessage } from './send-message.js';
import { topicList } from './topic-list.js';
import { topicRoute } from './topic-route.js';
import { topicStatus } from './topic-status.js';
import { updateSubGroup } from './update-sub-group.js';
import { updateTopic } from './update-topic.js';

/** Every admin command, in the order `rxrocket admin --help` lists them. */
export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  clusterList,
  brokerStatus,
  topicList,
  topicRoute,
  topicStatus,
  updateTopic,
  deleteTopic,
  updateSubGroup,
  deleteSubGroup,
  consumerProgress,
  consumerConnection,
  queryMsgById,
  queryMsgByKey,
  queryMsgByOffset,
  resetOffsetByTime,
  sendMessage,
  consumeMessage,
];
