import { useCallback, useEffect, useState } from "react";

const STORAGE_KEY = "tandem.wellness.graphicSeconds";

function stored(): number {
  try {
    const value = Number(window.sessionStorage.getItem(STORAGE_KEY));
    return Number.isFinite(value) && value > 0 ? value : 0;
  } catch {
    return 0;
  }
}

function store(seconds: number): void {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, String(seconds));
  } catch {
    // Storage may be off (private windows); the count then lives as long as the page.
  }
}

/**
 * Active seconds on graphic content in this browser tab: counted once a second while `active`
 * (graphic content shown) and the page is visible; kept in session storage, so moving between
 * pages of the tab does not start it again. `reset` starts the count from zero (after a break
 * reminder is answered).
 */
export function useGraphicTimer(active: boolean): { seconds: number; reset: () => void } {
  const [seconds, setSeconds] = useState(stored);

  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== "visible") return;
      setSeconds((current) => {
        const next = current + 1;
        store(next);
        return next;
      });
    }, 1000);
    return () => window.clearInterval(timer);
  }, [active]);

  const reset = useCallback(() => {
    store(0);
    setSeconds(0);
  }, []);
  return { seconds, reset };
}
