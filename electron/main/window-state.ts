// Window bounds and maximized state, remembered across launches (JSON in userData, atomic writes).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../engine/fs/atomic-write.ts';

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 800, maximized: false };
const MIN_WIDTH = 640;
const MIN_HEIGHT = 480;

const schema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof schema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Pure: makes a saved state usable on the current displays — the size is clamped to the largest work
 * area and the position is dropped (the OS centers the window) when it is off every display.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  const maxW = Math.max(MIN_WIDTH, ...workAreas.map((a) => a.width));
  const maxH = Math.max(MIN_HEIGHT, ...workAreas.map((a) => a.height));
  const width = Math.min(Math.max(state.width, MIN_WIDTH), maxW);
  const height = Math.min(Math.max(state.height, MIN_HEIGHT), maxH);
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const { x, y } = state;
  // Visible enough: the title bar's top-left 100×40 px lies on some display.
  const visible = workAreas.some(
    (a) => x + 100 > a.x && x < a.x + a.width && y + 40 > a.y && y < a.y + a.height,
  );
  return visible ? { ...fitted, x, y } : fitted;
}

export async function loadWindowState(file: string): Promise<WindowState> {
  try {
    const parsed = schema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : { ...DEFAULT_WINDOW_STATE };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

export function saveWindowState(file: string, state: WindowState): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(schema.parse(state), null, 2), { mkdirs: true });
}
