import { useEffect, useState } from "react";

/**
 * `value` once it has stayed the same for `delayMs`: a form that asks the server on every change
 * asks once per pause in typing. Compared by JSON, so a rebuilt but equal object does not restart
 * the wait.
 */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
  return settled;
}
