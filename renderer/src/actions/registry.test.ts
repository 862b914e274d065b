import { describe, expect, it } from 'vitest';
import { ACTION_SPECS, MENU_ACTION_IDS, toAccelerator } from '../../../electron/shared/actions.ts';
import { MENU_COMMANDS } from '../../../electron/shared/channels.ts';
import { CONTEXT_MENUS } from './context-menus.ts';
import { comboSignature, formatKeys, matchesCombo, type KeyInput } from './keys.ts';
import { placeMenu } from './menu-position.ts';
import { ACTIONS, actionForKey, actionState, hasAction, performAction, type KeyPlace } from './registry.ts';
import { DEFAULT_BRANCHES } from '../designer/canvas/canvas-edits.ts';
import { settle, testContext } from './test-context.ts';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});
const canvas: KeyPlace = { typing: false, inCanvas: true, inOverlay: false };
const typing: KeyPlace = { typing: true, inCanvas: false, inOverlay: false };
const elsewhere: KeyPlace = { typing: false, inCanvas: false, inOverlay: false };

describe('the registry', () => {
  it('has exactly one action per manifest id, each with a title', () => {
    const ids = ACTIONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ACTION_SPECS.map((s) => s.id).sort());
    for (const a of ACTIONS) expect(a.title.length, a.id).toBeGreaterThan(2);
  });

  it('declares every key once across all actions', () => {
    const seen = new Map<string, string>();
    for (const a of ACTIONS) {
      for (const combo of a.keys ?? []) {
        const sig = comboSignature(combo);
        expect(seen.get(sig), `${combo} of ${a.id}`).toBeUndefined();
        seen.set(sig, a.id);
      }
    }
    expect(seen.size).toBeGreaterThan(25);
  });

  it('has a registered action for every command the Electron menu sends', () => {
    expect(MENU_ACTION_IDS.length).toBeGreaterThan(20);
    for (const id of MENU_COMMANDS) {
      if (id === 'file:open-path') continue; // a path to open, handled by App
      expect(hasAction(id), id).toBe(true);
    }
    // The View zoom items and About, dead before the registry, are among them.
    for (const id of ['view:zoom-in', 'view:zoom-out', 'view:zoom-reset', 'view:fit', 'help:about'])
      expect(MENU_COMMANDS).toContain(id);
  });

  it('lists only registered actions in the four context menus', () => {
    for (const [kind, groups] of Object.entries(CONTEXT_MENUS)) {
      expect(groups.flat().length, kind).toBeGreaterThan(1);
      for (const id of groups.flat()) expect(hasAction(id), `${kind}: ${id}`).toBe(true);
    }
  });
});

describe('enabled, with reasons', () => {
  it('gives every disabled action a reason', () => {
    const none = testContext({ opened: false, canvas: false });
    for (const a of ACTIONS) {
      const state = actionState(a.id, none);
      if (state.enabled !== true) expect(state.enabled.length, a.id).toBeGreaterThan(5);
    }
    expect(actionState('file:save', none).enabled).toBe('Open or create a workflow first');
    expect(actionState('view:zoom-in', testContext({ canvas: false })).enabled).toBe(
      'Nothing is drawn on the canvas',
    );
    expect(actionState('file:new', none).enabled).toBe(true);
    expect(actionState('help:about', none).enabled).toBe(true);
  });

  it('node actions need a selected node; launches wait for the run in progress', () => {
    const idle = testContext();
    expect(actionState('edit:rename', idle).enabled).toBe('Select one node to rename');
    expect(actionState('edit:delete', idle).enabled).toBe('Select nodes or edges to delete');
    expect(actionState('run:from-here', idle).enabled).toBe('Select one node to run from it');
    // The Start pill is drawn as a node but no edit applies to it.
    expect(actionState('edit:duplicate', testContext({ selection: ['__start__'] })).enabled).not.toBe(true);
    const selected = testContext({ selection: ['a'] });
    for (const id of ['edit:rename', 'edit:duplicate', 'run:from-here', 'run:toggle-breakpoint'] as const)
      expect(actionState(id, selected).enabled, id).toBe(true);
    const running = testContext({ selection: ['a'], status: 'running' });
    expect(actionState('run:run', running).enabled).toBe('A run is in progress');
    expect(actionState('run:from-here', running).enabled).toBe('A run is in progress');
    expect(actionState('run:cancel', running).enabled).toBe(true);
    expect(actionState('run:continue', running).enabled).toBe('No run is paused at a breakpoint');
    expect(actionState('run:continue', testContext({ status: 'paused' })).enabled).toBe(true);
    expect(actionState('edit:undo', idle).enabled).toBe('Nothing to undo');
  });
});

