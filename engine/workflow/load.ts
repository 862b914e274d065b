// Loads TEA workflow YAML into a WorkflowModel with source spans. Never throws: every failure becomes a
// Problem with a code and line:col, and `model` is null when the input cannot be used at all.

import { LineCounter, parseDocument, visit } from 'yaml';
import { rememberParse } from './parse-cache.ts';
import type { YAMLError } from 'yaml';
import {
  MAX_ALIAS_EXPANSION,
  MAX_ALIAS_NODES,
  MAX_REPORTED_YAML_ERRORS,
  MAX_WORKFLOW_BYTES,
} from './limits.ts';
import { buildModel } from './model.ts';
import type { LoadResult, Problem } from './types.ts';

export { MAX_WORKFLOW_BYTES } from './limits.ts';

export function problem(code: string, message: string, line: number, col: number, file?: string): Problem {
  return { severity: 'error', code, message, file, line, col };
}

function tooLarge(size: number, file?: string): Problem {
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return problem(
    'FILE_TOO_LARGE',
    `File is ${mib(size)} MiB; workflow files larger than ${mib(MAX_WORKFLOW_BYTES)} MiB are not opened`,
    1,
    1,
    file,
  );
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (in characters) of a byte offset inside valid UTF-8 text before it. */
function bytePos(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  const prefix = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset));
  return { line, col: [...prefix].length + 1 };
}

/** Decodes file bytes as UTF-8 text, refusing oversized, binary and non-UTF-8 input. */
export function decodeWorkflowBytes(
  bytes: Uint8Array,
  file?: string,
): { text: string } | { problem: Problem } {
  if (bytes.length > MAX_WORKFLOW_BYTES) return { problem: tooLarge(bytes.length, file) };
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = bytePos(bytes, nul);
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const hint = utf16 ? ' (it looks like UTF-16; save it as UTF-8)' : '';
    return {
      problem: problem(
        'BINARY_FILE',
        `Not a text file: NUL byte at line ${line}, column ${col}${hint}`,
        line,
        col,
        file,
      ),
    };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const { line, col } = bytePos(bytes, bad);
    const hex = bytes[bad]!.toString(16).padStart(2, '0');
    return {
      problem: problem(
        'NOT_UTF8',
        `File is not valid UTF-8: byte 0x${hex} at line ${line}, column ${col}; save it as UTF-8`,
        line,
        col,
        file,
      ),
    };
  }
  // Keep a byte-order mark in the text so saving an untouched file writes the same bytes.
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

const YAML_CODES: Record<string, string> = {
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  TAB_AS_INDENT: 'YAML_TABS',
  MULTIPLE_DOCS: 'YAML_MULTIPLE_DOCUMENTS',
};

function yamlProblem(err: YAMLError, text: string, file?: string): Problem {
  const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
  const firstLine = err.message.split('\n')[0] ?? err.message;
  const bare = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  const lineText = text.split('\n')[pos.line - 1] ?? '';
  const tabIndent = /^[ ]*\t/.test(lineText);
  let code = YAML_CODES[err.code] ?? 'YAML_SYNTAX';
  let message = `${bare} (line ${pos.line}, column ${pos.col})`;
  if (code === 'YAML_TABS' || (tabIndent && code === 'YAML_SYNTAX')) {
    code = 'YAML_TABS';
    message = `Tab character used for indentation at line ${pos.line}; YAML indentation must use spaces`;
  } else if (code === 'YAML_MULTIPLE_DOCUMENTS') {
    message =
      `The file holds more than one YAML document (another starts with \`---\` at line ${pos.line}); ` +
      "a workflow file holds exactly one, and TEA's yaml.safe_load rejects it too";
  } else if (code === 'YAML_DUPLICATE_KEY') {
    message = `Duplicate key at line ${pos.line}, column ${pos.col}: each key may appear only once in a mapping`;
  }
  return problem(code, message, pos.line, pos.col, file);
}

/** Parses workflow text. The returned `text` is the input, unchanged. */
export function loadWorkflow(text: string, file?: string): LoadResult {
  const result: LoadResult = { text, file, model: null, problems: [] };
  if (text.length > MAX_WORKFLOW_BYTES) {
    result.problems.push(tooLarge(text.length, file));
    return result;
  }
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    rememberParse(text, doc);
    if (doc.errors.length > 0) {
      // One broken construct can cascade into hundreds of errors; the first few are the useful ones.
      const seen = new Set<string>();
      for (const err of doc.errors) {
        const p = yamlProblem(err, text, file);
        if (seen.has(p.message)) continue;
        seen.add(p.message);
        result.problems.push(p);
        if (result.problems.length >= MAX_REPORTED_YAML_ERRORS) break;
      }
      return result;
    }
    for (const w of doc.warnings) {
      const p = yamlProblem(w, text, file);
      result.problems.push({ ...p, severity: 'warning', code: 'YAML_WARNING' });
    }

    let aliases = 0;
    let firstAlias = -1;
    // Aliases need anchors (`&name`); skip the walk for the common file that has none.
    if (text.includes('&'))
      visit(doc, {
        Alias(_key, node) {
          aliases += 1;
          if (firstAlias < 0) firstAlias = node.range?.[0] ?? 0;
          return aliases > MAX_ALIAS_NODES ? visit.BREAK : undefined;
        },
      });
    const aliasProblem = (why: string) => {
      if (firstAlias < 0) {
        visit(doc, {
          Alias(_key, node) {
            firstAlias = node.range?.[0] ?? 0;
            return visit.BREAK;
          },
        });
      }
      const { line, col } = lineCounter.linePos(Math.max(firstAlias, 0));
      return problem(
        'YAML_ALIAS_LIMIT',
        `${why} (first alias at line ${line}, column ${col})`,
        line,
        col,
        file,
      );
    };
    if (aliases > MAX_ALIAS_NODES) {
      result.problems.push(aliasProblem(`More than ${MAX_ALIAS_NODES} YAML aliases (*name)`));
      return result;
    }
    let rootJs: unknown;
    try {
      rootJs = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/alias count|resource exhaustion/i.test(msg)) {
        result.problems.push(aliasProblem('YAML aliases expand to too much data (possible alias bomb)'));
      } else {
        result.problems.push({ ...aliasProblem(`Cannot resolve YAML alias: ${msg}`), code: 'YAML_SYNTAX' });
      }
      return result;
    }
    result.model = buildModel(doc, lineCounter, rootJs, result.problems, file);
  } catch (err) {
    // Defensive: e.g. absurdly deep nesting overflowing the parser's stack.
    const msg = err instanceof RangeError ? 'Document is nested too deeply' : String(err);
    result.model = null;
    result.problems.push(problem('YAML_SYNTAX', `Cannot parse YAML: ${msg}`, 1, 1, file));
  }
  return result;
}
