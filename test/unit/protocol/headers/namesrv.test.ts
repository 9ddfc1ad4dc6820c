import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/protocol/bad-request-error.js';
import {
  decodeGetRouteInfoRequestHeader,
  decodeRegisterBrokerRequestHeader,
  encodeRegisterBrokerRequestHeader,
  encodeRegisterBrokerResponseHeader,
} from '../../../../src/protocol/headers/namesrv.js';
import {
  decodeClusterInfo,
  decodeKvTable,
  decodeTopicList,
  decodeTopicRouteData,
  encodeClusterInfo,
  encodeKvTable,
  encodeTopicList,
  encodeTopicRouteData,
  type TopicRouteData,
} from '../../../../src/protocol/headers/namesrv-bodies.js';
import {
  type RegisterBrokerBody,
  decodeRegisterBrokerBody,
  encodeRegisterBrokerBody,
  maskedCrc32,
} from '../../../../src/protocol/headers/register-broker-body.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

const body: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    topicConfigTable: {
      TopicTest: {
        topicName: 'TopicTest',
        readQueueNums: 4,
        writeQueueNums: 4,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
      },
      TBW102: {
        topicName: 'TBW102',
        readQueueNums: 8,
        writeQueueNums: 8,
        perm: 7,
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
      },
    },
    dataVersion: { timestamp: 1690000000000, counter: 3 },
  },
  filterServerList: [],
};

describe('RegisterBroker headers', () => {
  it('round-trips the request header; compressed and bodyCrc32 are optional', () => {
    const header = {
      brokerName: 'broker-a',
      brokerAddr: '10.0.0.1:10911',
      clusterName: 'DefaultCluster',
      brokerId: 1,
      haServerAddr: '10.0.0.1:10912',
      compressed: true,
      bodyCrc32: 12345,
    };
    expect(decodeRegisterBrokerRequestHeader(encodeRegisterBrokerRequestHeader(header))).toEqual(header);
    const rest = encodeRegisterBrokerRequestHeader(header);
    delete rest.compressed;
    delete rest.bodyCrc32;
    expect(decodeRegisterBrokerRequestHeader(rest)).toMatchObject({ compressed: false, bodyCrc32: 0 });
    expect(() => decodeRegisterBrokerRequestHeader({ ...rest, brokerId: 'x' })).toThrow(BadRequestError);
    expect(() => decodeRegisterBrokerRequestHeader({ brokerName: 'b' })).toThrow(/brokerAddr/);
  });

  it('leaves out empty master fields in the response header', () => {
    expect(encodeRegisterBrokerResponseHeader({})).toEqual({});
    expect(encodeRegisterBrokerResponseHeader({ masterAddr: 'm:1', haServerAddr: 'm:2' })).toEqual({
      masterAddr: 'm:1',
      haServerAddr: 'm:2',
    });
  });

  it('reads acceptStandardJsonOnly as an optional boolean', () => {
    expect(decodeGetRouteInfoRequestHeader({ topic: 'T' })).toEqual({
      topic: 'T',
      acceptStandardJsonOnly: undefined,
    });
    expect(
      decodeGetRouteInfoRequestHeader({ topic: 'T', acceptStandardJsonOnly: 'true' }).acceptStandardJsonOnly,
    ).toBe(true);
  });
});

