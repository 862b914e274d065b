// An incremental Server-Sent Events parser (WHATWG EventSource rules, reduced to what model APIs send):
// text arrives in arbitrary pieces; complete events come out. Lines are bounded, so a server that
// never sends a newline cannot grow the host.
import { MAX_SSE_LINE_BYTES } from '../limits.ts';

export interface SseEvent {
  /** `event:` field (Anthropic names its events; OpenAI sends none). */
  event?: string;
  /** The `data:` lines joined with "\n". */
  data: string;
}

export class SseLineTooLongError extends Error {}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;

  constructor(private readonly maxLine = MAX_SSE_LINE_BYTES) {}

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    const newline = /\r\n|\r|\n/g;
    for (;;) {
      newline.lastIndex = start;
      const m = newline.exec(this.buffer);
      if (!m) break;
      // A lone '\r' at the end may be the first half of '\r\n': wait for the next piece.
      if (m[0] === '\r' && m.index + 1 === this.buffer.length) break;
      const event = this.line(this.buffer.slice(start, m.index));
      start = m.index + m[0].length;
      if (event) out.push(event);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxLine) {
      throw new SseLineTooLongError(`an event-stream line is longer than ${this.maxLine} characters`);
    }
    return out;
  }

  /** End of stream: a final event without its blank line still counts (as browsers do not, servers forget). */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer !== '') {
      const event = this.line(this.buffer);
      if (event) out.push(event);
      this.buffer = '';
    }
    const last = this.dispatch();
    if (last) out.push(last);
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    return null;
  }

  private dispatch(): SseEvent | null {
    if (this.data.length === 0) {
      this.event = undefined;
      return null;
    }
    const event: SseEvent = { data: this.data.join('\n') };
    if (this.event !== undefined) event.event = this.event;
    this.data = [];
    this.event = undefined;
    return event;
  }
}
