/**
 * Whether process `pid` on this machine still runs. Signal 0 only checks: EPERM means it
 * runs under another user, which still counts.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
