/** Runs one statement for a whole batch; its answers line up with `inputs`, one per input. */
export type BatchStatement<Input, Output> = (inputs: readonly Input[]) => Promise<readonly Output[]>;

export interface StatementBatcherOptions<Input, Output> {
  run: BatchStatement<Input, Output>;
  /** The most inputs one statement carries. */
  maxBatch: number;
  /**
   * Inputs with the same key never share a statement (a later one waits for the next): an UPSERT cannot
   * touch one row twice, and an UPDATE … FROM would apply only one of two inputs for the same row.
   */
  conflictKey: (input: Input) => string;
}

interface Pending<Input, Output> {
  input: Input;
  resolve: (output: Output) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a statement every file runs: the first submission goes out at once, and whatever is
 * submitted while a statement is in flight goes out together in the next one. At low load a file waits for
 * nothing; under load one round trip, one parse and one commit serve many files, which is most of what
 * PostgreSQL and the driver spend per file. A failed statement fails every input it carried.
 */
export class StatementBatcher<Input, Output> {
  readonly #options: StatementBatcherOptions<Input, Output>;
  #queue: Pending<Input, Output>[] = [];
  #running = false;

  constructor(options: StatementBatcherOptions<Input, Output>) {
    this.#options = options;
  }

  submit(input: Input): Promise<Output> {
    return new Promise<Output>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const batch = this.#takeBatch();
      try {
        const outputs = await this.#options.run(batch.map((pending) => pending.input));
        if (outputs.length !== batch.length) {
          throw new Error(`a batch statement answered ${outputs.length} times for ${batch.length} inputs`);
        }
        batch.forEach((pending, index) => pending.resolve(outputs[index] as Output));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#running = false;
  }

  /** Up to maxBatch queued inputs with distinct keys, oldest first; the rest stay queued in order. */
  #takeBatch(): Pending<Input, Output>[] {
    const { maxBatch, conflictKey } = this.#options;
    const batch: Pending<Input, Output>[] = [];
    const left: Pending<Input, Output>[] = [];
    const keys = new Set<string>();
    for (const pending of this.#queue) {
      const key = conflictKey(pending.input);
      if (batch.length < maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(pending);
      } else {
        left.push(pending);
      }
    }
    this.#queue = left;
    return batch;
  }
}
