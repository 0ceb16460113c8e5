import type { KeyRotationSchedule } from '../../functions/lib/rotation-schedule';

/** A rotation schedule that records what the steps asked of it, in order (`cancelled`: what `cancel` answers). */
export function recordingRotationSchedule(cancelled = true): KeyRotationSchedule & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    schedule: async (secretId, days) => void calls.push(`schedule ${secretId} every ${days} days`),
    cancel: async (secretId) => {
      calls.push(`cancel ${secretId}`);
      return cancelled;
    },
  };
}
