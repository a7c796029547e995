import { GraphQLScalarType, Kind } from 'graphql';
import { JSONResolver } from 'graphql-scalars';

/**
 * DateTime: output as ISO-8601 UTC. Input is passed through as given (string or epoch number)
 * and checked where it is used, so that a bad timestamp in one state report rejects that report
 * instead of failing the whole request at variable coercion.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot represent ${JSON.stringify(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    if (typeof value === 'string' || typeof value === 'number') return value;
    throw new TypeError('DateTime must be an ISO-8601 string or epoch milliseconds');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return ast.value;
    if (ast.kind === Kind.INT) return Number(ast.value);
    throw new TypeError('DateTime must be an ISO-8601 string or epoch milliseconds');
  },
});

export { JSONResolver as JSONScalar };
