import { describe, expect, it } from 'vitest';
import { deliverTimeTagsCode } from '../../../../src/broker/schedule/deliver-time-code.js';
import { parseDelayLevels } from '../../../../src/broker/schedule/delay-levels.js';
import { rePutInput } from '../../../../src/broker/schedule/re-put.js';
import { scheduledInput } from '../../../../src/broker/schedule/schedule-rewrite.js';
import { schedulingPut } from '../../../../src/broker/schedule/scheduling-put.js';
import type { PutResult } from '../../../../src/broker/store/message-store.js';
import { encodeRecord, readDispatchInfo } from '../../../../src/protocol/message-codec.js';
import { type MessageRecordInput, SysFlag } from '../../../../src/protocol/message.js';
import { MessageIllegalError } from '../../../../src/protocol/message-illegal-error.js';
import { decodeProperties, encodeProperties } from '../../../../src/protocol/properties.js';
import { messageOf } from '../../../fixtures/store/store-fixture.js';

const NOW = 1_700_000_000_000;
const options = { levelCount: 3, timerMaxDelayMs: 10_000, now: NOW };

const withProps = (
  extra: Record<string, string>,
  over: Partial<MessageRecordInput> = {},
): MessageRecordInput => {
  const base = messageOf(7, 'Orders', 4);
  const props = Object.fromEntries(decodeProperties(base.properties));
  return { ...base, queueId: 2, properties: encodeProperties({ ...props, ...extra }), ...over };
};

const propsOf = (input: MessageRecordInput): Map<string, string> => decodeProperties(input.properties);

describe('parseDelayLevels', () => {
  it('reads RocketMQ level text as milliseconds, level 1 first', () => {
    expect(parseDelayLevels(' 1s 5m  2h 1d ')).toEqual([1000, 300_000, 7_200_000, 86_400_000]);
    expect(() => parseDelayLevels('1s 5x')).toThrow(/5x/);
  });
});

describe('scheduledInput', () => {
  it('leaves a message without DELAY or a timer property as it is (same object)', () => {
    const input = messageOf(1, 'Orders');
    expect(scheduledInput(input, options)).toBe(input);
    expect(scheduledInput(withProps({ DELAY: '0' }), options).topic).toBe('Orders');
  });

  it('sends a delayed message to SCHEDULE_TOPIC_XXXX queue level-1 with its real topic and queue', () => {
    const out = scheduledInput(withProps({ DELAY: '2' }), options);
    expect(out).toMatchObject({ topic: 'SCHEDULE_TOPIC_XXXX', queueId: 1 });
    expect(propsOf(out).get('REAL_TOPIC')).toBe('Orders');
    expect(propsOf(out).get('REAL_QID')).toBe('2');
  });

  it('clamps a level past the last one to the last one', () => {
    const out = scheduledInput(withProps({ DELAY: '40' }), options);
    expect(out.queueId).toBe(2);
    expect(propsOf(out).get('DELAY')).toBe('3');
  });

  it('keeps half and rollback records where they are', () => {
    const half = withProps({ DELAY: '2' }, { sysFlag: SysFlag.TRANSACTION_PREPARED_TYPE });
    expect(scheduledInput(half, options).topic).toBe('Orders');
    const commit = withProps({ DELAY: '2' }, { sysFlag: SysFlag.TRANSACTION_COMMIT_TYPE });
    expect(scheduledInput(commit, options).topic).toBe('SCHEDULE_TOPIC_XXXX');
  });

  it('sends a timed message to rmq_sys_wheel_timer with TIMER_OUT_MS from any of the three properties', () => {
    for (const [extra, at] of [
      [{ TIMER_DELIVER_MS: String(NOW + 5000) }, NOW + 5000],
      [{ TIMER_DELAY_SEC: '3' }, NOW + 3000],
      [{ TIMER_DELAY_MS: '1500' }, NOW + 1500],
    ] as const) {
      const out = scheduledInput(withProps(extra), options);
      expect(out).toMatchObject({ topic: 'rmq_sys_wheel_timer', queueId: 0 });
      expect(propsOf(out).get('TIMER_OUT_MS')).toBe(String(at));
      expect(propsOf(out).get('REAL_TOPIC')).toBe('Orders');
    }
  });

  it('delivers a time already passed at once', () => {
    expect(scheduledInput(withProps({ TIMER_DELIVER_MS: String(NOW - 1) }), options).topic).toBe('Orders');
  });

  it('refuses a time beyond timerMaxDelaySec, a non-integer time, and a time next to a level, as MESSAGE_ILLEGAL', () => {
    const tooFar = (): MessageRecordInput =>
      scheduledInput(withProps({ TIMER_DELIVER_MS: String(NOW + 10_001) }), options);
    expect(tooFar).toThrow(MessageIllegalError);
    expect(tooFar).toThrow(/timerMaxDelaySec \(10 s\)/);
    expect(() => scheduledInput(withProps({ TIMER_DELAY_SEC: 'soon' }), options)).toThrow(/integer/);
    expect(() => scheduledInput(withProps({ DELAY: '1', TIMER_DELAY_MS: '5' }), options)).toThrow(/both/);
    try {
      tooFar();
    } catch (error) {
      expect((error as MessageIllegalError).responseCode).toBe(13);
    }
  });
});

