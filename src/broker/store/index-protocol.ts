import type { IndexGeometry } from './index-file.js';
import type { IndexQueryResult } from './index-service.js';

/** Where one store keeps its index and its CommitLog. */
export interface IndexStoreFiles {
  readonly indexDir: string;
  readonly geometry: IndexGeometry;
  readonly commitLogDir: string;
  readonly commitLogFileSize: number;
}

/**
 * What a store asks of its session on the index thread. `through`: the CommitLog offset the index must have
 * taken before the request runs (what reput has dispatched), so that a key is found once its message is
 * consumable.
 */
export type IndexOp =
  | { readonly op: 'open'; readonly id: number; readonly files: IndexStoreFiles }
  | { readonly op: 'indexTo'; readonly end: number }
  | { readonly op: 'startFrom'; readonly id: number; readonly offset: number }
  | {
      readonly op: 'query';
      readonly id: number;
      readonly through: number;
      readonly topic: string;
      readonly key: string;
      readonly maxNum: number;
      readonly begin: number;
      readonly end: number;
    }
  | { readonly op: 'flush'; readonly id: number; readonly through: number }
  | { readonly op: 'truncateBeyond'; readonly id: number; readonly commitLogEnd: number }
  | { readonly op: 'deleteExpired'; readonly id: number; readonly commitLogMinOffset: number }
  | { readonly op: 'close'; readonly id: number; readonly through: number };

/** A session's answer to a request, or a line it wants logged. */
export type IndexSessionReply =
  | { readonly kind: 'done'; readonly id: number; readonly flushedTimestamp: number }
  | { readonly kind: 'found'; readonly id: number; readonly result: IndexQueryResult }
  | { readonly kind: 'error'; readonly id: number; readonly error: string }
  | {
      readonly kind: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly fields: Record<string, unknown>;
      readonly message: string;
    };

/** On the wire, every message names the store's session on the shared thread. */
export type IndexRequest = IndexOp & { readonly session: number };
export type IndexReply = IndexSessionReply & { readonly session: number };
