import { describe, expect, it } from "vitest";
import { StatementBatcher } from "./statement-batcher.ts";

/** A statement that doubles numbers, records each batch it ran, and answers only when released. */
function gatedDoubling() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (inputs: readonly number[]): Promise<number[]> => {
    batches.push([...inputs]);
    await new Promise<void>((resolve) => gates.push(resolve));
    return inputs.map((input) => input * 2);
  };
  const releaseNext = async (): Promise<void> => {
    await expect.poll(() => gates.length).toBeGreaterThan(0);
    gates.shift()?.();
  };
  return { run, batches, releaseNext };
}

describe("StatementBatcher", () => {
  it("sends the first input at once and everything submitted meanwhile in the next statement", async () => {
    const statement = gatedDoubling();
    const batcher = new StatementBatcher({ run: statement.run, maxBatch: 10, conflictKey: String });

    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((input) => batcher.submit(input));
    await statement.releaseNext();
    await statement.releaseNext();

    expect(await first).toBe(2);
    expect(await Promise.all(rest)).toEqual([4, 6, 8]);
    expect(statement.batches).toEqual([[1], [2, 3, 4]]);
  });

  it("never puts more than maxBatch inputs or two inputs with one key in a statement", async () => {
    const statement = gatedDoubling();
    const batcher = new StatementBatcher({
      run: statement.run,
      maxBatch: 2,
      conflictKey: (input: number) => String(input % 10),
    });

    const outputs = Promise.all([1, 11, 2, 3, 21].map((input) => batcher.submit(input)));
    for (let batch = 0; batch < 3; batch++) await statement.releaseNext();

    expect(await outputs).toEqual([2, 22, 4, 6, 42]);
    expect(statement.batches).toEqual([[1], [11, 2], [3, 21]]);
  });

  it("fails every input of a failed statement and carries on with the next", async () => {
    let calls = 0;
    const batcher = new StatementBatcher({
      run: (inputs: readonly number[]) =>
        calls++ === 0 ? Promise.reject(new Error("connection lost")) : Promise.resolve([...inputs]),
      maxBatch: 10,
      conflictKey: String,
    });

    await expect(batcher.submit(1)).rejects.toThrow("connection lost");
    expect(await batcher.submit(2)).toBe(2);
  });

  it("fails a batch whose statement answers for the wrong number of inputs", async () => {
    const batcher = new StatementBatcher({
      run: () => Promise.resolve([]),
      maxBatch: 10,
      conflictKey: String,
    });

    await expect(batcher.submit(1)).rejects.toThrow("answered 0 times for 1 inputs");
  });
});
