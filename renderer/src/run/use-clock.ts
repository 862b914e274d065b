// A ticking clock for live runs: re-renders at most every `everyMs` via requestAnimationFrame while
// `active`, and stops when the run ends (no timers left behind).
import { useEffect, useState } from 'react';

export function useClock(active: boolean, everyMs = 100): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    let frame = 0;
    let last = 0;
    const tick = (time: number) => {
      if (time - last >= everyMs) {
        last = time;
        setNow(performance.now());
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [active, everyMs]);
  return now;
}
