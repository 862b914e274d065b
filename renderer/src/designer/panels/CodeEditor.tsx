// CodeMirror 6 wrapper. The EditorView is created once per mounted component and updated with
// transactions: a new `value` is applied as the minimal change (cursor kept), and the editor's own
// edits are not fed back (the value that comes back equals the document, so nothing is dispatched).
// Undo/redo keys go to the document store (onUndo/onRedo), so one history covers every view.
import { useEffect, useRef } from 'react';
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  StreamLanguage,
  syntaxHighlighting,
} from '@codemirror/language';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Diagnostic } from '@codemirror/lint';
import { unifiedMergeView } from '@codemirror/merge';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Annotation, Compartment, EditorSelection, EditorState } from '@codemirror/state';
import type { Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from '@codemirror/view';
import type { EditorMarker } from './code-lines.ts';
import { editorHighlight, editorTheme } from './editor-theme.ts';
import { lineColRange, minimalChange } from './editor-sync.ts';
import type { TemplateCompletion } from './template-completion.ts';

/** 'text': prose with `{{ }}` templates (message contents), no syntax mode. */
export type EditorLanguage = 'lua' | 'yaml' | 'text';

export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  language: EditorLanguage;
  readOnly?: boolean;
  /** Diagnostics in the editor's own lines/columns (1-based). */
  markers?: readonly EditorMarker[];
  /**
   * Puts the cursor on `line` and scrolls to it whenever `seq` changes (focus requests from the
   * problems panel or a run error); `focus` also moves keyboard focus into the editor.
   */
  scrollTo?: { line: number; seq: number; focus?: boolean } | null;
  /** When set, shows a unified diff of the text against this original (e.g. the saved file). */
  diffOriginal?: string | null;
  onUndo?: () => void;
  onRedo?: () => void;
  ariaLabel?: string;
  testId?: string;
  className?: string;
  /** Completions for the text before the cursor (templates); `explicit` when asked with Ctrl+Space. */
  complete?: (before: string, explicit: boolean) => TemplateCompletion | null;
  /** A small field: no gutters, no active-line highlight, wraps lines (message contents). */
  compact?: boolean;
  placeholder?: string;
}

/** Marks transactions that apply an external value, so they are not reported through onChange. */
const external = Annotation.define<boolean>();

function languageExtension(language: EditorLanguage): Extension {
  if (language === 'text') return [];
  return language === 'lua' ? StreamLanguage.define(lua) : yaml();
}

/** CodeMirror's completion source over the pure `complete` callback (read through a ref). */
function completionSource(latest: {
  current: CodeEditorProps;
}): (ctx: CompletionContext) => CompletionResult | null {
  return (ctx) => {
    const complete = latest.current.complete;
    if (!complete) return null;
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const found = complete(before, ctx.explicit);
    if (!found || found.items.length === 0) return null;
    return {
      from: line.from + found.from,
      options: found.items.map((i) => ({ label: i.label, detail: i.detail, type: i.type })),
      validFor: /^[A-Za-z0-9_.]*$/,
    };
  };
}

function readOnlyExtension(readOnly: boolean): Extension {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];
}

function diffExtension(original: string | null | undefined): Extension {
  if (original === null || original === undefined) return [];
  return unifiedMergeView({ original, mergeControls: false, gutter: true, highlightChanges: true });
}

function toDiagnostics(text: string, markers: readonly EditorMarker[]): Diagnostic[] {
  return markers.map((m) => ({
    ...lineColRange(text, m.line, m.col),
    severity: m.severity,
    message: `${m.code}: ${m.message}`,
  }));
}

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Callbacks change identity every render; the view reads the latest through this ref.
  const latest = useRef(props);
  latest.current = props;
  const compartments = useRef({
    language: new Compartment(),
    readOnly: new Compartment(),
    diff: new Compartment(),
  });

  useEffect(() => {
    const c = compartments.current;
    const initial = latest.current;
    const storeKeys = keymap.of([
      { key: 'Mod-z', run: () => (latest.current.onUndo?.(), latest.current.onUndo !== undefined) },
      {
        key: 'Mod-y',
        run: () => (latest.current.onRedo?.(), latest.current.onRedo !== undefined),
      },
      {
        key: 'Mod-Shift-z',
        run: () => (latest.current.onRedo?.(), latest.current.onRedo !== undefined),
      },
    ]);
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial.value,
        extensions: [
          storeKeys,
          initial.compact
            ? [EditorView.lineWrapping]
            : [lineNumbers(), highlightActiveLineGutter(), foldGutter(), lintGutter(), highlightActiveLine()],
          initial.placeholder ? placeholderText(initial.placeholder) : [],
          initial.complete ? autocompletion({ override: [completionSource(latest)], icons: false }) : [],
          highlightSpecialChars(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightSelectionMatches(),
          syntaxHighlighting(editorHighlight),
          EditorState.tabSize.of(2),
          keymap.of([
            ...(initial.complete ? completionKeymap : []),
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...searchKeymap,
            ...foldKeymap,
            // A compact field lets Tab move focus on (keyboard users leave it like any input).
            ...(initial.compact ? [] : [indentWithTab]),
          ]),
          editorTheme,
          c.language.of(languageExtension(initial.language)),
          c.readOnly.of(readOnlyExtension(initial.readOnly ?? false)),
          c.diff.of(diffExtension(initial.diffOriginal)),
          EditorView.contentAttributes.of({ 'aria-label': initial.ariaLabel ?? 'Code editor' }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            if (update.transactions.some((tr) => tr.annotation(external))) return;
            latest.current.onChange?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  const { value, language, readOnly = false, diffOriginal, markers, scrollTo } = props;

  // Declaration order matters: the text is brought up to date before diagnostics are placed on it.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const change = minimalChange(v.state.doc.toString(), value);
    if (change) v.dispatch({ changes: change, annotations: [external.of(true)] });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.current.language.reconfigure(languageExtension(language)),
    });
  }, [language]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.current.readOnly.reconfigure(readOnlyExtension(readOnly)),
    });
  }, [readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: compartments.current.diff.reconfigure(diffExtension(diffOriginal)) });
  }, [diffOriginal]);

  const markerKey = JSON.stringify(markers ?? []);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, toDiagnostics(v.state.doc.toString(), JSON.parse(markerKey))));
  }, [markerKey, value]);

  const scrollSeq = scrollTo?.seq;
  useEffect(() => {
    const v = view.current;
    const target = latest.current.scrollTo;
    if (!v || !target) return;
    const line = v.state.doc.line(Math.min(Math.max(1, target.line), v.state.doc.lines));
    v.dispatch({
      selection: EditorSelection.cursor(line.from),
      effects: EditorView.scrollIntoView(line.from, { y: 'center' }),
    });
    if (target.focus) v.focus();
  }, [scrollSeq]);

  return (
    <div
      ref={host}
      className={`code-editor ${props.className ?? ''}`}
      data-testid={props.testId ?? 'code-editor'}
      data-language={props.language}
    />
  );
}
