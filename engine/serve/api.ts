// The JSON API of `fanout serve`: one handler per HostApi call, each taking a validated body and
// returning the HostResult value (or throwing a HostFailure).
import { dirname } from 'node:path';
import type { Engine, RunHandle } from '../index.ts';
import { WorkflowInvalidError } from '../index.ts';
import { exportPortable } from '../workflow/export.ts';
import type { RunEvent } from '../run/types.ts';
import type { HostInfo } from '../host/types.ts';
import { HostFailure } from './errors.ts';
import { listFiles, openFile, saveFile } from './files.ts';
import { parsePayload, schemas } from './payload.ts';
import { resolveInRoot } from './paths.ts';

const MAX_RECENT = 10;

export interface ApiContext {
  engine: Engine;
  /** Real path of the folder files are confined to. */
  root: string;
  appVersion: string;
  workers: number;
  /** Receives every RunEvent of every run (the server batches them to the WebSockets). */
  onEvent: (event: RunEvent) => void;
}

export type ApiHandler = (body: unknown) => Promise<unknown>;

/** Builds the endpoint table; `runs` holds the runs in flight (shutdown cancels them). */
export function createApi(ctx: ApiContext, runs: Map<string, RunHandle>): Record<string, ApiHandler> {
  const recent: string[] = [];
  const remember = (path: string) => {
    const at = recent.indexOf(path);
    if (at >= 0) recent.splice(at, 1);
    recent.unshift(path);
    recent.length = Math.min(recent.length, MAX_RECENT);
  };

  return {
    '/api/info': async (body): Promise<HostInfo> => {
      parsePayload('info', body, schemas.info);
      return {
        host: 'browser',
        appVersion: ctx.appVersion,
        platform: process.platform,
        root: ctx.root,
        workers: ctx.workers,
      };
    },

    '/api/files/list': async (body) => {
      const { dir } = parsePayload('files/list', body, schemas.list);
      return listFiles(ctx.root, dir ?? '');
    },

    '/api/files/open': async (body) => {
      const { path } = parsePayload('files/open', body, schemas.open);
      const opened = await openFile(ctx.root, path);
      remember(opened.path);
      return opened;
    },

    '/api/files/save': async (body) => {
      const { path, text, expectedMtimeMs } = parsePayload('files/save', body, schemas.save);
      const saved = await saveFile(ctx.root, path, text, expectedMtimeMs);
      remember(saved.path);
      return saved;
    },

    '/api/validate': async (body) => {
      const { text, path } = parsePayload('validate', body, schemas.validate);
      return ctx.engine.validate(ctx.engine.load(text, path));
    },

    '/api/export': async (body) => {
      const { text } = parsePayload('export', body, schemas.export);
      const result = exportPortable(text);
      return { text: result.text, problems: result.problems };
    },

    '/api/run': async (body) => {
      const request = parsePayload('run', body, schemas.run);
      if (request.startAt !== undefined && request.only !== undefined) {
        throw new HostFailure('BAD_REQUEST', 'run: give startAt or only, not both');
      }
      // The document's folder (inside the root) is where file actions are confined; unsaved → the root.
      const file = request.path ? await resolveInRoot(ctx.root, request.path, { allowMissing: true }) : null;
      const load = ctx.engine.load(request.text, file?.rel);
      let handle: RunHandle;
      try {
        handle = ctx.engine.run(load, {
          baseDir: file ? dirname(file.abs) : ctx.root,
          ...(request.input ? { input: request.input } : {}),
          ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
          ...(request.failFast !== undefined ? { failFast: request.failFast } : {}),
          ...(request.interruptBefore ? { interruptBefore: request.interruptBefore } : {}),
          ...(request.interruptAfter ? { interruptAfter: request.interruptAfter } : {}),
          ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
          ...(request.only !== undefined ? { only: request.only } : {}),
          onEvent: ctx.onEvent,
        });
      } catch (error) {
        if (error instanceof WorkflowInvalidError) {
          throw new HostFailure('INVALID_WORKFLOW', error.message, error.problems);
        }
        throw error;
      }
      runs.set(handle.runId, handle);
      handle.result
        .catch((error: Error) =>
          process.stderr.write(`fanout serve: run ${handle.runId}: ${error.message}\n`),
        )
        .finally(() => runs.delete(handle.runId));
      return { runId: handle.runId };
    },

    '/api/cancel': async (body) => {
      const { runId } = parsePayload('cancel', body, schemas.cancel);
      return ctx.engine.cancel(runId);
    },

    '/api/resume': async (body) => {
      const { runId, state } = parsePayload('resume', body, schemas.resume);
      try {
        return ctx.engine.resume(runId, state);
      } catch (error) {
        // The engine's JSON check (e.g. nesting deeper than it accepts).
        if (error instanceof TypeError) throw new HostFailure('BAD_REQUEST', error.message);
        throw error;
      }
    },

    '/api/recent': async (body) => {
      parsePayload('recent', body, schemas.recent);
      return [...recent];
    },
  };
}