describe('keys', () => {
  it('dispatch by scope: window-wide keys also while typing, canvas keys only on the canvas', () => {
    expect(actionForKey(key('s', { ctrlKey: true }), typing)?.id).toBe('file:save');
    expect(actionForKey(key('S', { metaKey: true, shiftKey: true }), elsewhere)?.id).toBe('file:save-as');
    expect(actionForKey(key('Enter', { ctrlKey: true }), typing)?.id).toBe('run:run');
    expect(actionForKey(key('Enter', { ctrlKey: true, shiftKey: true }), typing)?.id).toBe('run:rerun');
    expect(actionForKey(key('k', { ctrlKey: true }), typing)?.id).toBe('view:palette');
    expect(actionForKey(key('Delete'), canvas)?.id).toBe('edit:delete');
    expect(actionForKey(key('Backspace'), canvas)?.id).toBe('edit:delete');
    expect(actionForKey(key('Delete'), elsewhere)).toBeNull();
    expect(actionForKey(key('Delete'), typing)).toBeNull();
    expect(actionForKey(key('?', { shiftKey: true }), elsewhere)?.id).toBe('help:shortcuts');
    expect(actionForKey(key('?', { shiftKey: true }), typing)).toBeNull();
    expect(actionForKey(key('F9'), canvas)?.id).toBe('run:toggle-breakpoint');
    expect(actionForKey(key('F9', { shiftKey: true }), canvas)).toBeNull();
    expect(actionForKey(key('z', { ctrlKey: true }), canvas)?.id).toBe('edit:undo');
    expect(actionForKey(key('y', { ctrlKey: true }), canvas)?.id).toBe('edit:redo');
    expect(actionForKey(key('s', { ctrlKey: true, altKey: true }), elsewhere)).toBeNull();
    // Inside a dialog or menu only window-wide keys count.
    expect(actionForKey(key('Delete'), { ...canvas, inOverlay: true })).toBeNull();
  });

  it('leaves clipboard keys to the browser events and treats Shift as part of symbols', () => {
    expect(actionForKey(key('c', { ctrlKey: true }), canvas)).toBeNull();
    expect(actionForKey(key('v', { ctrlKey: true }), canvas)).toBeNull();
    expect(actionForKey(key('=', { ctrlKey: true }), elsewhere)?.id).toBe('view:zoom-in');
    expect(actionForKey(key('+', { ctrlKey: true, shiftKey: true }), elsewhere)?.id).toBe('view:zoom-in');
    expect(actionForKey(key('_', { ctrlKey: true, shiftKey: true }), elsewhere)?.id).toBe('view:zoom-out');
    expect(actionForKey(key('0', { ctrlKey: true }), elsewhere)?.id).toBe('view:fit');
    expect(actionForKey(key('1', { ctrlKey: true }), elsewhere)?.id).toBe('view:zoom-reset');
    expect(matchesCombo(key('S', { ctrlKey: true, shiftKey: true }), 'Mod+S')).toBe(false);
  });

  it('formats per platform and as Electron accelerators', () => {
    expect(formatKeys('Mod+Shift+S', false)).toBe('Ctrl+Shift+S');
    expect(formatKeys('Mod+Shift+S', true)).toBe('⌘⇧S');
    expect(formatKeys('Mod+Enter', true)).toBe('⌘↩');
    expect(formatKeys('F9', false)).toBe('F9');
    expect(toAccelerator('Mod+Shift+S')).toBe('CmdOrCtrl+Shift+S');
    expect(toAccelerator('Mod+=')).toBe('CmdOrCtrl+=');
    expect(toAccelerator('Mod+.')).toBe('CmdOrCtrl+.');
  });
});