describe('RegisterBrokerBody', () => {
  it('reads the JSON a Java broker sends, fastjson quirks included', () => {
    const java =
      '{\'filterServerList\':[],topicConfigSerializeWrapper:{"dataVersion":{"counter":3,"timestamp":1690000000000},' +
      '"topicConfigTable":{"TopicTest":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG",' +
      '"topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4},"TBW102":{"perm":7,"readQueueNums":8,' +
      '"writeQueueNums":8}}}}';
    expect(decodeRegisterBrokerBody(utf8(java), false)).toEqual(body);
  });

  it('round-trips the plain form', () => {
    expect(decodeRegisterBrokerBody(encodeRegisterBrokerBody(body, false), false)).toEqual(body);
  });

  it('reads the compressed form byte by byte as Java writes it', () => {
    const parts: Buffer[] = [];
    const text = (s: string) => {
      const b = utf8(s);
      const len = Buffer.alloc(4);
      len.writeInt32BE(b.length);
      parts.push(len, b);
    };
    text('{"counter":3,"timestamp":1690000000000}');
    parts.push(Buffer.from([0, 0, 0, 2]));
    text('TopicTest 4 4 6 SINGLE_TAG');
    text('TBW102 8 8 7 SINGLE_TAG {"+message.type":"NORMAL"}');
    text('["10.0.0.1:30000"]');
    const decoded = decodeRegisterBrokerBody(deflateSync(Buffer.concat(parts), { level: 9 }), true);
    expect(decoded).toEqual({ ...body, filterServerList: ['10.0.0.1:30000'] });
  });

  it('round-trips the compressed form (topicSysFlag and order are not carried, as in Java)', () => {
    const withFlags: RegisterBrokerBody = {
      ...body,
      topicConfigSerializeWrapper: {
        ...body.topicConfigSerializeWrapper,
        topicConfigTable: {
          O: {
            ...body.topicConfigSerializeWrapper.topicConfigTable.TopicTest!,
            topicName: 'O',
            order: true,
            topicSysFlag: 1,
          },
        },
      },
    };
    const decoded = decodeRegisterBrokerBody(encodeRegisterBrokerBody(withFlags, true), true);
    expect(decoded.topicConfigSerializeWrapper.topicConfigTable.O).toMatchObject({
      order: false,
      topicSysFlag: 0,
      perm: 6,
    });
    expect(decoded.topicConfigSerializeWrapper.dataVersion).toEqual(
      body.topicConfigSerializeWrapper.dataVersion,
    );
  });

  it('rejects damaged compressed bodies with a BadRequestError', () => {
    expect(() => decodeRegisterBrokerBody(utf8('not zlib'), true)).toThrow(BadRequestError);
    const truncated = deflateSync(Buffer.from([0, 0, 0, 50, 1, 2]));
    expect(() => decodeRegisterBrokerBody(truncated, true)).toThrow(/RegisterBrokerBody/);
    const good = encodeRegisterBrokerBody(body, true);
    expect(() => decodeRegisterBrokerBody(good.subarray(0, good.length - 3), true)).toThrow(BadRequestError);
  });

  it('computes the masked CRC32 RocketMQ puts in bodyCrc32', () => {
    // java.util.zip.CRC32 of "123456789" is 0xCBF43926; masked with 0x7FFFFFFF
    expect(maskedCrc32(utf8('123456789'))).toBe(0xcbf43926 & 0x7fffffff);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const crc = maskedCrc32(bytes);
        return crc >= 0 && crc <= 0x7fffffff;
      }),
      { numRuns: 100 },
    );
  });
});

describe('name server bodies', () => {
  const route: TopicRouteData = {
    queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
    brokerDatas: [
      { cluster: 'c', brokerName: 'broker-a', brokerAddrs: { '0': 'a:1', '10': 'b:1', '2': 'c:1' } },
    ],
    filterServerTable: { 'a:1': ['f:1'] },
  };

  it('TopicRouteData reads back from both key styles', () => {
    expect(decodeTopicRouteData(encodeTopicRouteData(route, 'standard'))).toEqual(route);
    expect(decodeTopicRouteData(encodeTopicRouteData(route, 'fastjson'))).toEqual(route);
    expect(encodeTopicRouteData(route, 'fastjson').toString()).toContain('{0:"a:1",2:"c:1",10:"b:1"}');
  });

  it('TopicRouteData reads the old topicSynFlag spelling', () => {
    const old =
      '{"brokerDatas":[],"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"topicSynFlag":2,"writeQueueNums":1}]}';
    expect(decodeTopicRouteData(utf8(old)).queueDatas[0]?.topicSysFlag).toBe(2);
  });

  it('ClusterInfo is standard JSON', () => {
    const info = {
      brokerAddrTable: { 'broker-a': route.brokerDatas[0]! },
      clusterAddrTable: { c: ['broker-a'] },
    };
    const json = encodeClusterInfo(info).toString();
    expect(JSON.parse(json)).toEqual(info);
    expect(decodeClusterInfo(utf8(json))).toEqual(info);
  });

  it('TopicList and KVTable', () => {
    expect(encodeTopicList({ topicList: ['a', 'b'] }).toString()).toBe('{"topicList":["a","b"]}');
    expect(decodeTopicList(encodeTopicList({ topicList: ['x'], brokerAddr: 'h:1' }))).toEqual({
      topicList: ['x'],
      brokerAddr: 'h:1',
    });
    expect(encodeKvTable({ table: { b: '2', a: '1' } }).toString()).toBe('{"table":{"a":"1","b":"2"}}');
    expect(decodeKvTable(utf8('{"table":{"k":"v"}}'))).toEqual({ table: { k: 'v' } });
  });
});

