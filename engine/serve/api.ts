// The JSON API of `fanout serve`: a thin transport over the host service. Each endpoint parses its
// body with the operation's schema and returns the HostResult value (or throws a HostFailure).
import type { HostService, Caller } from '../host/service.ts';
import type { HostOp, RequestOf } from '../host/schemas.ts';

export type ApiHandler = (body: unknown) => Promise<unknown>;

/** Builds the endpoint table `/api/<operation>`; every client of the server shares `caller`. */
export function createApi(service: HostService, caller: Caller): Record<string, ApiHandler> {
  const endpoint =
    <Op extends HostOp>(op: Op, call: (request: RequestOf<Op>) => Promise<unknown>): ApiHandler =>
    (body) =>
      call(service.parse(op, body));
  return {
    '/api/info': endpoint('info', async () => service.info()),
    '/api/files/list': endpoint('files/list', (r) => service.listFiles(r)),
    '/api/files/open': endpoint('files/open', (r) => service.openFile(r, caller)),
    '/api/files/save': endpoint('files/save', (r) => service.saveFile(r, caller)),
    '/api/files/stat': endpoint('files/stat', (r) => service.statFile(r)),
    '/api/files/mkdir': endpoint('files/mkdir', (r) => service.createFolder(r)),
    '/api/files/rename': endpoint('files/rename', (r) => service.renameEntry(r)),
    '/api/files/delete': endpoint('files/delete', (r) => service.deleteEntry(r)),
    '/api/validate': endpoint('validate', (r) => service.validate(r)),
    '/api/export': endpoint('export', (r) => service.exportPortable(r)),
    '/api/run': endpoint('run', async (r) => ({ runId: (await service.run(r, caller)).runId })),
    '/api/cancel': endpoint('cancel', (r) => service.cancel(r)),
    '/api/resume': endpoint('resume', (r) => service.resume(r)),
    '/api/recent': endpoint('recent', () => service.recent()),
    // Provider keys: write-only (set / clear / status booleans / test), never a key in an answer.
    '/api/providers/keys': endpoint('providers/keys', () => service.providerKeys()),
    '/api/providers/set-key': endpoint('providers/set-key', (r) => service.setProviderKey(r)),
    '/api/providers/test': endpoint('providers/test', (r) => service.testProvider(r)),
    // Batch runs (the Batch tab): the rows' table is polled with a cursor (batch/status).
    '/api/batch/list': endpoint('batch/list', (r) => service.batch.list(r)),
    '/api/batch/start': endpoint('batch/start', (r) => service.batch.start(r)),
    '/api/batch/status': endpoint('batch/status', (r) => service.batch.status(r)),
    '/api/batch/row': endpoint('batch/row', (r) => service.batch.row(r)),
    '/api/batch/cancel': endpoint('batch/cancel', (r) => service.batch.cancel(r)),
    '/api/batch/export': endpoint('batch/export', (r) => service.batch.export(r)),
  };
}
