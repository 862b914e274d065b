// The zod pieces every host operation's schema is built from (schemas.ts, engine/batch/host-schemas.ts),
// so a path or an id is bounded and worded the same in every operation.
import { z } from 'zod';
import { MAX_PATH_CHARS, MAX_RUN_ID_CHARS, MAX_TEXT_CHARS } from '../limits.ts';

export const pathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATH_CHARS, `is longer than ${MAX_PATH_CHARS} characters`)
  .refine((p) => !p.includes('\0'), 'contains a NUL byte');

/** A document's text (a workflow file as edited). */
export const textSchema = z.string().max(MAX_TEXT_CHARS, `is longer than ${MAX_TEXT_CHARS} characters`);

/** A run's or a batch's id. */
export const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_RUN_ID_CHARS, `is longer than ${MAX_RUN_ID_CHARS} characters`);
