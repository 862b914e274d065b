import { describe, expect, it } from 'vitest';
import { BOTTOM_MIN_PX, fitsSideBySide, visibleBottomPanels } from './bottom-panels.ts';

const all = ['run', 'problems', 'yaml'] as const;
const sum = BOTTOM_MIN_PX.run + BOTTOM_MIN_PX.problems + BOTTOM_MIN_PX.yaml + 2;

describe('bottom panels', () => {
  it('shows every open panel side by side when each gets its minimum width', () => {
    expect(fitsSideBySide(all, sum)).toBe(true);
    expect(visibleBottomPanels(all, 'yaml', sum)).toEqual(['run', 'problems', 'yaml']);
  });

  it('shows only the active panel when they do not fit', () => {
    expect(fitsSideBySide(all, sum - 1)).toBe(false);
    expect(visibleBottomPanels(all, 'yaml', sum - 1)).toEqual(['yaml']);
    expect(visibleBottomPanels(all, 'problems', 700)).toEqual(['problems']);
  });

  it('falls back to the first open panel when the active one is closed', () => {
    expect(visibleBottomPanels(['run', 'problems'], 'yaml', 300)).toEqual(['run']);
    expect(visibleBottomPanels(['problems', 'yaml'], null, 300)).toEqual(['problems']);
  });

  it('always shows a lone panel, however narrow', () => {
    expect(visibleBottomPanels(['run'], 'run', 100)).toEqual(['run']);
    expect(visibleBottomPanels([], null, 100)).toEqual([]);
  });
});
