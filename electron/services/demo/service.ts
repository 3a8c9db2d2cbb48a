// The demo of the embedded cluster: a producer writing to demo.orders at a chosen rate, and consumer
// groups reading it at a chosen rate per consumer, in the main process with @platformatic/kafka.
//
// - One group with one or two consumers: the consumers share the partitions (a queue).
// - A second group: it reads every record too (publish/subscribe).
//
// Consumers commit what they have processed twice a second, so the lag the sampler records rises when
// the producer is faster and falls when the consumers are. Everything stops cleanly: streams closed,
// members leave their group, clients closed.
import { Consumer, Producer, type GroupAssignment, type MessagesStream } from '@platformatic/kafka';
import { DEMO_GROUP, DEMO_SECOND_GROUP, DEMO_TOPIC, demoOptionsSchema, type DemoOptions, type DemoStatus } from '../../../shared/model/groups';
import { AppError } from '../../core/errors';

export const DEMO_PARTITIONS = 4;
const COMMIT_INTERVAL_MS = 500;
const TICK_MS = 100;

export interface DemoServiceDeps {
  /** Bootstrap servers of the embedded cluster, or null when it is not running. */
  bootstrapServers(): string | null;
  /** Creates the demo topic when it does not exist; returns its partition count. */
  ensureTopic(topic: string, partitions: number): Promise<number>;
  emit?(status: DemoStatus): void;
}

