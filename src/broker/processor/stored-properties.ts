import {
  MessageProperty,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  decodeProperties,
  encodeProperties,
  propertyValue,
} from '../../protocol/properties.js';

/**
 * The properties a single send is stored with: the producer's, less WAIT (it only steers the answer; RocketMQ
 * 4.9 stopped storing it), plus CLUSTER (the broker's cluster name, as RocketMQ adds it) and a UNIQ_KEY when
 * the client sent none, so every stored message can be found by id. The common case edits the string
 * instead of decoding and re-encoding it.
 */
export function storedProperties(sent: string, cluster: string, nextUniqKey: () => string): string {
  const kept =
    propertyValue(sent, MessageProperty.WAIT) === undefined ? sent : without(sent, MessageProperty.WAIT);
  if (propertyValue(kept, MessageProperty.CLUSTER) === undefined && hasUniqKey(kept)) {
    const separator = kept.length === 0 || kept.endsWith(PROPERTY_SEPARATOR) ? '' : PROPERTY_SEPARATOR;
    return `${kept}${separator}${MessageProperty.CLUSTER}${NAME_VALUE_SEPARATOR}${cluster}`;
  }
  const props = decodeProperties(kept);
  props.set(MessageProperty.CLUSTER, cluster);
  if (!props.get(MessageProperty.UNIQ_KEY)) props.set(MessageProperty.UNIQ_KEY, nextUniqKey());
  return encodeProperties(props);
}

/** The properties string with every `name` entry dropped and the rest as they were. */
const without = (properties: string, name: string): string => {
  const prefix = `${name}${NAME_VALUE_SEPARATOR}`;
  return properties
    .split(PROPERTY_SEPARATOR)
    .filter((entry) => !entry.startsWith(prefix))
    .join(PROPERTY_SEPARATOR);
};

/**
 * One message of a batch: its own properties (its UNIQ_KEY, TAGS, KEYS) plus the batch's, as RocketMQ 4.9's
 * batch encoder appends the batch properties (WAIT, CLUSTER) to every inner message. A message's own value
 * wins over the batch's, except CLUSTER, so a stray UNIQ_KEY on the batch cannot give all of them one id.
 */
export function storedBatchEntryProperties(
  own: ReadonlyMap<string, string>,
  batch: ReadonlyMap<string, string>,
  nextUniqKey: () => string,
): string {
  const props = new Map(own);
  for (const [name, value] of batch) {
    if (name === MessageProperty.CLUSTER || !props.has(name)) props.set(name, value);
  }
  if (!props.get(MessageProperty.UNIQ_KEY)) props.set(MessageProperty.UNIQ_KEY, nextUniqKey());
  return encodeProperties(props);
}

const hasUniqKey = (properties: string): boolean => {
  const uniqKey = propertyValue(properties, MessageProperty.UNIQ_KEY);
  return uniqKey !== undefined && uniqKey.length > 0;
};
