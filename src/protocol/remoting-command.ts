/**
 * RocketMQ's RemotingCommand: the unit both sides exchange. Header values in `extFields` are strings, as
 * RocketMQ sends them; typed header codecs in `headers/` convert to and from them.
 */
export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeType = (typeof SerializeType)[keyof typeof SerializeType];

/** RocketMQ's LanguageCode ordinals; JSON headers carry the name, ROCKETMQ headers the byte. */
export const LANGUAGE_NAMES = [
  'JAVA',
  'CPP',
  'DOTNET',
  'PYTHON',
  'DELPHI',
  'ERLANG',
  'RUBY',
  'OTHER',
  'HTTP',
  'GO',
  'PHP',
  'OMS',
  'RUST',
] as const;
export type LanguageName = (typeof LANGUAGE_NAMES)[number];
/** What we announce ourselves as: OTHER, so Java peers take no Java-only code paths. */
export const OUR_LANGUAGE = 7;
/** MQVersion ordinal we announce (V4_9_8): peers enable every 4.x feature for us. */
export const OUR_VERSION = 409;

export const RPC_TYPE_RESPONSE = 0b01;
export const RPC_ONEWAY = 0b10;

export type ExtFields = Record<string, string>;

export interface RemotingCommand {
  readonly code: number;
  /** LanguageCode ordinal (see LANGUAGE_NAMES). */
  readonly language: number;
  readonly version: number;
  readonly opaque: number;
  readonly flag: number;
  readonly remark?: string | undefined;
  readonly extFields?: ExtFields | undefined;
  readonly body?: Uint8Array | undefined;
  /** How the header was (or will be) serialised; a response is sent the way its request came. */
  readonly serializeType: SerializeType;
}

export const isResponse = (cmd: RemotingCommand): boolean => (cmd.flag & RPC_TYPE_RESPONSE) !== 0;
export const isOneway = (cmd: RemotingCommand): boolean => (cmd.flag & RPC_ONEWAY) !== 0;

export interface RequestInit {
  readonly extFields?: ExtFields | undefined;
  readonly body?: Uint8Array | undefined;
  readonly remark?: string | undefined;
  readonly oneway?: boolean;
  readonly serializeType?: SerializeType;
}

/** A request with opaque 0; the remoting client assigns the real opaque when it sends. */
export function createRequest(code: number, init: RequestInit = {}): RemotingCommand {
  return {
    code,
    language: OUR_LANGUAGE,
    version: OUR_VERSION,
    opaque: 0,
    flag: init.oneway ? RPC_ONEWAY : 0,
    remark: init.remark,
    extFields: init.extFields,
    body: init.body,
    serializeType: init.serializeType ?? SerializeType.JSON,
  };
}

export interface ResponseInit {
  readonly remark?: string | undefined;
  readonly extFields?: ExtFields | undefined;
  readonly body?: Uint8Array | undefined;
}

/** The response to `request`: same opaque and serialisation, response bit set. */
export function createResponse(
  request: RemotingCommand,
  code: number,
  init: ResponseInit = {},
): RemotingCommand {
  return {
    code,
    language: OUR_LANGUAGE,
    version: OUR_VERSION,
    opaque: request.opaque,
    flag: RPC_TYPE_RESPONSE,
    remark: init.remark,
    extFields: init.extFields,
    body: init.body,
    serializeType: request.serializeType,
  };
}
