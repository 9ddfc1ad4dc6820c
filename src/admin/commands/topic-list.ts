import { decodeTopicList } from '../../protocol/headers/namesrv-bodies.js';
import { encodeGetTopicsByClusterRequestHeader } from '../../protocol/headers/namesrv.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { optionalText } from '../option-values.js';

export const topicList: AdminCommand = {
  name: 'topicList',
  summary: 'every topic the name server knows, one per line',
  options: {
    cluster: { short: 'c', type: 'string', arg: 'CLUSTER', help: "only this cluster's topics" },
  },
  async run(client, options) {
    const cluster = optionalText(options, 'cluster');
    const response =
      cluster === undefined
        ? await client.invokeNamesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)
        : await client.invokeNamesrv(RequestCode.GET_TOPICS_BY_CLUSTER, {
            extFields: encodeGetTopicsByClusterRequestHeader({ cluster }),
          });
    const topics = [...decodeTopicList(response.body).topicList].sort();
    return { json: topics, text: topics.join('\n') };
  },
};
