import type { Config } from '../config';
import type { Channel } from '../live/pubsub';
import type { ScenarioJobOutcome } from './scenario-job-observer';
import type { Attempt } from './scenario-processor';

/** What the processor thread needs to open its own store and model (structured-cloneable). */
export interface ProcessorThreadData {
  store: Pick<Config, 'neo4j' | 'dataDir' | 'topologyIndexMaxAssets' | 'queryTimeoutMs'>;
  history: Pick<Config, 'history' | 'dataDir'>;
  twinModel: string | undefined;
  logLevel: string;
  asOfMaxChanges: number;
}

export type ToThreadMessage = { type: 'run'; job: number; runId: string; attempt: Attempt } | { type: 'close' };

export type ToMainMessage =
  | { type: 'settled'; job: number; error?: { message: string; permanent: boolean } }
  | { type: 'publish'; channel: Channel; messages: unknown[] }
  | { type: 'jobFinished'; kind: string; outcome: ScenarioJobOutcome; seconds: number };