describe('perform', () => {
  it('edits the real document: duplicate selects the copy, delete removes it, undo restores', () => {
    const ctx = testContext({ selection: ['a'] });
    expect(performAction('edit:duplicate', ctx)).toBe(true);
    const copy = ctx.ui.getState().selection.nodes;
    expect(copy).toHaveLength(1);
    expect(copy[0]).not.toBe('a');
    expect(ctx.doc.getState().text).toContain(`name: ${copy[0]}`);
    expect(performAction('edit:delete', ctx)).toBe(true);
    expect(ctx.doc.getState().text).not.toContain(`name: ${copy[0]}`);
    expect(ctx.ui.getState().selection.nodes).toEqual([]);
    performAction('edit:undo', ctx);
    expect(ctx.doc.getState().text).toContain(`name: ${copy[0]}`);
  });

  it('adds a node where the context menu was opened', () => {
    const ctx = testContext({ target: { kind: 'canvas', at: { x: 640, y: 480 } } });
    expect(performAction('graph:add-lua', ctx)).toBe(true);
    const added = ctx.ui.getState().selection.nodes[0]!;
    const node = ctx.doc.getState().graph!.nodes.find((n) => n.id === added);
    expect(node?.kind).toBe('lua');
    expect(ctx.doc.getState().text).toMatch(/x: 640/);
  });

  it('adds parallel branches without asking; on a fan-out it adds one more branch', () => {
    const ctx = testContext({ selection: ['a'] });
    const parallel = () => ctx.doc.getState().graph!.edges.filter((e) => e.kind === 'parallel');
    expect(performAction('graph:add-parallel', ctx)).toBe(true);
    expect(ctx.calls).toEqual([]);
    expect(parallel()).toHaveLength(DEFAULT_BRANCHES);
    ctx.ui.getState().select({ nodes: ['a'], edges: [] });
    expect(performAction('graph:add-parallel', ctx)).toBe(true);
    expect(parallel()).toHaveLength(DEFAULT_BRANCHES + 1);
    expect(ctx.doc.getState().graph!.fanOuts.filter((f) => f.source === 'a')).toHaveLength(1);
  });

  it('drives the canvas view, the app and the run controller', async () => {
    const ctx = testContext({ selection: ['b'] });
    for (const id of [
      'view:zoom-in',
      'view:zoom-out',
      'view:zoom-reset',
      'view:fit',
      'help:about',
      'help:shortcuts',
      'edit:rename',
      'run:from-here',
      'run:node-alone',
      'run:toggle-breakpoint',
      'file:export',
      'file:copy-portable',
    ] as const)
      expect(performAction(id, ctx), id).toBe(true);
    await settle();
    expect(ctx.calls).toEqual([
      'zoomIn',
      'zoomOut',
      'zoomTo(1)',
      'fit',
      'showAbout',
      'showShortcuts',
      'startRename("b")',
      'runFrom(b)',
      'runNode(b)',
      'toggleBreakpoint(b)',
      'exportPortable',
      'copyPortable',
    ]);
  });

  it('does not perform a disabled action, and reports a failing one instead of throwing', async () => {
    const ctx = testContext({ opened: false });
    expect(performAction('file:save', ctx)).toBe('Open or create a workflow first');
    expect(ctx.calls).toEqual([]);
    const broken = testContext();
    broken.app.save = () => Promise.reject(new Error('disk full'));
    performAction('file:save', broken);
    await settle();
    expect(broken.calls).toEqual(['fail("Save: disk full")']);
  });
});

describe('placeMenu', () => {
  const viewport = { width: 1280, height: 800 };
  const size = { width: 240, height: 300 };
  it('opens at the pointer where it fits, flips near the right and bottom edges', () => {
    expect(placeMenu({ x: 100, y: 100 }, size, viewport)).toEqual({ left: 100, top: 100 });
    expect(placeMenu({ x: 1200, y: 700 }, size, viewport)).toEqual({ left: 960, top: 400 });
  });
  it('never leaves the window, even for a menu taller than the room on both sides', () => {
    const tall = placeMenu({ x: 5, y: 300 }, { width: 240, height: 790 }, viewport);
    expect(tall.top).toBeGreaterThanOrEqual(4);
    expect(tall.top + 790).toBeLessThanOrEqual(800);
    const box = placeMenu({ x: 1279, y: 799 }, size, viewport);
    expect(box.left + size.width).toBeLessThanOrEqual(1280);
    expect(box.top + size.height).toBeLessThanOrEqual(800);
  });
});
