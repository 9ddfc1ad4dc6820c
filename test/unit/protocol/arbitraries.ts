import fc from 'fast-check';
import type { ExtFields, RemotingCommand, SerializeType } from '../../../src/protocol/remoting-command.js';

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const short = fc.integer({ min: -0x8000, max: 0x7fff });
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

const extFields: fc.Arbitrary<ExtFields> = fc.dictionary(
  text(12).filter((k) => k !== '__proto__'),
  text(40),
  { maxKeys: 8 },
);

/** Commands whose every field survives both serialisations (ROCKETMQ's fields are shorts where noted). */
export const commandArb = (serializeType: SerializeType): fc.Arbitrary<RemotingCommand> =>
  fc.record({
    code: short,
    language: fc.integer({ min: 0, max: 12 }),
    version: short,
    opaque: int32,
    flag: int32,
    remark: fc.option(
      text(60).filter((r) => r.length > 0),
      { nil: undefined },
    ),
    extFields: fc.option(extFields, { nil: undefined }),
    body: fc.option(
      fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b) => Buffer.from(b)),
      { nil: undefined },
    ),
    serializeType: fc.constant(serializeType),
  });

export const anyCommandArb = fc.oneof(commandArb(0), commandArb(1));

/** What a command reads back as: an empty map is no map in the ROCKETMQ header. */
export function normalised(cmd: RemotingCommand): RemotingCommand {
  const emptyExt = cmd.extFields !== undefined && Object.keys(cmd.extFields).length === 0;
  return { ...cmd, extFields: cmd.serializeType === 1 && emptyExt ? undefined : cmd.extFields };
}
