import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionError, ActionRegistry, createDefaultRegistry, sharedRegistry } from './index.ts';
import type { ActionContext } from './index.ts';

function makeCtx(baseDir: string, extra: Partial<ActionContext> = {}): ActionContext {
  return { baseDir, node: 'test_node', runId: 'run-1', memory: new Map(), ...extra };
}

const registry = createDefaultRegistry();

describe('ActionRegistry', () => {
  it('registers, lists and describes actions', async () => {
    const r = new ActionRegistry();
    r.register('my.echo', (p) => ({ echoed: p['x'] }), { description: 'Echo x', params: { x: 'anything' } });
    expect(r.has('my.echo')).toBe(true);
    expect(r.names()).toEqual(['my.echo']);
    expect(r.info('my.echo')).toEqual({ name: 'my.echo', description: 'Echo x', params: { x: 'anything' } });
    expect(r.info('nope')).toBeUndefined();
    expect(await r.call('my.echo', { x: 5 }, makeCtx('/'))).toEqual({ echoed: 5 });
  });

  it('refuses duplicate names unless replace is set', async () => {
    const r = new ActionRegistry();
    r.register('a', () => 1);
    expect(() => r.register('a', () => 2)).toThrow(/already registered/);
    r.register('a', () => 3, { replace: true });
    expect(await r.call('a', {}, makeCtx('/'))).toBe(3);
  });

  it('unknown action error is one short line naming the node and the action, with close names', async () => {
    const err = await registry.call('json.parsee', {}, makeCtx('/')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).action).toBe('json.parsee');
    expect((err as Error).message).toBe(
      "node 'test_node': action 'json.parsee' is not available in Fanout (see docs/compat.md); did you mean 'json.parse'?",
    );
    // llm.call is Fanout's now (engine/llm): a2a.send stands for an action Fanout does not have.
    const far = await registry.call('a2a.send', {}, makeCtx('/')).catch((e: unknown) => e);
    expect((far as Error).message).toBe(
      "node 'test_node': action 'a2a.send' is not available in Fanout (see docs/compat.md)",
    );
  });

  it('wraps handler failures in ActionError and refuses calls after abort', async () => {
    const r = new ActionRegistry();
    r.register('boom', async () => {
      throw new TypeError('bad thing');
    });
    await expect(r.call('boom', {}, makeCtx('/'))).rejects.toThrow(
      "Action 'boom' failed in node 'test_node': bad thing",
    );
    const ac = new AbortController();
    ac.abort();
    await expect(r.call('boom', {}, makeCtx('/', { signal: ac.signal }))).rejects.toThrow(/aborted/);
  });

  it('RUST-030-UNIT-004 ActionRegistry is shared', async () => {
    const first = sharedRegistry;
    const second = (await import('./index.ts')).sharedRegistry;
    expect(second).toBe(first);
    const name = `test.unit004.${process.pid}`;
    first.register(name, (p) => ({ doubled: (p['n'] as number) * 2 }));
    expect(second.has(name)).toBe(true);
    expect(await second.call(name, { n: 21 }, makeCtx('/'))).toEqual({ doubled: 42 });
    // Built-ins are there too, and a fresh default registry does not see the custom action.
    expect(second.has('json.parse')).toBe(true);
    expect(createDefaultRegistry().has(name)).toBe(false);
  });

  it('RUST-030-INT-005 ActionRegistry lookup under contention', async () => {
    const r = createDefaultRegistry();
    r.register('test.slow_square', async (p) => {
      const n = p['n'] as number;
      await new Promise((res) => setTimeout(res, (n * 7) % 13)); // interleave completions
      return { n, square: n * n };
    });
    const ctx = makeCtx('/');
    const ids = Array.from({ length: 200 }, (_, i) => i);
    const [squares, parsed, stored] = await Promise.all([
      Promise.all(ids.map((n) => r.call('test.slow_square', { n }, ctx))),
      Promise.all(
        ids.map((n) => r.call('json.parse', { text: JSON.stringify({ id: n, tag: `t${n}` }) }, ctx)),
      ),
      Promise.all(ids.map((n) => r.call('memory.store', { key: `k${n}`, value: { n } }, ctx))),
    ]);
    expect(squares).toEqual(ids.map((n) => ({ n, square: n * n })));
    expect(parsed).toEqual(ids.map((n) => ({ data: { id: n, tag: `t${n}` }, success: true })));
    expect(stored.every((s) => (s as { stored: boolean }).stored)).toBe(true);
    const read = await Promise.all(ids.map((n) => r.call('memory.retrieve', { key: `k${n}` }, ctx)));
    expect(read).toEqual(ids.map((n) => ({ value: { n }, found: true, key: `k${n}` })));
  });
});

