/** How many recent keypress → next item timings are kept on `window.__tandemTimings`. */
const KEEP = 1000;

declare global {
  interface Window {
    /** Milliseconds from an answering keypress to the next item being on screen (newest last). */
    __tandemTimings?: number[];
  }
}

/** Record one keypress → next-item-visible time where the browser tests and benchmarks read it. */
export function recordNextItemTiming(ms: number): void {
  const timings = (window.__tandemTimings ??= []);
  timings.push(Math.round(ms * 10) / 10);
  if (timings.length > KEEP) timings.splice(0, timings.length - KEEP);
}

/**
 * Call `done` once the frame showing the current DOM has been painted: the frame callback runs
 * just before paint, and a task queued from it runs right after.
 */
export function afterNextPaint(done: () => void): void {
  if (typeof requestAnimationFrame !== "function") {
    setTimeout(done, 0);
    return;
  }
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => done();
    channel.port2.postMessage(null);
  });
}
