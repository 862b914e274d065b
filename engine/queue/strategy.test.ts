import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../workflow/load.ts';
import { queueModeFor } from './strategy.ts';

const flow = (settings: string) =>
  loadWorkflow(
    `name: t\nsettings:\n${settings}\nnodes:\n  - name: a\n    language: lua\n    run: |\n      return {}\nedges:\n  - {from: __start__, to: a}\n  - {from: a, to: __end__}\n`,
    'flow.yaml',
  );

describe('queue mode for a run', () => {
  it('--redis wins; strategy: remote takes FANOUT_REDIS_URL; otherwise local', () => {
    const remote = flow('  parallel:\n    strategy: remote');
    expect(queueModeFor(remote, 'redis://a:1', {})).toEqual({ remote: true, redisUrl: 'redis://a:1' });
    expect(queueModeFor(remote, undefined, { FANOUT_REDIS_URL: 'redis://b:2' })).toEqual({
      remote: true,
      redisUrl: 'redis://b:2',
    });
    expect(queueModeFor(remote, undefined, {})).toMatchObject({
      problems: [{ code: 'REMOTE_WITHOUT_REDIS' }],
    });
    expect(
      queueModeFor(flow('  parallel:\n    strategy: thread'), undefined, { FANOUT_REDIS_URL: 'redis://b:2' }),
    ).toEqual({
      remote: false,
    });
  });

  it('a Redis URL under settings.parallel is an error at its line, password hidden; elsewhere it is not ours', () => {
    const leaky = flow(
      '  parallel:\n    strategy: remote\n    remote:\n      url: "rediss://u:hunter2@r:6380"',
    );
    const mode = queueModeFor(leaky, undefined, { FANOUT_REDIS_URL: 'redis://b:2' });
    expect(mode).toMatchObject({
      problems: [{ code: 'REDIS_URL_IN_FILE', file: 'flow.yaml', line: 6, col: 12 }],
    });
    expect(JSON.stringify(mode)).not.toContain('hunter2');
    const ltm = flow('  ltm:\n    url: redis://cache:6379');
    expect(queueModeFor(ltm, undefined, {})).toEqual({ remote: false });
  });
});
