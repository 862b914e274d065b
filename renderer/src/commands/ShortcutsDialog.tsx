// Keyboard shortcut cheat sheet ("?", Help › Keyboard Shortcuts or the palette): every registry key and
// the canvas gestures (shortcut-sheet.ts).
import { useEffect, useRef } from 'react';
import { shortcutSections } from './shortcut-sheet.ts';
import './commands.css';

export function ShortcutsDialog({ mac, onClose }: { mac: boolean; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="cmd-overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div
        className="cmd-dialog cmd-shortcuts"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcuts-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape' || event.key === '?') {
            event.preventDefault();
            onClose();
          }
          event.stopPropagation();
        }}
      >
        <header className="cmd-dialog-head">
          <strong>Keyboard shortcuts</strong>
          <button type="button" ref={closeRef} onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className="cmd-shortcut-sections">
          {shortcutSections(mac).map((section) => (
            <section key={section.title}>
              <h3>{section.title}</h3>
              <table>
                <tbody>
                  {section.rows.map((row) => (
                    <tr key={row.description}>
                      <td>
                        {row.keys.map((k, i) => (
                          <span key={k}>
                            {i > 0 && ' or '}
                            <kbd>{k}</kbd>
                          </span>
                        ))}
                      </td>
                      <td>{row.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
