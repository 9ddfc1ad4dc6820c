import { dataVersionJson } from '../../protocol/headers/namesrv-bodies.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import { BROKER_CONFIG_KEYS, type BrokerConfig } from '../config.js';
import type { DataVersion } from '../managers/data-version.js';

/** Java's MixAll.properties2String: one key=value line per setting that has a value. */
export function brokerConfigText(config: BrokerConfig): string {
  let text = '';
  for (const key of BROKER_CONFIG_KEYS) {
    const value = config[key];
    if (value !== undefined) text += `${key}=${String(value)}\n`;
  }
  return text;
}

/**
 * GET_BROKER_CONFIG (26), which mqadmin's getBrokerConfig and dashboards ask: the settings in effect (bound
 * ports included) as properties text, and the configuration's data version in the `version` header. The
 * settings never change while the broker runs, so neither does the version.
 */
export function createGetBrokerConfigProcessor(config: BrokerConfig, version: DataVersion): RequestProcessor {
  const body = Buffer.from(brokerConfigText(config), 'utf8');
  const extFields = { version: dataVersionJson(version) };
  return (request) => [createResponse(request, ResponseCode.SUCCESS, { body, extFields })];
}
