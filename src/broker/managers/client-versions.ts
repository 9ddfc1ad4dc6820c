import type { RemotingCommand } from '../../protocol/remoting-command.js';
import { LANGUAGE_NAMES } from '../../protocol/remoting-command.js';
import type { Channel } from '../../remoting/channel.js';

export interface ClientVersion {
  /** LanguageCode name, e.g. JAVA. */
  readonly language: string;
  readonly version: number;
}

/**
 * The language and version each client channel last sent a heartbeat with: consumerConnection shows them,
 * and the consumer table keeps only ids and channels. Entries leave with their channel.
 */
export class ClientVersions {
  private readonly byChannel = new Map<number, ClientVersion>();

  record(request: RemotingCommand, channel: Channel): void {
    if (!this.byChannel.has(channel.id)) {
      channel.closed$.subscribe(() => {
        this.byChannel.delete(channel.id);
      });
    }
    this.byChannel.set(channel.id, {
      language: LANGUAGE_NAMES[request.language] ?? 'OTHER',
      version: request.version,
    });
  }

  of(channelId: number): ClientVersion | undefined {
    return this.byChannel.get(channelId);
  }
}
