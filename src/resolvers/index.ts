import type { Resolvers } from '../generated/graphql';
import { liveMutation, liveQuery } from './live';
import { Mutation } from './mutation';
import { Query } from './query';
import { scenarioMutation, scenarioQuery, scenarioTypes } from './scenario';
import { Subscription } from './subscription';
import { typeResolvers } from './types';

export const resolvers: Resolvers = {
  ...typeResolvers,
  ...scenarioTypes,
  Asset: { ...typeResolvers.Asset, ...scenarioTypes.Asset },
  Query: { ...Query, ...liveQuery, ...scenarioQuery },
  Mutation: { ...Mutation, ...liveMutation, ...scenarioMutation },
  Subscription,
};
