// The width of an element, following resizes (charts draw to the space they get), and the part of a
// tall element its scrolling ancestor shows (long lists render only the rows in view).
import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';

export function useWidth<T extends HTMLElement>(fallback = 720) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

export interface ScrollWindow {
  /** px from the element's top edge to the first visible pixel of it (0 when its top is in view). */
  top: number;
  /** Height of the scrolling ancestor's viewport. */
  height: number;
}

function scrollParent(el: HTMLElement): HTMLElement | null {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const { overflowY } = getComputedStyle(p);
    if (overflowY === 'auto' || overflowY === 'scroll') return p;
  }
  return null;
}

/**
 * The visible vertical window of `ref`'s element inside its nearest scrolling ancestor (or the page),
 * following scrolls and resizes. Updates only when it moves by `quantum` px or more, so a list with
 * rows of that height re-renders once per row scrolled, not per scroll event. The first reading comes
 * from a ResizeObserver, which runs after layout: mounting forces no synchronous style or layout pass.
 */
export function useScrollWindow(ref: RefObject<HTMLElement | null>, quantum = 1): ScrollWindow {
  const [view, setView] = useState<ScrollWindow>({ top: 0, height: 600 });
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let scroller: HTMLElement | null | undefined;
    let target: HTMLElement | Window | undefined;
    const measure = () => {
      if (!scroller) return;
      const viewTop = scroller.getBoundingClientRect().top + scroller.clientTop;
      const height = scroller.clientHeight;
      const top = Math.max(0, viewTop - el.getBoundingClientRect().top);
      setView((v) =>
        Math.abs(v.top - top) < quantum && Math.abs(v.height - height) < quantum ? v : { top, height },
      );
    };
    const measureWindow = () => {
      const top = Math.max(0, -el.getBoundingClientRect().top);
      const height = window.innerHeight;
      setView((v) =>
        Math.abs(v.top - top) < quantum && Math.abs(v.height - height) < quantum ? v : { top, height },
      );
    };
    const observer = new ResizeObserver(() => {
      if (scroller === undefined) {
        scroller = scrollParent(el);
        target = scroller ?? window;
        target.addEventListener('scroll', scroller ? measure : measureWindow, { passive: true });
        if (scroller) observer.observe(scroller);
      }
      (scroller ? measure : measureWindow)();
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      target?.removeEventListener('scroll', scroller ? measure : measureWindow);
    };
  }, [ref, quantum]);
  return view;
}
