/**
 * memory.store and memory.retrieve on the run's ctx.memory map. Parameter names and result shapes
 * follow TEA Python memory_actions.py (including `ttl` in seconds and `namespace`). Values are
 * deep-copied in and out so parallel branches of one run never share mutable objects.
 */
import type { ActionContext, ActionRegistry } from './registry.ts';

interface Stored {
  value: unknown;
  /** Epoch ms after which the entry is gone; null = never. */
  expiresAt: number | null;
}

function slot(namespace: string, key: string): string {
  return `${namespace}\u0000${key}`;
}

function namespaceOf(params: Record<string, unknown>): string {
  const ns = params['namespace'];
  return ns === undefined || ns === null ? 'default' : String(ns);
}

function memoryStore(params: Record<string, unknown>, ctx: ActionContext): unknown {
  const key = params['key'];
  if (key === undefined || key === null) return { stored: false, key: null, error: 'Key is required' };
  const namespace = namespaceOf(params);
  const ttl = params['ttl'];
  const expiresAt = typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl * 1000 : null;
  try {
    const entry: Stored = { value: structuredClone(params['value'] ?? null), expiresAt };
    ctx.memory.set(slot(namespace, String(key)), entry);
  } catch (e) {
    return { stored: false, key: String(key), error: (e as Error).message };
  }
  return { stored: true, key: String(key), namespace };
}

function memoryRetrieve(params: Record<string, unknown>, ctx: ActionContext): unknown {
  const key = params['key'];
  const fallback = params['default'] ?? null;
  if (key === undefined || key === null)
    return { value: fallback, found: false, key: null, error: 'Key is required' };
  const id = slot(namespaceOf(params), String(key));
  let entry = ctx.memory.get(id) as Stored | undefined;
  if (entry !== undefined && entry.expiresAt !== null && Date.now() >= entry.expiresAt) {
    ctx.memory.delete(id);
    entry = undefined;
  }
  // TEA's backend treats a stored None like a missing key.
  if (entry === undefined || entry.value === null) return { value: fallback, found: false, key: String(key) };
  return { value: structuredClone(entry.value), found: true, key: String(key) };
}

export function registerMemoryActions(registry: ActionRegistry): void {
  registry.register('memory.store', memoryStore);
  registry.register('memory.retrieve', memoryRetrieve);
}
