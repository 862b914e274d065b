// The live document text, editable and two-way synced through the document store, with problems as
// diagnostics at their line:col and an optional unified diff against the saved text.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { DocumentStore } from '../document-store.ts';
import type { UiStore } from '../ui-store.ts';
import { CodeEditor } from './CodeEditor.tsx';
import type { EditorMarker } from './code-lines.ts';
import './panels.css';

export function YamlPanel({ doc, ui }: { doc: DocumentStore; ui: UiStore }) {
  const text = useStore(doc, (s) => s.text);
  const saved = useStore(doc, (s) => s.savedText);
  const problems = useStore(doc, (s) => s.problems);
  const focus = useStore(ui, (s) => s.focus);
  const [diff, setDiff] = useState(false);
  const markers: EditorMarker[] = problems.map((p) => ({
    line: p.line,
    col: p.col,
    severity: p.severity,
    code: p.code,
    message: p.node !== undefined ? `${p.message} (node ${p.node})` : p.message,
  }));
  const changed = text !== saved;
  return (
    <section className="fp-panel fp-yaml" data-testid="yaml-panel" aria-label="YAML">
      <header className="fp-panel-head">
        <h2>YAML</h2>
        {changed ? <span className="fp-hint">modified</span> : null}
        <span className="fp-spacer" />
        <label className="fp-toggle">
          <input
            type="checkbox"
            checked={diff}
            onChange={(e) => setDiff(e.target.checked)}
            data-testid="yaml-diff-toggle"
          />
          Diff vs saved
        </label>
      </header>
      <CodeEditor
        language="yaml"
        value={text}
        testId="yaml-editor"
        ariaLabel="Workflow YAML"
        markers={markers}
        diffOriginal={diff ? saved : null}
        scrollTo={focus && focus.line !== undefined ? { line: focus.line, seq: focus.seq } : null}
        onUndo={() => doc.getState().undo()}
        onRedo={() => doc.getState().redo()}
        onChange={(next) => doc.getState().setText(next, { label: 'Edit YAML', coalesceKey: 'yaml' })}
      />
    </section>
  );
}
