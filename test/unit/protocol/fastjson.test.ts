import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import {
  canonicalJson,
  parseFastJson,
  stringifyFastJson,
  stringifyObjectKeyedMap,
} from '../../../src/protocol/fastjson.js';

const mqKey = '{"brokerName":"b","queueId":0,"topic":"t"}';

describe('parseFastJson', () => {
  it('reads unquoted numeric map keys (TopicRouteData brokerAddrs)', () => {
    const text =
      '{"orderTopicConf":null,"queueDatas":[{"brokerName":"broker-a","readQueueNums":4,"writeQueueNums":4,' +
      '"perm":6,"topicSysFlag":0}],"brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a",' +
      '"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}}],"filterServerTable":{}}';
    expect(parseFastJson(text)).toEqual({
      orderTopicConf: null,
      queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
      brokerDatas: [
        {
          cluster: 'DefaultCluster',
          brokerName: 'broker-a',
          brokerAddrs: { '0': '10.0.0.1:10911', '1': '10.0.0.2:10911' },
        },
      ],
      filterServerTable: {},
    });
  });

  it('reads consumer and delay offset tables', () => {
    expect(parseFastJson('{"offsetTable":{"topic@group":{0:12,1:7}}}')).toEqual({
      offsetTable: { 'topic@group': { '0': 12, '1': 7 } },
    });
    expect(parseFastJson('{"offsetTable":{1:0,2:5,-1:3}}')).toEqual({
      offsetTable: { '1': 0, '2': 5, '-1': 3 },
    });
  });

  it('reads MessageQueue object keys as their canonical JSON', () => {
    const text =
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"lastUpdateTimestamp":1,"maxOffset":5,"minOffset":0},' +
      '{"topic":"t","queueId":1,"brokerName":"b"}:{"maxOffset":9}}}';
    expect(parseFastJson(text)).toEqual({
      offsetTable: {
        [mqKey]: { lastUpdateTimestamp: 1, maxOffset: 5, minOffset: 0 },
        '{"brokerName":"b","queueId":1,"topic":"t"}': { maxOffset: 9 },
      },
    });
  });

  it('reads pretty-printed config files with tabs', () => {
    const text = '{\n\t"offsetTable":{\n\t\t"%RETRY%cg@cg":{0:0\n\t\t},\n\t\t"t@cg":{0:3,1:4\n\t\t}\n\t}\n}';
    expect(parseFastJson(text)).toEqual({
      offsetTable: { '%RETRY%cg@cg': { '0': 0 }, 't@cg': { '0': 3, '1': 4 } },
    });
  });

  it('reads single quotes, bare identifier keys, escapes and trailing commas', () => {
    expect(parseFastJson("{name:'it\\'s',\"u\":\"\\u00e9\\n\",list:[1,2,],'ok':true,}")).toEqual({
      name: "it's",
      u: 'é\n',
      list: [1, 2],
      ok: true,
    });
  });

  it('keeps a __proto__ key an ordinary entry', () => {
    const parsed = parseFastJson('{__proto__:{"polluted":1},0:1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['{"a":', '{"a" 1}', '[1 2]', '{"a":tru}', "'open", '{1:2} x', '{"a":"\\u12"}', ''])(
    'rejects %s with a ProtocolError',
    (text) => {
      expect(() => parseFastJson(text)).toThrow(ProtocolError);
    },
  );

  it('agrees with JSON.parse on standard JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseFastJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });
});

describe('writing', () => {
  it('stringifyFastJson is standard JSON', () => {
    expect(stringifyFastJson({ brokerAddrs: { 0: 'a' } })).toBe('{"brokerAddrs":{"0":"a"}}');
  });

  it('writes MessageQueue-keyed maps in fastjson form with sorted key fields, and reads them back', () => {
    const text = stringifyObjectKeyedMap([
      [{ topic: 't', queueId: 0, brokerName: 'b' }, { maxOffset: 5 }],
      [{ topic: 't', queueId: 1, brokerName: 'b' }, 7],
    ]);
    expect(text).toBe(`{${mqKey}:{"maxOffset":5},{"brokerName":"b","queueId":1,"topic":"t"}:7}`);
    expect(Object.keys(parseFastJson(text) as object)).toEqual([
      mqKey,
      '{"brokerName":"b","queueId":1,"topic":"t"}',
    ]);
  });

  it('canonicalJson sorts keys at every level and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});
