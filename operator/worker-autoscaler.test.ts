import { describe, expect, it } from "vitest";
import { recommendReplicas, ScaleDownStabilizer } from "./worker-autoscaler.ts";

const bounds = { minReplicas: 1, maxReplicas: 5, targetTasksPerReplica: 100 };

describe("worker replicas", () => {
  it("follow the backlog, one replica per target, within the bounds", () => {
    expect(recommendReplicas(0, bounds)).toBe(1);
    expect(recommendReplicas(101, bounds)).toBe(2);
    expect(recommendReplicas(300, bounds)).toBe(3);
    expect(recommendReplicas(10_000, bounds)).toBe(5);
    expect(recommendReplicas(0, { ...bounds, minReplicas: 0 })).toBe(0);
  });

  it("scale up at once but down only once the window holds no higher recommendation", () => {
    const stabilizer = new ScaleDownStabilizer(60_000);
    expect(stabilizer.desired(2, 0)).toBe(2);
    expect(stabilizer.desired(5, 10_000)).toBe(5);
    expect(stabilizer.desired(1, 20_000)).toBe(5);
    expect(stabilizer.desired(3, 50_000)).toBe(5);
    expect(stabilizer.desired(1, 70_001)).toBe(3);
    expect(stabilizer.desired(1, 110_001)).toBe(1);
  });
});
