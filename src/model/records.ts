/**
 * What callers write into a twin, as the model validates it (src/model/validate.ts) and the
 * stores accept it (src/graph/types.ts re-exports these). Kept in the bottom layer so that
 * validation needs nothing above it.
 */

/** A property value: a scalar, or a list of scalars of one type (what a Neo4j property can hold). */
export type Scalar = string | number | boolean;
export type PropertyValue = Scalar | Scalar[];
export type Properties = Record<string, PropertyValue>;

/** An asset as written by callers. In `properties`, a null value removes that key. */
export interface AssetWrite {
  id: string;
  kind: string;
  name?: string | null;
  properties?: Record<string, PropertyValue | null>;
}

export interface RelationshipKey {
  from: string;
  to: string;
  type: string;
}

export interface RelationshipWrite extends RelationshipKey {
  properties?: Properties;
}
