// Canvas notes: every edit splices only the note's lines (the rest of the file keeps its bytes), the
// loader reads back exactly what was written, deleting the last note restores the file, and notes
// never make a workflow invalid (TEA ignores them; TEA Python's run of a file with notes is recorded).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyBudget } from '../../../../test/budgets.ts';
import { exportPortable } from '../../export.ts';
import { applyGraphEdit } from '../../graph-edit.ts';
import { loadWorkflow } from '../../load.ts';
import { validateWorkflow } from '../../validate.ts';
import { applyNoteEdit } from './note-edits.ts';
import type { NoteEdit } from './note-edits.ts';

const BASE = `# my workflow
name: demo

nodes:
  - name: a   # the first node
    language: lua
    run: |
      return { x = 1 }

edges:
  - {from: __start__, to: a}
  - {from: a, to: __end__}
`;

const notesOf = (text: string) => loadWorkflow(text).model?.notes ?? [];
const errorsOf = (text: string) => validateWorkflow(loadWorkflow(text)).filter((p) => p.severity === 'error');
const edit = (text: string, e: NoteEdit) => applyGraphEdit(text, { type: 'notes', edit: e }).text;

/** Lines of `after` that differ from `before` (same line count assumed). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.filter((line, i) => line !== a[i]);
}

describe('note edits', () => {
  it('adds the first note as a new last section, keeping every byte before it', () => {
    const out = edit(BASE, { op: 'add', note: { box: { x: 10, y: -120 }, text: 'Hello' } });
    expect(out.startsWith(BASE)).toBe(true);
    expect(out.slice(BASE.length)).toBe(
      [
        '',
        'metadata:',
        '  fanout:',
        '    notes:',
        '      - id: note_1',
        '        box: {x: 10, y: -120, width: 240, height: 140}',
        '        color: yellow',
        '        text: Hello',
        '',
      ].join('\n'),
    );
    expect(notesOf(out)).toMatchObject([
      { id: 'note_1', text: 'Hello', x: 10, y: -120, width: 240, height: 140, color: 'yellow' },
    ]);
    expect(errorsOf(out)).toEqual([]);
    expect(loadWorkflow(out).problems).toEqual([]);
  });

  it('appends further notes with fresh ids; move, resize, recolour and text are one-line or own-line edits', () => {
    let text = edit(BASE, { op: 'add', note: { box: { x: 0, y: 0 }, text: 'one' } });
    text = edit(text, { op: 'add', note: { box: { x: 300, y: 0, width: 180, height: 90 }, color: 'blue' } });
    expect(notesOf(text).map((n) => [n.id, n.color, n.width, n.height])).toEqual([
      ['note_1', 'yellow', 240, 140],
      ['note_2', 'blue', 180, 90],
    ]);

    const moved = edit(text, { op: 'update', id: 'note_2', box: { x: 320, y: 40 } });
    expect(changedLines(text, moved)).toEqual(['        box: {x: 320, y: 40, width: 180, height: 90}']);

    const resized = edit(moved, { op: 'update', id: 'note_2', box: { width: 10, height: 99999 } });
    // Sizes are clamped to the note bounds; the position is kept.
    expect(changedLines(moved, resized)).toEqual(['        box: {x: 320, y: 40, width: 120, height: 4000}']);

    const recoloured = edit(resized, { op: 'update', id: 'note_1', color: 'green' });
    expect(changedLines(resized, recoloured)).toEqual(['        color: green']);

    const typed = edit(recoloured, {
      op: 'update',
      id: 'note_1',
      text: '# Title\n- item: with colon\n  # not a comment',
    });
    expect(notesOf(typed)[0]!.text).toBe('# Title\n- item: with colon\n  # not a comment');
    expect(typed).toContain(
      '        text: |-\n          # Title\n          - item: with colon\n            # not a comment\n',
    );
    // Everything outside the notes section is untouched by all of it.
    expect(typed.startsWith(BASE)).toBe(true);
    expect(errorsOf(typed)).toEqual([]);
  });

  it('keeps text YAML would misread (quotes, reserved words, empty, control characters) exactly', () => {
    let text = edit(BASE, { op: 'add', note: { box: { x: 0, y: 0 } } });
    for (const value of [
      '',
      'yes',
      'null',
      '"quoted" and \'single\'',
      'tab\there',
      'a\r\nb',
      '  indented\nlines  ',
      '{ not: flow }',
    ]) {
      text = edit(text, { op: 'update', id: 'note_1', text: value });
      expect(notesOf(text)[0]!.text).toBe(value);
      expect(text.startsWith(BASE)).toBe(true);
    }
  });

  it('deleting notes removes their items; deleting the last one gives back the original bytes', () => {
    let text = edit(BASE, { op: 'add', note: { box: { x: 0, y: 0 }, text: 'one' } });
    const one = text;
    text = edit(text, { op: 'add', note: { box: { x: 1, y: 1 }, text: 'two\nlines' } });
    text = edit(text, { op: 'add', note: { box: { x: 2, y: 2 }, text: 'three' } });
    expect(edit(edit(text, { op: 'delete', ids: ['note_2'] }), { op: 'delete', ids: ['note_3'] })).toBe(one);
    expect(edit(text, { op: 'delete', ids: ['note_1', 'note_2', 'note_3'] })).toBe(BASE);
    expect(() => edit(text, { op: 'delete', ids: ['nope'] })).toThrow(/No canvas note with id 'nope'/);
  });

  it('adds into an existing metadata mapping (block or flow) and keeps its other keys', () => {
    const block = `${BASE}\nmetadata:\n  owner: ana   # keep me\n`;
    const out = edit(block, { op: 'add', note: { box: { x: 5, y: 6 }, text: 'x' } });
    expect(out.startsWith(block)).toBe(true);
    expect(loadWorkflow(out).model!.raw.metadata).toMatchObject({ owner: 'ana' });
    expect(notesOf(out)).toHaveLength(1);
    expect(edit(out, { op: 'delete', ids: ['note_1'] })).toBe(block);

    const flow = `${BASE}\nmetadata: {owner: ana, fanout: {}}\n`;
    const out2 = edit(flow, { op: 'add', note: { box: { x: 5, y: 6 }, text: 'x' } });
    expect(loadWorkflow(out2).model!.raw.metadata).toMatchObject({ owner: 'ana' });
    expect(notesOf(out2).map((n) => n.id)).toEqual(['note_1']);
    expect(out2.startsWith(BASE)).toBe(true);

    const emptyList = `${BASE}\nmetadata:\n  fanout:\n    notes: []\n`;
    expect(notesOf(edit(emptyList, { op: 'add', note: { box: { x: 0, y: 0 } } }))).toHaveLength(1);
  });

  it('refuses bad input with a clear error and leaves the text alone', () => {
    const text = edit(BASE, { op: 'add', note: { box: { x: 0, y: 0 } } });
    expect(() => edit(text, { op: 'add', note: { id: 'note_1', box: { x: 0, y: 0 } } })).toThrow(
      /already exists/,
    );
    expect(() => edit(text, { op: 'update', id: 'note_1', box: { x: Number.NaN } })).toThrow(
      /x must be a number/,
    );
    expect(() => edit(text, { op: 'update', id: 'note_1', color: 'chartreuse' as never })).toThrow(
      /Unknown note colour/,
    );
    expect(() => edit(`${BASE}\nmetadata: 3\n`, { op: 'add', note: { box: { x: 0, y: 0 } } })).toThrow(
      /not a mapping/,
    );
  });

  it('works on a document with no nodes yet and through applyNoteEdit directly', () => {
    const out = applyNoteEdit('name: fresh\n', { op: 'add', note: { box: { x: 0, y: 0 }, text: 't' } });
    expect(out).toBe(
      'name: fresh\nmetadata:\n  fanout:\n    notes:\n      - id: note_1\n' +
        '        box: {x: 0, y: 0, width: 240, height: 140}\n        color: yellow\n        text: t\n',
    );
    expect(notesOf(out)).toHaveLength(1);
    expect(applyNoteEdit(out, { op: 'delete', ids: ['note_1'] })).toBe('name: fresh\n');
    // A file that is not (yet) a workflow would become "not a workflow": refused, nothing written.
    expect(() => applyNoteEdit('', { op: 'add', note: { box: { x: 0, y: 0 } } })).toThrow(/Add a node/);
    expect(() => applyNoteEdit('data: 1\n', { op: 'add', note: { box: { x: 0, y: 0 } } })).toThrow(
      /Add a node/,
    );
  });
});

const NOTE_PROPERTY = propertyBudget(100, 40);

describe('note edits, any text', () => {
  it(
    'any text round-trips exactly, the bytes before the notes never change, deleting all restores the file',
    NOTE_PROPERTY,
    () => {
      const text = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.string({
          unit: fc.constantFrom('a', ' ', '\n', '#', ':', '-', '"', "'", '\t', '|', '{', '\r'),
          maxLength: 40,
        }),
      );
      fc.assert(
        fc.property(
          fc.array(text, { minLength: 1, maxLength: 4 }),
          fc.integer({ min: -5000, max: 5000 }),
          (texts, at) => {
            let doc = BASE;
            texts.forEach((t, i) => {
              doc = edit(doc, { op: 'add', note: { box: { x: at + i, y: -at }, text: t } });
            });
            // Edit each one again (text, then a move) and read every note back.
            texts.forEach((t, i) => {
              doc = edit(doc, { op: 'update', id: `note_${i + 1}`, text: `${t}!`, box: { x: i } });
            });
            expect(doc.startsWith(BASE)).toBe(true);
            expect(notesOf(doc).map((n) => [n.text, n.x])).toEqual(texts.map((t, i) => [`${t}!`, i]));
            expect(errorsOf(doc)).toEqual([]);
            const ids = texts.map((_, i) => `note_${i + 1}`);
            expect(edit(doc, { op: 'delete', ids })).toBe(BASE);
          },
        ),
        { numRuns: NOTE_PROPERTY.numRuns },
      );
    },
  );
});

describe('reading notes', () => {
  it('reads the fixture TEA Python ran, and warns (never errors) about malformed notes with their line', () => {
    const fixture = readFileSync(
      new URL('../../../../test/fixtures/notes/notes-workflow.yaml', import.meta.url),
      'utf8',
    );
    const load = loadWorkflow(fixture);
    expect(load.model!.notes!.map((n) => [n.id, n.color])).toEqual([
      ['note_1', 'yellow'],
      ['note_2', 'blue'],
    ]);
    expect(load.model!.notes![1]!.text).toBe('A note with: colons, # hashes and "quotes"');
    expect(validateWorkflow(load)).toEqual([]);

    const bad = `${BASE}\nmetadata:\n  fanout:\n    notes:\n      - id: ok\n        box: {x: 1, y: 2}\n      - just text\n      - id: nobox\n      - id: ok\n        box: {x: 0, y: 0}\n`;
    const problems = validateWorkflow(loadWorkflow(bad));
    expect(problems.every((p) => p.severity === 'warning' && p.code === 'NOTE_INVALID')).toBe(true);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [19, expect.stringContaining('must be a mapping')],
      [20, expect.stringContaining("('nobox') needs `box")],
      [21, expect.stringContaining("the id 'ok' is used by another note")],
    ]);
    expect(loadWorkflow(bad).model!.notes!.map((n) => n.id)).toEqual(['ok']);
  });

  it('TEA Python ran the fixture with notes to the same final state Fanout computes (recorded evidence)', () => {
    const recorded = JSON.parse(
      readFileSync(new URL('../../../../test/fixtures/notes/tea-python.json', import.meta.url), 'utf8'),
    ) as { ok: boolean; error: unknown; final_state: unknown };
    expect(recorded.ok).toBe(true);
    expect(recorded.error).toBeNull();
    expect(recorded.final_state).toEqual({ count: 20, greeting: 'hello' });
  });

  it('export keeps the notes (portable form: both engines ignore them)', () => {
    const text = edit(BASE, { op: 'add', note: { box: { x: 0, y: 0 }, text: 'kept' } });
    const exported = exportPortable(text);
    expect(notesOf(exported.text).map((n) => n.text)).toEqual(['kept']);
    expect(exported.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
