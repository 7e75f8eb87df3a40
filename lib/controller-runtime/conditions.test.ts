import { describe, expect, it } from "vitest";
import { findCondition, setCondition, type Condition } from "./conditions.ts";

const t0 = new Date("2025-01-01T00:00:00.123Z");
const t1 = new Date("2025-01-01T00:05:00.456Z");

describe("setCondition", () => {
  it("appends a new type with lastTransitionTime in whole seconds", () => {
    const conditions = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Listing", message: "listing" },
      t0,
    );
    expect(conditions).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "Listing",
        message: "listing",
        lastTransitionTime: "2025-01-01T00:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime when the status stays, but takes the new reason, message and generation", () => {
    const before = setCondition(
      [],
      { type: "Ready", status: "False", reason: "Listing", message: "a", observedGeneration: 1 },
      t0,
    );
    const after = setCondition(
      before,
      { type: "Ready", status: "False", reason: "Copying", message: "b", observedGeneration: 2 },
      t1,
    );
    expect(after).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "Copying",
        message: "b",
        observedGeneration: 2,
        lastTransitionTime: "2025-01-01T00:00:00Z",
      },
    ]);
  });

  it("moves lastTransitionTime when the status changes", () => {
    const before = setCondition([], { type: "Ready", status: "False", reason: "Listing", message: "" }, t0);
    const after = setCondition(before, { type: "Ready", status: "True", reason: "Done", message: "" }, t1);
    expect(findCondition(after, "Ready")?.lastTransitionTime).toBe("2025-01-01T00:05:00Z");
  });

  it("treats the list as a map by type: other conditions keep their place and values, the input is not modified", () => {
    const listing: Condition = {
      type: "Listing",
      status: "True",
      reason: "Paging",
      message: "",
      lastTransitionTime: "2024-12-31T00:00:00Z",
    };
    const ready: Condition = {
      type: "Ready",
      status: "False",
      reason: "Listing",
      message: "",
      lastTransitionTime: "2024-12-31T00:00:00Z",
    };
    const before = [listing, ready];
    const after = setCondition(
      before,
      { type: "Listing", status: "False", reason: "Listed", message: "" },
      t1,
    );
    expect(after.map((c) => c.type)).toEqual(["Listing", "Ready"]);
    expect(after[1]).toBe(ready);
    expect(before[0]).toBe(listing);
    expect(listing.status).toBe("True");
  });
});

describe("findCondition", () => {
  it("finds by type, or returns undefined", () => {
    const conditions = setCondition([], { type: "Ready", status: "True", reason: "Done", message: "" }, t0);
    expect(findCondition(conditions, "Ready")?.status).toBe("True");
    expect(findCondition(conditions, "Suspended")).toBeUndefined();
    expect(findCondition(undefined, "Ready")).toBeUndefined();
  });
});