describe('json and data actions', () => {
  const ctx = makeCtx('/');
  it('json.parse returns {data, success} and TEA-shaped errors', async () => {
    expect(await registry.call('json.parse', { text: '{"a": [1, 2]}' }, ctx)).toEqual({
      data: { a: [1, 2] },
      success: true,
    });
    const bad = (await registry.call('json.parse', { text: '{\n  "a": 1,\n}' }, ctx)) as Record<
      string,
      unknown
    >;
    expect(bad).toMatchObject({
      success: false,
      error_type: 'parse',
      error: expect.stringMatching(/^JSON parse error: /),
    });
    expect(bad['position']).toEqual({ line: 3, column: 1 });
    expect(await registry.call('json.parse', { text: null }, ctx)).toEqual({
      success: false,
      error: 'Input text is None',
      error_type: 'parse',
    });
  });
  it('json.parse non-strict accepts comments and trailing commas, or returns default', async () => {
    const lenient = '{\n  // comment\n  "a": 1, /* x */\n  "b": [1, 2,],\n}';
    expect(await registry.call('json.parse', { text: lenient, strict: false }, ctx)).toEqual({
      data: { a: 1, b: [1, 2] },
      success: true,
    });
    expect(
      await registry.call('json.parse', { text: 'nope', strict: false, default: { d: 1 } }, ctx),
    ).toEqual({ data: { d: 1 }, success: true });
  });
  it('json.stringify formats like Python json.dumps', async () => {
    const data = { b: 1, a: [true, null, 'x'] };
    expect(await registry.call('json.stringify', { data }, ctx)).toEqual({
      text: '{"b": 1, "a": [true, null, "x"]}',
      success: true,
    });
    expect(await registry.call('json.stringify', { data, indent: 2, sort_keys: true }, ctx)).toEqual({
      text: '{\n  "a": [\n    true,\n    null,\n    "x"\n  ],\n  "b": 1\n}',
      success: true,
    });
  });
  it('json.stringify refuses an indent that would allocate without bound, naming the parameter', async () => {
    const data = { a: [[[1]]] };
    for (const indent of [1e9, -1, 2.5, '4', 65]) {
      await expect(registry.call('json.stringify', { data, indent }, ctx)).rejects.toThrow(
        /json\.stringify: parameter 'indent' must be a whole number from 0 to 64/,
      );
    }
    expect(await registry.call('json.stringify', { data: [1], indent: 64 }, ctx)).toMatchObject({
      success: true,
    });
  });
  it('data.merge supports deep, shallow and replace', async () => {
    const sources = [{ a: { x: 1, y: 2 }, k: 1 }, null, { a: { y: 3 }, m: 2 }];
    expect(await registry.call('data.merge', { sources }, ctx)).toEqual({
      result: { a: { x: 1, y: 3 }, k: 1, m: 2 },
      source_count: 3,
      success: true,
    });
    expect(await registry.call('data.merge', { sources, strategy: 'shallow' }, ctx)).toMatchObject({
      result: { a: { y: 3 }, k: 1, m: 2 },
    });
    expect(await registry.call('data.merge', { sources, strategy: 'replace' }, ctx)).toMatchObject({
      result: { a: { y: 3 }, m: 2 },
    });
    expect(await registry.call('data.merge', { sources: [1] }, ctx)).toMatchObject({
      success: false,
      error_type: 'merge',
    });
    expect(await registry.call('data.merge', { sources: [], strategy: 'weird' }, ctx)).toMatchObject({
      success: false,
      error: expect.stringContaining('Unknown strategy'),
    });
    // A "__proto__" key from parsed JSON stays an ordinary key.
    const hostile = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    const safe = (await registry.call('data.merge', { sources: [hostile] }, ctx)) as {
      result: Record<string, unknown>;
    };
    expect(Object.getPrototypeOf(safe.result)).toBe(Object.prototype);
    expect(Object.keys(safe.result)).toEqual(['__proto__']);
    // Deep merge must not alias the inputs.
    const merged = (await registry.call('data.merge', { sources: [{ a: { x: 1 } }] }, ctx)) as {
      result: { a: { x: number } };
    };
    merged.result.a.x = 99;
    expect(await registry.call('data.merge', { sources: [{ a: { x: 1 } }] }, ctx)).toMatchObject({
      result: { a: { x: 1 } },
    });
  });
});