type Buffers = Producer;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class DemoConsumer {
  readonly name: string;
  readonly group: string;
  state: 'joining' | 'consuming' | 'stopped' | 'failed' = 'joining';
  consumed = 0;
  error: string | null = null;
  #consumer: Consumer;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | null = null;
  #rate: () => number;
  #pending = new Map<string, { topic: string; partition: number; offset: bigint; leaderEpoch: number }>();
  #commitTimer: NodeJS.Timeout | null = null;
  #loop: Promise<void> | null = null;
  #stopping = false;
  #onChange: () => void;

  constructor(options: { name: string; group: string; bootstrapServers: string; rate: () => number; onChange: () => void }) {
    this.name = options.name;
    this.group = options.group;
    this.#rate = options.rate;
    this.#onChange = options.onChange;
    this.#consumer = new Consumer({
      clientId: options.name,
      groupId: options.group,
      bootstrapBrokers: options.bootstrapServers.split(','),
      autocommit: false,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTime: 500,
      // A small buffer, so a consumer that is told to stop does not sit on many fetched records.
      highWaterMark: 32,
      connectTimeout: 5_000,
      requestTimeout: 15_000,
      retries: 3,
      retryDelay: 300,
    });
    this.#consumer.on('consumer:group:join', () => {
      if (this.state === 'joining') this.state = 'consuming';
      this.#onChange();
    });
  }

  partitions(): number[] {
    const assignments: GroupAssignment[] = this.#consumer.assignments ?? [];
    return assignments.flatMap((assignment) => (assignment.topic === DEMO_TOPIC ? assignment.partitions : [])).sort((a, b) => a - b);
  }

  start(): void {
    this.#loop = this.#run().catch((error: unknown) => {
      if (this.#stopping) return;
      this.state = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      this.#onChange();
    });
    this.#commitTimer = setInterval(() => void this.#commit(), COMMIT_INTERVAL_MS);
  }

  async #run(): Promise<void> {
    const stream = await this.#consumer.consume({ topics: [DEMO_TOPIC], mode: 'committed', fallbackMode: 'earliest', maxWaitTime: 500 });
    this.#stream = stream;
    if (this.#stopping) return;
    this.state = 'consuming';
    this.#onChange();
    let budget = 0;
    let last = performance.now();
    for await (const message of stream) {
      // Process at the chosen rate: wait for budget, refilled by the clock.
      while (budget < 1) {
        if (this.#stopping) return;
        await sleep(TICK_MS / 2);
        const now = performance.now();
        budget = Math.min(budget + ((now - last) / 1000) * this.#rate(), Math.max(1, this.#rate()));
        last = now;
      }
      if (this.#stopping) return;
      budget -= 1;
      this.consumed += 1;
      this.#pending.set(`${message.topic}:${message.partition}`, {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset + 1n,
        leaderEpoch: -1,
      });
    }
  }

  async #commit(): Promise<void> {
    if (!this.#pending.size) return;
    const offsets = [...this.#pending.values()];
    this.#pending.clear();
    try {
      await this.#consumer.commit({ offsets });
    } catch {
      // A rebalance moved the partitions: the new owner commits them from now on.
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#commitTimer) clearInterval(this.#commitTimer);
    this.#commitTimer = null;
    await this.#commit();
    await this.#stream?.close().catch(() => undefined);
    await this.#loop?.catch(() => undefined);
    // Leaves the group so the other members get its partitions at once.
    await new Promise<void>((resolve) => this.#consumer.close(true, () => resolve()));
    this.state = 'stopped';
  }
}

/** Runs the demo; one at a time. */
export class DemoService {
  #options: DemoOptions = { produceRate: 50, consumeRate: 30, consumers: 1, secondGroup: false };
  #producer: Buffers | null = null;
  #producerTimer: NodeJS.Timeout | null = null;
  #producing = false;
  #produced = 0;
  #partitions = 0;
  #consumers: DemoConsumer[] = [];
  #error: string | null = null;
  #busy: Promise<unknown> = Promise.resolve();
  #emitTimer: NodeJS.Timeout | null = null;
  readonly #deps: DemoServiceDeps;

  constructor(deps: DemoServiceDeps) {
    this.#deps = deps;
  }

  status(): DemoStatus {
    return {
      running: this.#producing || this.#consumers.length > 0,
      topic: DEMO_TOPIC,
      partitions: this.#partitions,
      options: this.#options,
      producing: this.#producing,
      produced: this.#produced,
      consumers: this.#consumers.map((consumer) => ({
        name: consumer.name,
        group: consumer.group,
        state: consumer.state,
        partitions: consumer.partitions(),
        consumed: consumer.consumed,
        error: consumer.error,
      })),
      error: this.#error,
    };
  }

  /** Starts the demo, or changes a running one to these options (rates, consumers, second group). */
  start(options: DemoOptions): Promise<DemoStatus> {
    return this.#serial(async () => {
      const parsed = demoOptionsSchema.parse(options);
      const servers = this.#deps.bootstrapServers();
      if (!servers) throw new AppError('unavailable', 'The embedded cluster is not running, so the demo cannot start.');
      this.#error = null;
      this.#options = parsed;
      this.#partitions = await this.#deps.ensureTopic(DEMO_TOPIC, DEMO_PARTITIONS);
      this.#startProducer(servers);
      const wanted = [
        ...Array.from({ length: parsed.consumers }, (_, index) => ({ name: `${DEMO_GROUP}-${index + 1}`, group: DEMO_GROUP })),
        ...(parsed.secondGroup ? [{ name: `${DEMO_SECOND_GROUP}-1`, group: DEMO_SECOND_GROUP }] : []),
      ];
      const keep = this.#consumers.filter((consumer) => wanted.some((entry) => entry.name === consumer.name) && consumer.state !== 'failed');
      const drop = this.#consumers.filter((consumer) => !keep.includes(consumer));
      await Promise.all(drop.map((consumer) => consumer.stop()));
      this.#consumers = keep;
      for (const entry of wanted) {
        if (keep.some((consumer) => consumer.name === entry.name)) continue;
        const consumer = new DemoConsumer({
          ...entry,
          bootstrapServers: servers,
          rate: () => this.#options.consumeRate,
          onChange: () => this.#emitSoon(),
        });
        this.#consumers.push(consumer);
        consumer.start();
      }
      this.#consumers.sort((a, b) => (a.name < b.name ? -1 : 1));
      this.#startEmitting();
      return this.#changed();
    });
  }

  /** Stops the consumers (the producer keeps writing, so the lag grows), or everything. */
  stop(what: 'consumers' | 'all'): Promise<DemoStatus> {
    return this.#serial(async () => {
      const consumers = this.#consumers;
      this.#consumers = [];
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      if (what === 'all') await this.#stopProducer();
      if (!this.#producing) this.#stopEmitting();
      return this.#changed();
    });
  }

  async close(): Promise<void> {
    await this.stop('all').catch(() => undefined);
  }

  #startProducer(servers: string): void {
    if (this.#producer) return;
    const producer: Buffers = new Producer({
      clientId: 'demo.producer',
      bootstrapBrokers: servers.split(','),
      connectTimeout: 5_000,
      requestTimeout: 15_000,
      retries: 3,
      retryDelay: 300,
    });
    this.#producer = producer;
    this.#producing = true;
    let budget = 0;
    let last = performance.now();
    let inFlight = false;
    let sequence = this.#produced;
    this.#producerTimer = setInterval(() => {
      const now = performance.now();
      budget = Math.min(budget + ((now - last) / 1000) * this.#options.produceRate, this.#options.produceRate + 1);
      last = now;
      if (inFlight || budget < 1 || !this.#partitions) return;
      const count = Math.floor(budget);
      budget -= count;
      const messages = Array.from({ length: count }, () => {
        sequence += 1;
        return {
          topic: DEMO_TOPIC,
          partition: sequence % this.#partitions,
          key: Buffer.from(`order-${sequence}`),
          value: Buffer.from(JSON.stringify({ order: sequence, amount: (sequence * 7) % 100, at: new Date().toISOString() })),
        };
      });
      inFlight = true;
      producer
        .send({ messages, acks: 1 })
        .then(() => {
          this.#produced += messages.length;
          this.#error = null;
        })
        .catch((error: unknown) => {
          this.#error = `The demo producer could not write: ${error instanceof Error ? error.message : String(error)}`;
        })
        .finally(() => {
          inFlight = false;
        });
    }, TICK_MS);
  }

  async #stopProducer(): Promise<void> {
    if (this.#producerTimer) clearInterval(this.#producerTimer);
    this.#producerTimer = null;
    const producer = this.#producer;
    this.#producer = null;
    this.#producing = false;
    await producer?.close().catch(() => undefined);
  }

  #startEmitting(): void {
    if (this.#emitTimer) return;
    this.#emitTimer = setInterval(() => this.#deps.emit?.(this.status()), 1_000);
  }

  #stopEmitting(): void {
    if (this.#emitTimer) clearInterval(this.#emitTimer);
    this.#emitTimer = null;
  }

  #emitSoon(): void {
    setImmediate(() => this.#deps.emit?.(this.status()));
  }

  #changed(): DemoStatus {
    const status = this.status();
    this.#deps.emit?.(status);
    return status;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(task, task);
    this.#busy = run.catch(() => undefined);
    return run;
  }
}