describe('name server bodies, property-based', () => {
  const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/\s/.test(s));
  const topicConfig = fc.record({
    topicName: name,
    readQueueNums: fc.integer({ min: 0, max: 64 }),
    writeQueueNums: fc.integer({ min: 0, max: 64 }),
    perm: fc.integer({ min: 0, max: 7 }),
    topicFilterType: fc.constantFrom('SINGLE_TAG' as const, 'MULTI_TAG' as const),
    topicSysFlag: fc.constant(0),
    order: fc.constant(false),
  });
  const registerBody = fc.record({
    topicConfigSerializeWrapper: fc.record({
      topicConfigTable: fc
        .array(topicConfig, { maxLength: 6 })
        .map((ts) => Object.fromEntries(ts.map((t) => [t.topicName, t]))),
      dataVersion: fc.record({ timestamp: fc.nat(), counter: fc.nat() }),
    }),
    filterServerList: fc.array(name, { maxLength: 3 }),
  });

  it('RegisterBrokerBody round-trips in both forms', () => {
    fc.assert(
      fc.property(registerBody, fc.boolean(), (b, compressed) => {
        expect(decodeRegisterBrokerBody(encodeRegisterBrokerBody(b, compressed), compressed)).toEqual(b);
      }),
      { numRuns: 100 },
    );
  });

  it('TopicRouteData reads back the same from either key style', () => {
    const route = fc.record({
      queueDatas: fc.array(
        fc.record({
          brokerName: fc.string(),
          readQueueNums: fc.nat(64),
          writeQueueNums: fc.nat(64),
          perm: fc.nat(7),
          topicSysFlag: fc.nat(3),
        }),
        { maxLength: 3 },
      ),
      brokerDatas: fc.array(
        fc.record({
          cluster: fc.string(),
          brokerName: fc.string(),
          brokerAddrs: fc.dictionary(fc.nat(20).map(String), fc.string(), { maxKeys: 3 }),
        }),
        { maxLength: 3 },
      ),
      filterServerTable: fc.constant({}),
    });
    fc.assert(
      fc.property(route, (r) => {
        const standard = encodeTopicRouteData(r, 'standard');
        expect(JSON.parse(standard.toString())).toEqual(decodeTopicRouteData(standard));
        expect(decodeTopicRouteData(encodeTopicRouteData(r, 'fastjson'))).toEqual(
          decodeTopicRouteData(standard),
        );
        expect(decodeTopicRouteData(standard)).toEqual(r);
      }),
      { numRuns: 100 },
    );
  });
});

describe('hostile keys', () => {
  it('keeps a "__proto__" topic an ordinary entry', () => {
    const json =
      '{"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"timestamp":1},' +
      '"topicConfigTable":{"__proto__":{"topicName":"__proto__","perm":6,"readQueueNums":1,"writeQueueNums":1}}}}';
    const table = decodeRegisterBrokerBody(utf8(json), false).topicConfigSerializeWrapper.topicConfigTable;
    expect(Object.keys(table)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
  });
});
