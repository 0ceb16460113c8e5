import provisionDefinition from '../statemachine/provision-tenant.asl.json';
import restoreDefinition from '../statemachine/restore-tenant.asl.json';
import teardownDefinition from '../statemachine/teardown-tenant.asl.json';
import type { Workflow } from '../functions/lib/executions';

/** A Retry entry of a state (ASL): which errors, how many retries, and how long it pauses before each. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/** What tenantctl reads of a state: its type, a Wait's duration, a Task's retriers. */
export interface StateDefinition {
  Type: string;
  Seconds?: number;
  SecondsPath?: string;
  Retry?: Retrier[];
}

/** The state machines as deployed (statemachine/*.asl.json): what a followed run's states will do. */
export const DEFINITIONS: Record<Workflow, { States: Record<string, StateDefinition> }> = {
  provision: provisionDefinition,
  teardown: teardownDefinition,
  restore: restoreDefinition,
};
