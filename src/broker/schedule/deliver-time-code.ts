import type { DispatchInfo } from '../../protocol/message-codec.js';
import { MessageProperty, propertyValue } from '../../protocol/properties.js';
import { SystemTopic } from '../managers/topic-config.js';
import { clampDelayLevel } from './delay-levels.js';
import { TIMER_TOPIC, TimerProperty } from './timer-properties.js';

/**
 * The ConsumeQueue tag slot of a scheduled record: RocketMQ stores the delivery timestamp there instead of
 * the tag hash (CommitLog.checkMessageAndReturnSize), so that the schedule service decides from the queue
 * alone, without reading the record, whether an entry is due. Store time + the level's delay for
 * SCHEDULE_TOPIC_XXXX, TIMER_OUT_MS for the timer topic, the tag hash for everything else.
 */
export function deliverTimeTagsCode(levelsMs: readonly number[]): (info: DispatchInfo) => number {
  return (info) => {
    if (info.topic === SystemTopic.SCHEDULE) {
      const level = Number(propertyValue(info.propertiesText, MessageProperty.DELAY));
      if (!Number.isInteger(level) || level <= 0 || levelsMs.length === 0) return info.storeTimestamp;
      return info.storeTimestamp + levelsMs[clampDelayLevel(level, levelsMs.length) - 1]!;
    }
    if (info.topic === TIMER_TOPIC) {
      const at = Number(propertyValue(info.propertiesText, TimerProperty.OUT_MS));
      return Number.isSafeInteger(at) ? at : info.storeTimestamp;
    }
    return info.tagsCode;
  };
}
