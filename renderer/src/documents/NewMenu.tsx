// Toolbar "New" menu: a blank workflow or one of the bundled templates.
import { useEffect, useRef, useState } from 'react';
import type { DocumentTemplate } from './templates.ts';
import './documents.css';

export function NewMenu({
  templates,
  onChoose,
}: {
  templates: readonly DocumentTemplate[];
  onChoose: (template: DocumentTemplate) => void;
}) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);

  return (
    <span className="doc-new" ref={rootRef}>
      <button
        type="button"
        data-testid="new-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        title="New document from a template"
        onClick={() => setOpen(!open)}
      >
        New ▾
      </button>
      {open && (
        <ul
          className="doc-new-menu"
          role="menu"
          aria-label="New document"
          onKeyDown={(event) => {
            if (event.key === 'Escape') setOpen(false);
          }}
        >
          {templates.map((t, index) => (
            <li key={t.id} role="none">
              <button
                type="button"
                role="menuitem"
                data-testid={`new-template-${t.id}`}
                autoFocus={index === 0}
                onClick={() => {
                  setOpen(false);
                  onChoose(t);
                }}
              >
                <strong>{t.title}</strong>
                <small>{t.description}</small>
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
