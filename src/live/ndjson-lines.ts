/** One line of an NDJSON body: its 1-based number and its text, or why it could not be read. */
export type NdjsonLine = { line: number; text: string } | { line: number; error: string };

/**
 * Split a byte stream into lines as it arrives, honouring the stream's backpressure (the caller's
 * pace decides how fast the body is read). Blank lines are skipped; a line longer than
 * `maxLineBytes` is reported as an error and skipped, never buffered whole.
 */
export async function* ndjsonLines(stream: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<NdjsonLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  const finish = function* (last: Buffer): Generator<NdjsonLine> {
    line++;
    const text = Buffer.concat([...pending, last]).toString('utf8').trim();
    if (tooLong) yield { line, error: `line is longer than ${maxLineBytes} bytes` };
    else if (text.length > 0) yield { line, text };
    pending = [];
    pendingBytes = 0;
    tooLong = false;
  };
  for await (const chunk of stream) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
      if (pendingBytes + nl > maxLineBytes) tooLong = true;
      yield* finish(tooLong ? Buffer.alloc(0) : buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    if (tooLong) continue;
    pendingBytes += buf.length;
    if (pendingBytes > maxLineBytes) {
      tooLong = true;
      pending = [];
    } else if (buf.length > 0) pending.push(buf);
  }
  if (pendingBytes > 0 || tooLong) yield* finish(Buffer.alloc(0));
}
