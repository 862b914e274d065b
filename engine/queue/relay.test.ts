// What a worker streams back is checked before the host emits it in its run.
import { describe, expect, it } from 'vitest';
import { relayBranchEvent } from './remote-branches.ts';
import type { EventInput } from '../run/events.ts';

function relayed(message: string): EventInput[] {
  const out: EventInput[] = [];
  relayBranchEvent(message, { fanOut: 'src', branch: 'b1' }, (e) => out.push(e));
  return out;
}

describe('events streamed back from a queue worker', () => {
  it('are confined to the branch the job was for, whatever they claim', () => {
    const [e] = relayed(JSON.stringify({ type: 'node-started', node: 'n', fanOut: 'other', branch: 'b9' }));
    expect(e).toMatchObject({ type: 'node-started', node: 'n', fanOut: 'src', branch: 'b1' });
    const [started] = relayed(
      JSON.stringify({ type: 'branch-started', worker: 0, vmCreateMs: 3, remoteWorker: 'box-1' }),
    );
    expect(started).toMatchObject({ type: 'branch-started', remoteWorker: 'box-1', branch: 'b1' });
  });

  it('drop what is not one of the branch own events, or is malformed, deep or too big', () => {
    const deep = '{"a":'.repeat(300) + '1' + '}'.repeat(300);
    for (const message of [
      JSON.stringify({ type: 'run-finished', status: 'succeeded', ms: 1, state: {} }), // the host's to say
      JSON.stringify({ type: 'fan-in', fanOut: 'src', fanIn: 'j', results: [] }),
      JSON.stringify({ type: 'branch-finished', status: 'succeeded' }), // the host reports it from the result
      JSON.stringify({ type: 'log', level: 'warn', message: { not: 'text' } }),
      JSON.stringify({ type: 'node-finished', ms: 1, update: {} }), // no node
      JSON.stringify({ type: 'branch-started', vmCreateMs: 0, remoteWorker: 'x'.repeat(500) }),
      `{"type":"log","level":"info","message":"x","deep":${deep}}`,
      JSON.stringify({ type: 'log', level: 'info', message: 'x'.repeat(2 * 1024 * 1024) }),
      'not json',
      '[1,2]',
    ]) {
      expect(relayed(message)).toEqual([]);
    }
  });
});
