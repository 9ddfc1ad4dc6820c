import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import type { BrokerConfig } from './config.js';
import { RegisterService, type RegisterServiceDeps, clampRegisterPeriod } from './register-service.js';

export interface NameServerRegistrationDeps {
  readonly config: Pick<
    BrokerConfig,
    | 'namesrvAddr'
    | 'brokerName'
    | 'brokerClusterName'
    | 'brokerId'
    | 'brokerPermission'
    | 'compressedRegister'
    | 'registerNameServerPeriod'
    | 'registerBrokerTimeoutMills'
  >;
  readonly remoting: RegisterServiceDeps['remoting'];
  /** "brokerIP1:port" as bound. */
  readonly address: string;
  /** "brokerIP2:haPort" as bound. */
  readonly haAddress: string;
  readonly topics: RegisterServiceDeps['topics'];
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

const namesrvAddressesOf = (namesrvAddr: string | undefined): string[] =>
  (namesrvAddr ?? '')
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);

/** The broker's registration with every name server listed in namesrvAddr. */
export function nameServerRegistration(deps: NameServerRegistrationDeps): RegisterService {
  const { config } = deps;
  return new RegisterService({
    remoting: deps.remoting,
    namesrvAddresses: namesrvAddressesOf(config.namesrvAddr),
    identity: {
      brokerName: config.brokerName,
      brokerAddr: deps.address,
      clusterName: config.brokerClusterName,
      brokerId: config.brokerId,
    },
    haServerAddr: deps.haAddress,
    topics: deps.topics,
    brokerPermission: config.brokerPermission,
    compressed: config.compressedRegister,
    periodMs: clampRegisterPeriod(config.registerNameServerPeriod),
    timeoutMs: config.registerBrokerTimeoutMills,
    logger: deps.logger.child({ component: 'register' }),
    scheduler: deps.scheduler,
  });
}