describe('file actions', () => {
  let root: string;
  let base: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'fanout-actions-'));
    base = path.join(root, 'base');
    outside = path.join(root, 'outside');
    await mkdir(base);
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), 'top secret');
    await symlink(path.join(outside, 'secret.txt'), path.join(base, 'link-out.txt'));
    await symlink(outside, path.join(base, 'dir-out'));
    await symlink(path.join(outside, 'not-yet.txt'), path.join(base, 'dangling-out.txt'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('file.write then file.read round-trips, creating parent folders, atomically', async () => {
    const ctx = makeCtx(base);
    expect(await registry.call('file.write', { path: 'sub/dir/out.txt', content: 'héllo\n' }, ctx)).toEqual({
      path: 'sub/dir/out.txt',
      success: true,
    });
    expect(await registry.call('file.read', { path: 'sub/dir/out.txt' }, ctx)).toEqual({
      content: 'héllo\n',
      success: true,
    });
    await registry.call('file.write', { path: 'sub/dir/out.txt', content: { v: 2 } }, ctx);
    expect(await readFile(path.join(base, 'sub/dir/out.txt'), 'utf8')).toBe('{\n  "v": 2\n}');
    expect(await readdir(path.join(base, 'sub/dir'))).toEqual(['out.txt']); // no temp files left behind
  });

  it('concurrent writes to one file always leave one complete version', async () => {
    const ctx = makeCtx(base);
    const versions = Array.from({ length: 20 }, (_, i) => `version-${i}-`.repeat(2000));
    await Promise.all(
      versions.map((content) => registry.call('file.write', { path: 'race.txt', content }, ctx)),
    );
    expect(versions).toContain(await readFile(path.join(base, 'race.txt'), 'utf8'));
    expect((await readdir(base)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('file.read of a missing file returns the TEA not_found shape', async () => {
    expect(await registry.call('file.read', { path: 'missing.txt' }, makeCtx(base))).toEqual({
      success: false,
      error: 'File not found: missing.txt',
      error_type: 'not_found',
    });
  });

  it('file.exists and file.list', async () => {
    const ctx = makeCtx(base);
    await registry.call('file.write', { path: 'list/a.json', content: '{}' }, ctx);
    await registry.call('file.write', { path: 'list/b.txt', content: 'b' }, ctx);
    await mkdir(path.join(base, 'list/sub'), { recursive: true });
    expect(await registry.call('file.exists', { path: 'list/a.json' }, ctx)).toEqual({
      exists: true,
      is_file: true,
      is_dir: false,
    });
    expect(await registry.call('file.exists', { path: 'list/sub' }, ctx)).toEqual({
      exists: true,
      is_file: false,
      is_dir: true,
    });
    expect(await registry.call('file.exists', { path: 'list/zzz' }, ctx)).toEqual({
      exists: false,
      is_file: false,
      is_dir: false,
    });
    expect(await registry.call('file.list', { path: 'list' }, ctx)).toEqual({
      files: [
        { name: 'a.json', path: path.join('list', 'a.json'), is_file: true, is_dir: false },
        { name: 'b.txt', path: path.join('list', 'b.txt'), is_file: true, is_dir: false },
        { name: 'sub', path: path.join('list', 'sub'), is_file: false, is_dir: true },
      ],
    });
    const globbed = (await registry.call('file.list', { path: 'list', pattern: '*.json' }, ctx)) as {
      files: Array<{ name: string }>;
    };
    expect(globbed.files.map((f) => f.name)).toEqual(['a.json']);
    const substr = (await registry.call('file.list', { path: 'list', pattern: 'b.' }, ctx)) as {
      files: Array<{ name: string }>;
    };
    expect(substr.files.map((f) => f.name)).toEqual(['b.txt']);
  });

  const escapes: Array<[string, string, Record<string, unknown>]> = [
    ['file.read', '../outside/secret.txt', {}],
    ['file.read', 'sub/../../outside/secret.txt', {}],
    ['file.read', 'ABSOLUTE', {}],
    ['file.read', 'link-out.txt', {}],
    ['file.read', 'dir-out/secret.txt', {}],
    ['file.write', '../outside/new.txt', { content: 'x' }],
    ['file.write', 'link-out.txt', { content: 'overwrite' }],
    ['file.write', 'dir-out/new.txt', { content: 'x' }],
    ['file.write', 'dangling-out.txt', { content: 'x' }],
    ['file.exists', 'link-out.txt', {}],
    ['file.list', 'dir-out', {}],
    ['file.list', '..', {}],
  ];
  it.each(escapes)('%s %s is refused with an ActionError naming the path', async (action, p, extra) => {
    const given = p === 'ABSOLUTE' ? path.join(outside, 'secret.txt') : p;
    const err = await registry
      .call(action, { path: given, ...extra }, makeCtx(base))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toContain(`path '${given}' is outside the allowed base directory`);
    // Nothing outside was read or changed.
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect((await readdir(outside)).sort()).toEqual(['secret.txt']);
  });

  it('symlinks that stay inside are followed, and allowOutside lifts the confinement', async () => {
    await writeFile(path.join(base, 'real.txt'), 'inside');
    await symlink(path.join(base, 'real.txt'), path.join(base, 'link-in.txt'));
    expect(await registry.call('file.read', { path: 'link-in.txt' }, makeCtx(base))).toEqual({
      content: 'inside',
      success: true,
    });
    const open = makeCtx(base, { allowOutside: true });
    expect(await registry.call('file.read', { path: '../outside/secret.txt' }, open)).toEqual({
      content: 'top secret',
      success: true,
    });
  });

  it('missing path parameter is a clear ActionError', async () => {
    await expect(registry.call('file.read', {}, makeCtx(base))).rejects.toThrow(
      "file.read: missing required parameter 'path'",
    );
    await expect(registry.call('file.write', { path: 'x.txt' }, makeCtx(base))).rejects.toThrow(
      "missing required parameter 'content'",
    );
  });
});

describe('memory actions', () => {
  it('store/retrieve with default, namespace and copy isolation', async () => {
    const ctx = makeCtx('/');
    const value = { list: [1, 2] };
    expect(await registry.call('memory.store', { key: 'k', value }, ctx)).toEqual({
      stored: true,
      key: 'k',
      namespace: 'default',
    });
    value.list.push(3); // later mutation of the caller's object must not leak in
    expect(await registry.call('memory.retrieve', { key: 'k' }, ctx)).toEqual({
      value: { list: [1, 2] },
      found: true,
      key: 'k',
    });
    expect(await registry.call('memory.retrieve', { key: 'k', namespace: 'other' }, ctx)).toEqual({
      value: null,
      found: false,
      key: 'k',
    });
    expect(await registry.call('memory.retrieve', { key: 'nope', default: 7 }, ctx)).toEqual({
      value: 7,
      found: false,
      key: 'nope',
    });
    // Memory is per run: another run's map does not see it.
    expect(await registry.call('memory.retrieve', { key: 'k' }, makeCtx('/'))).toMatchObject({
      found: false,
    });
  });
  it('ttl expires entries', async () => {
    const ctx = makeCtx('/');
    await registry.call('memory.store', { key: 't', value: 1, ttl: 0.05 }, ctx);
    expect(await registry.call('memory.retrieve', { key: 't' }, ctx)).toMatchObject({
      found: true,
      value: 1,
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(await registry.call('memory.retrieve', { key: 't', default: 0 }, ctx)).toEqual({
      value: 0,
      found: false,
      key: 't',
    });
  });
});

describe('http actions (local server on 127.0.0.1 only)', () => {
  let server: ReturnType<typeof createServer>;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/slow') {
          setTimeout(() => res.end('{}'), 2000).unref();
          return;
        }
        if (req.url === '/missing') {
          res.statusCode = 404;
          res.end('not here');
          return;
        }
        if (req.url === '/text') {
          res.end('plain words');
          return;
        }
        if (req.url === '/huge') {
          // An endless body, written as the client reads it: the action must stop reading, not buffer it.
          const chunk = Buffer.alloc(1024 * 1024, 120);
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
          };
          res.on('drain', pump);
          pump();
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            auth: req.headers['x-token'] ?? null,
            type: req.headers['content-type'] ?? null,
            body,
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('http.get returns the decoded JSON body and sends headers', async () => {
    expect(
      await registry.call(
        'http.get',
        { url: `${origin}/a?b=1`, headers: { 'x-token': 'abc' } },
        makeCtx('/'),
      ),
    ).toEqual({
      method: 'GET',
      url: '/a?b=1',
      auth: 'abc',
      type: null,
      body: '',
    });
    expect(await registry.call('http.get', { url: `${origin}/text` }, makeCtx('/'))).toBe('plain words');
  });

  it('http.post sends json or a raw body', async () => {
    expect(
      await registry.call('http.post', { url: `${origin}/p`, json: { x: [1] } }, makeCtx('/')),
    ).toMatchObject({
      method: 'POST',
      type: 'application/json',
      body: '{"x":[1]}',
    });
    expect(
      await registry.call(
        'http.post',
        { url: `${origin}/p`, body: 'raw', headers: { 'content-type': 'text/plain' } },
        makeCtx('/'),
      ),
    ).toMatchObject({
      body: 'raw',
      type: 'text/plain',
    });
  });

  it('non-2xx, timeout, abort and bad urls fail with ActionError', async () => {
    await expect(registry.call('http.get', { url: `${origin}/missing` }, makeCtx('/'))).rejects.toThrow(
      /HTTP 404/,
    );
    await expect(
      registry.call('http.get', { url: `${origin}/slow`, timeout: 0.2 }, makeCtx('/')),
    ).rejects.toThrow(/timed out after 0.2 s/);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(
      registry.call('http.get', { url: `${origin}/slow` }, makeCtx('/', { signal: ac.signal })),
    ).rejects.toThrow(/aborted/);
    await expect(registry.call('http.get', { url: 'file:///etc/passwd' }, makeCtx('/'))).rejects.toThrow(
      /only http and https/,
    );
    await expect(registry.call('http.get', {}, makeCtx('/'))).rejects.toThrow(
      /missing required parameter 'url'/,
    );
  });

  it('bounded: a body past the state size stops the read; a timeout past an hour is refused, naming it', async () => {
    await expect(registry.call('http.get', { url: `${origin}/huge` }, makeCtx('/'))).rejects.toThrow(
      /the response is larger than 33554432 bytes/,
    );
    await expect(
      registry.call('http.get', { url: `${origin}/a`, timeout: 1e12 }, makeCtx('/')),
    ).rejects.toThrow(
      /parameter 'timeout' must be a number of seconds above 0 and at most 3600, got 1000000000000/,
    );
  });
});
