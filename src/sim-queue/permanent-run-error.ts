/** A failure retrying cannot fix: the run is marked FAILED at once. */
export class PermanentRunError extends Error {}
