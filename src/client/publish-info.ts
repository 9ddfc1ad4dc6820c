import { type Observable, catchError, defer, map, of, throwError } from 'rxjs';
import { MQClientError } from '../errors.js';
import type { RouteService } from './route-service.js';
import { type TopicPublishInfo, toPublishInfo } from './topic-route.js';

export const AUTO_CREATE_TOPIC = 'TBW102';

export interface PublishInfo extends TopicPublishInfo {
  /** True while the topic is unknown to the name server and sends go where TBW102 lives (auto-create). */
  readonly viaDefaultTopic: boolean;
}

/**
 * Where a producer may send a topic's messages. An unknown topic falls back to the brokers serving TBW102,
 * as RocketMQ's client does; those brokers create the topic on first send when auto-create is on, and the
 * next route lookup finds it.
 */
export class PublishInfoService {
  private readonly cache = new Map<string, PublishInfo>();

  constructor(
    private readonly routes: RouteService,
    private readonly defaultTopicQueueNums: number,
  ) {}

  get$(topic: string): Observable<PublishInfo> {
    return defer(() => {
      const cached = this.cache.get(topic);
      const route = this.routes.cached(topic);
      if (cached !== undefined && (cached.viaDefaultTopic || cached.route === route)) return of(cached);
      return this.routes.route$(topic).pipe(
        map((r) => this.remember({ ...toPublishInfo(topic, r), viaDefaultTopic: false })),
        catchError((error: unknown) =>
          error instanceof MQClientError && error.code === 'ERR_TOPIC_NOT_EXIST'
            ? this.viaDefault$(topic, error)
            : throwError(() => error),
        ),
      );
    });
  }

  forget(topic: string): void {
    this.cache.delete(topic);
  }

  private viaDefault$(topic: string, notFound: MQClientError): Observable<PublishInfo> {
    return this.routes.route$(AUTO_CREATE_TOPIC).pipe(
      map((defaultRoute) => {
        const route = {
          ...defaultRoute,
          queueDatas: defaultRoute.queueDatas.map((qd) => ({
            ...qd,
            readQueueNums: Math.min(this.defaultTopicQueueNums, qd.readQueueNums),
            writeQueueNums: Math.min(this.defaultTopicQueueNums, qd.writeQueueNums),
          })),
        };
        return this.remember({ ...toPublishInfo(topic, route), viaDefaultTopic: true });
      }),
      catchError(() => throwError(() => notFound)),
    );
  }

  private remember(info: PublishInfo): PublishInfo {
    this.cache.set(info.topic, info);
    return info;
  }
}