describe('schedulingPut', () => {
  it('rewrites on the way to the store and rejects what the rewrite refuses', async () => {
    const seen: MessageRecordInput[] = [];
    const put = schedulingPut(
      (inputs) => {
        seen.push(...inputs);
        return Promise.resolve({ status: 'PUT_OK', records: [] } satisfies PutResult);
      },
      { levelCount: 3, timerMaxDelayMs: 10_000, now: () => NOW },
    );
    await put([withProps({ DELAY: '1' }), messageOf(2, 'Orders')], {});
    expect(seen.map((i) => i.topic)).toEqual(['SCHEDULE_TOPIC_XXXX', 'Orders']);
    await expect(put([withProps({ TIMER_DELAY_SEC: '11' })], {})).rejects.toThrow(MessageIllegalError);
  });
});

describe('the tag slot of scheduled records and their re-put', () => {
  const stored = (input: MessageRecordInput): Buffer =>
    encodeRecord(input, { physicalOffset: 4096, queueOffset: 9, storeTimestamp: NOW });

  it('holds store time + level delay for the schedule topic, TIMER_OUT_MS for the timer topic', () => {
    const tagsCode = deliverTimeTagsCode([1000, 2000, 3000]);
    const delayed = stored(scheduledInput(withProps({ DELAY: '2' }), options));
    expect(tagsCode(readDispatchInfo(delayed, 0))).toBe(NOW + 2000);
    const timed = stored(scheduledInput(withProps({ TIMER_DELAY_MS: '700' }), options));
    expect(tagsCode(readDispatchInfo(timed, 0))).toBe(NOW + 700);
    const plain = readDispatchInfo(stored(messageOf(3, 'Orders')), 0);
    expect(tagsCode(plain)).toBe(plain.tagsCode);
  });

  it('re-puts the record on its real topic and queue without the scheduling properties', () => {
    const original = withProps({ DELAY: '2' });
    const back = rePutInput(stored(scheduledInput(original, options)), { address: '10.0.0.1', port: 1 })!;
    expect(back).toMatchObject({ topic: 'Orders', queueId: 2, bornTimestamp: original.bornTimestamp });
    expect(Buffer.from(back.body)).toEqual(Buffer.from(original.body));
    const props = propsOf(back);
    expect(props.has('DELAY')).toBe(false);
    expect(props.get('UNIQ_KEY')).toBe(propsOf(original).get('UNIQ_KEY'));
    expect(back.tagsCode).not.toBe(0);
    expect(rePutInput(stored(messageOf(4, 'Orders')), { address: '10.0.0.1', port: 1 })).toBeUndefined();
  });
});
