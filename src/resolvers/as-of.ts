import { AsOfTopology } from '../graph/as-of-topology';
import type { TopologyReader } from '../graph/ports/topology-store';
import { optionalDateTimeArg } from './arguments';
import type { RequestContext } from './context';
import { createLoaders, type Loaders } from './loaders';

/**
 * Where a field reads topology from: the store as it is now, or an AsOfTopology view of it at
 * an `asOf` argument. A view is opened once per request and moment, and what its loaders return
 * carries `asOf`, so that fields below it (relationships, endpoints, hops, dependents) read the
 * same moment without repeating the argument.
 */
export interface TopologyScope {
  topology: TopologyReader;
  loaders: Loaders;
  asOf?: string;
}

/** The scope of `asOf` (ISO, or undefined: now). */
export function scopeAt(ctx: RequestContext, asOf: string | undefined): Promise<TopologyScope> {
  if (asOf === undefined) return Promise.resolve({ topology: ctx.store, loaders: ctx.loaders });
  let scope = ctx.asOfScopes.get(asOf);
  if (!scope) {
    scope = AsOfTopology.open(ctx.store, ctx.model, asOf, ctx.config.history.asOfMaxChanges).then((view) => ({
      topology: view,
      loaders: createLoaders(ctx.store, ctx.history, { topology: view, asOf }),
      asOf,
    }));
    ctx.asOfScopes.set(asOf, scope);
  }
  return scope;
}

/** The scope of an `asOf` argument as given to a field. */
export const scopeOfArg = (ctx: RequestContext, asOf: unknown): Promise<TopologyScope> => scopeAt(ctx, optionalDateTimeArg(asOf, 'asOf'));
