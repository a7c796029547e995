import { guardMutations, guardQueries } from './authorize';
import type { Resolvers } from '../generated/graphql';
import { auditQuery } from './audit';
import { historyQuery, historyTypes } from './history';
import { liveAudited, liveMutation, liveQuery } from './live';
import { Mutation, mutationAudited } from './mutation';
import { Query } from './query';
import { scenarioAudited, scenarioMutation, scenarioQuery, scenarioTypes } from './scenario';
import { Subscription } from './subscription';
import { typeResolvers } from './types';

/** Every mutation is role-checked and audited; queries and subscriptions need any authenticated caller. */
export const resolvers: Resolvers = {
  ...typeResolvers,
  ...scenarioTypes,
  Asset: { ...typeResolvers.Asset, ...scenarioTypes.Asset, ...historyTypes.Asset },
  Query: guardQueries({ ...Query, ...liveQuery, ...scenarioQuery, ...auditQuery, ...historyQuery }),
  Mutation: guardMutations({ ...Mutation, ...liveMutation, ...scenarioMutation }, { ...mutationAudited, ...liveAudited, ...scenarioAudited }),
  Subscription,
};
