/**
 * The bytes every connection of the cluster may hold at once for requests being received and responses
 * not yet written (`queued.max.request.bytes`), shared by all the brokers of the process.
 *
 * As with Kafka's MemoryPool, a large request frame reserves its declared size before its body is read
 * (here once its first 64 KiB arrived, so clients that announce large frames and trickle them hold
 * nothing): a connection that cannot get the memory stops being read (its bytes wait in the kernel)
 * until others give memory back, so ten clients sending 100 MiB frames cannot make the broker hold a
 * gigabyte of half-received requests. Responses are charged when they are handed to the
 * socket and released once written; they cannot be refused, but while they fill the budget large
 * requests wait and fetches return less (see Connection.responseAllowance).
 */
export class MemoryBudget {
  #used = 0;
  readonly #waiters: Array<{ bytes: number; grant: () => void }> = [];

  /** `capacity` <= 0 means no limit (Kafka's -1). */
  constructor(readonly capacity: number) {}

  get usedBytes(): number {
    return this.#used;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  get limited(): boolean {
    return this.capacity > 0;
  }

  /** Bytes that can still be reserved now (Infinity without a limit). */
  available(): number {
    return this.limited ? Math.max(0, this.capacity - this.#used) : Infinity;
  }

  /**
   * Reserves `bytes` if they fit now and nobody waits ahead. A request larger than the whole budget is
   * still let through when nothing else holds memory, so a misconfigured budget cannot wedge a client.
   */
  tryReserve(bytes: number): boolean {
    if (this.#waiters.length > 0) return false;
    if (!this.#fits(bytes)) return false;
    this.#used += bytes;
    return true;
  }

  /** Waits in line for `bytes`; `grant` runs once they are reserved. Returns a cancel function. */
  reserve(bytes: number, grant: () => void): () => void {
    if (this.tryReserve(bytes)) {
      grant();
      return () => {};
    }
    const waiter = { bytes, grant };
    this.#waiters.push(waiter);
    return () => {
      const index = this.#waiters.indexOf(waiter);
      if (index >= 0) this.#waiters.splice(index, 1);
      // The head may have blocked smaller requests behind it.
      if (index === 0) this.#wake();
    };
  }

  /** Counts bytes that exist already (a response handed to a socket), whether they fit or not. */
  charge(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.#used = Math.max(0, this.#used - bytes);
    this.#wake();
  }

  #fits(bytes: number): boolean {
    return !this.limited || this.#used + bytes <= this.capacity || this.#used === 0;
  }

  /** Grants waiters in arrival order while the head fits (first come, first served: large frames are not starved). */
  #wake(): void {
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!.bytes)) {
      const waiter = this.#waiters.shift()!;
      this.#used += waiter.bytes;
      waiter.grant();
    }
  }
}
