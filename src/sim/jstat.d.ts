/**
 * jstat ships no type declarations; this declares the part of it that src/sim uses (the quantile
 * functions behind CALIBRATE's intervals, see calibrate.ts).
 */
declare module 'jstat' {
  export const jStat: {
    beta: {
      /** Quantile of Beta(alpha, beta) at probability `p`. */
      inv(p: number, alpha: number, beta: number): number;
    };
    chisquare: {
      /** Quantile of the chi-square distribution with `dof` degrees of freedom at probability `p`. */
      inv(p: number, dof: number): number;
    };
  };
}
