import {
  MessageProperty,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  decodeProperties,
  encodeProperties,
  propertyValue,
} from '../../protocol/properties.js';

/**
 * The properties a single send is stored with: the producer's string as sent, plus CLUSTER (RocketMQ's
 * broker adds its cluster name to every message) and a UNIQ_KEY when the client sent none, so every stored
 * message can be found by id. The common case appends to the string instead of re-encoding it.
 */
export function storedProperties(sent: string, cluster: string, nextUniqKey: () => string): string {
  if (propertyValue(sent, MessageProperty.CLUSTER) === undefined && hasUniqKey(sent)) {
    const separator = sent.length === 0 || sent.endsWith(PROPERTY_SEPARATOR) ? '' : PROPERTY_SEPARATOR;
    return `${sent}${separator}${MessageProperty.CLUSTER}${NAME_VALUE_SEPARATOR}${cluster}`;
  }
  const props = decodeProperties(sent);
  props.set(MessageProperty.CLUSTER, cluster);
  if (!props.get(MessageProperty.UNIQ_KEY)) props.set(MessageProperty.UNIQ_KEY, nextUniqKey());
  return encodeProperties(props);
}

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
