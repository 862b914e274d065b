// The shape of every job a `fanout worker` takes, checked before anything runs: bounded in size and
// depth first (iteratively, so a hostile payload cannot overflow the stack), then by a strict zod
// schema (an unknown key is refused too: nothing rides along, secrets included).
import { z } from 'zod';
import {
  MAX_ITERATIONS,
  MAX_MEMORY_LIMIT_MB,
  MAX_NODE_NAME_CHARS,
  MAX_QUEUE_JOB_BYTES,
  MAX_RUN_ID_CHARS,
  MAX_TEXT_CHARS,
  MAX_TIMEOUT_MS,
  MAX_VALUE_DEPTH,
  jsonBoundsProblem,
  isPlainObject,
} from '../limits.ts';
import type { JsonObject } from '../run/types.ts';

/** Bumped when a payload changes shape: a worker refuses versions it does not know. */
export const PAYLOAD_VERSION = 1;

const name = z.string().min(1).max(MAX_NODE_NAME_CHARS);
const plainObject = z.custom<JsonObject>((v) => isPlainObject(v), 'must be a JSON object');
const channel = z
  .string()
  .max(200)
  .regex(/^fanout:events:[\w.:-]+$/, 'must be a fanout:events: channel');
const limits = z
  .object({
    timeoutMs: z.number().positive().max(MAX_TIMEOUT_MS).optional(),
    memoryBytes: z
      .number()
      .positive()
      .max(MAX_MEMORY_LIMIT_MB * 1024 * 1024)
      .optional(),
    maxSteps: z.number().positive().max(MAX_ITERATIONS).optional(),
    failFast: z.boolean().optional(),
  })
  .strict();

export const branchJobSchema = z
  .object({
    v: z.literal(PAYLOAD_VERSION),
    kind: z.literal('branch'),
    runId: z.string().min(1).max(MAX_RUN_ID_CHARS),
    workflow: plainObject,
    fanOut: name,
    branch: name,
    index: z.number().int().min(0).max(100_000),
    state: plainObject,
    limits,
    idempotent: z.boolean(),
    /** Where the worker publishes the branch's events. */
    events: channel,
  })
  .strict();

export const runJobSchema = z
  .object({
    v: z.literal(PAYLOAD_VERSION),
    kind: z.literal('run'),
    /** The workflow's YAML text exactly as read; `file` names it in messages only. */
    workflow: z
      .object({ text: z.string().max(MAX_TEXT_CHARS), file: z.string().max(4096).optional() })
      .strict(),
    input: plainObject,
    limits,
    events: channel.optional(),
  })
  .strict();

export type BranchJob = z.infer<typeof branchJobSchema>;
export type RunJob = z.infer<typeof runJobSchema>;
export type QueueJob = BranchJob | RunJob;

/** The job, or why it is refused (one line naming the field). Never throws. */
export function checkJob(data: unknown): { ok: true; job: QueueJob } | { ok: false; problem: string } {
  const bounds = jsonBoundsProblem(data, 'the job payload', {
    maxDepth: MAX_VALUE_DEPTH + 4,
    maxBytes: MAX_QUEUE_JOB_BYTES,
  });
  if (bounds) return { ok: false, problem: bounds };
  const kind = isPlainObject(data) ? data['kind'] : undefined;
  const schema = kind === 'run' ? runJobSchema : branchJobSchema;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the payload';
    return { ok: false, problem: `the job payload is refused: ${where} ${issue.message}` };
  }
  return { ok: true, job: parsed.data };
}
