import type { IndexGeometry } from './index-file.js';
import type { IndexQueryResult } from './index-service.js';

/** What the index thread is started with. */
export interface IndexWorkerData {
  readonly indexDir: string;
  readonly geometry: IndexGeometry;
  readonly commitLogDir: string;
  readonly commitLogFileSize: number;
}

/**
 * Requests to the index thread. `through`: the CommitLog offset the index must have taken before the
 * request runs (what reput has dispatched), so that a key is found once its message is consumable.
 */
export type IndexRequest =
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

export type IndexReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'done'; readonly id: number; readonly flushedTimestamp: number }
  | { readonly kind: 'found'; readonly id: number; readonly result: IndexQueryResult }
  | { readonly kind: 'error'; readonly id: number; readonly error: string }
  | {
      readonly kind: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly fields: Record<string, unknown>;
      readonly message: string;
    };
