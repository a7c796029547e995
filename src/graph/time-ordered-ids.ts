/** Width of the zero-padded parts of an id, so that ids compare as strings in time order. */
const MS_DIGITS = 15;
const SEQ_DIGITS = 6;

/**
 * Ids for records listed newest or oldest first (quarantined reports, audit entries):
 * `<ms since epoch, 15 digits>-<sequence within that ms, 6 digits>-<random>`. Compared as strings
 * they sort by time; within one process strictly in creation order (the clock reading never goes
 * backwards here), across processes unique thanks to the random part.
 */
export class TimeOrderedIds {
  private lastMs = 0;
  private seq = 0;

  next(nowMs: number = Date.now()): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.seq = 0;
    } else if (++this.seq >= 10 ** SEQ_DIGITS) {
      this.lastMs += 1;
      this.seq = 0;
    }
    const random = Math.floor(Math.random() * 36 ** 8).toString(36).padStart(8, '0');
    return `${String(this.lastMs).padStart(MS_DIGITS, '0')}-${String(this.seq).padStart(SEQ_DIGITS, '0')}-${random}`;
  }
}
