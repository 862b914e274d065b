// Lua syntax markers: the pure validator cannot compile Lua, the host can (`validate` compiles every
// Lua node in a worker). Shortly after the text stops changing, the current text is sent to the host
// and its Lua syntax problems are added to the document's problems for exactly that text. The host also
// knows its action registry: its UNKNOWN_ACTION warnings come along (the canvas badges those nodes).
import { useEffect } from 'react';
import type { HostApi } from '../../../engine/host/types.ts';
import type { Problem } from '../../../engine/workflow/types.ts';
import type { DocumentStore } from './document-store.ts';

/** Quiet time after the last text change before the host is asked. */
export const LUA_CHECK_DELAY_MS = 400;

/** Problem code of a Lua syntax error (engine/workflow/lua-syntax.ts). */
export const LUA_SYNTAX_CODE = 'LUA_SYNTAX';

/** Actions the host's registry lacks (the pure validator does not know the registry). */
export const UNKNOWN_ACTION_CODE = 'UNKNOWN_ACTION';

/** The host's problems only it can find: Lua syntax, and actions it does not provide. */
export function luaSyntaxOnly(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.code === LUA_SYNTAX_CODE || p.code === UNKNOWN_ACTION_CODE);
}

/** True when the document parses and has code the host would compile or actions it would look up. */
function hasCode(doc: DocumentStore): boolean {
  return (
    doc
      .getState()
      .load.model?.nodes.some((n) => n.run !== undefined || n.uses !== undefined || n.dynamicParallel) ??
    false
  );
}

/**
 * Starts checking `doc`'s text with `host.validate` LUA_CHECK_DELAY_MS after each change (and once
 * now). Answers for a text that has changed since are dropped by the store (setExternalProblems), so
 * a slow answer never lands on a newer text. Returns the stop function.
 */
export function startLuaCheck(
  host: Pick<HostApi, 'validate'>,
  doc: DocumentStore,
  delayMs = LUA_CHECK_DELAY_MS,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const check = () => {
    timer = undefined;
    if (!hasCode(doc)) return;
    const { text, path } = doc.getState();
    host.validate(text, path ?? undefined).then(
      (result) => {
        // A failed check (host down, file too large) leaves the markers as they are: no news.
        if (!stopped && result.ok) doc.getState().setExternalProblems(text, luaSyntaxOnly(result.value));
      },
      () => undefined, // HostApi calls resolve; a rejecting host must not surface as unhandled
    );
  };
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(check, delayMs);
  };
  const unsubscribe = doc.subscribe((s, p) => {
    if (s.text !== p.text) schedule();
  });
  schedule();
  return () => {
    stopped = true;
    unsubscribe();
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** React wiring of startLuaCheck for the lifetime of the component (no-op without a host). */
export function useLuaCheck(host: Pick<HostApi, 'validate'> | null | undefined, doc: DocumentStore): void {
  useEffect(() => (host ? startLuaCheck(host, doc) : undefined), [host, doc]);
}
