// The generic controller runtime: list/watch caches, a keyed rate-limited queue, the reconcile loop, leader
// election, probes and metrics, status and Event writers. It knows nothing of ImageSync's resources.

export { statusCodeOf } from "./api-errors.ts";
export { backoffDelay, type BackoffOptions } from "./backoff.ts";
export { sleep, systemClock, type Clock } from "./clock.ts";
export { findCondition, setCondition, type Condition, type ConditionUpdate } from "./conditions.ts";
export { Controller, type ControllerOptions, type ReconcileResult, type Reconciler } from "./controller.ts";
export { EventRecorder, type EventRecorderOptions, type EventType } from "./events.ts";
export { HealthServer, type HealthCheck, type HealthServerOptions } from "./health-server.ts";
export { Informer, type InformerEventHandler, type InformerOptions } from "./informer.ts";
export { KubeApiError, KubeClient, type WatchEventCallback } from "./kube-client.ts";
export {
  inClusterConnection,
  inClusterServer,
  kubeconfigConnection,
  processConnection,
  type InClusterServer,
  type KubeConnection,
} from "./kube-connection.ts";
export { LeaderElector, type LeaderElectorOptions } from "./leader-election.ts";
// The runtime logs through the project's logger; re-exported so callers wire one import.
export { silentLogger, type Logger } from "../log/index.ts";
export { objectKey, splitObjectKey } from "./object-key.ts";
export { ItemExponentialRateLimiter } from "./rate-limiter.ts";
export { customResourcePath, customResourcesPath, patchStatus, type CustomResourceRef } from "./status.ts";
// Test helpers: a clock tests drive, and a registry reader for asserting on metrics.
export { FakeClock, metricValue, settle } from "./testing.ts";
export { WorkQueue, type WorkQueueOptions } from "./work-queue.ts";
