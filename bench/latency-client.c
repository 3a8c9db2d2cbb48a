/*
 * End-to-end latency client for `npm run bench -- latency` (compiled at bench time against Debian's
 * librdkafka-dev: gcc -O2 latency-client.c -lrdkafka -lpthread).
 *
 * One producer and one consumer in one process, as a user's librdkafka application would be. The
 * producer sends records at a fixed rate (linger.ms=0 unless told), each carrying its sequence number
 * and its send time (CLOCK_MONOTONIC); the consumer (the simple consumer API: no group, partition 0
 * from its log end at start) reads them and records receive time - send time. Delivery reports give the
 * produce (ack) latency. Records of the first `warmup` seconds are sent but not counted.
 *
 *   latency-client BOOTSTRAP TOPIC ACKS RATE SECONDS WARMUP_SECONDS SIZE LINGER_MS
 *
 * RATE 0 sends as fast as librdkafka accepts (a throughput run: the consumer is not started, only
 * delivery reports are counted). Prints one JSON line on standard output: ack and e2e percentiles,
 * and `late`, how late the sending thread woke for each record's slot (the machine's scheduling noise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct samples {
  uint64_t *values;
  size_t count;
  size_t capacity;
};

static void samples_add(struct samples *s, uint64_t v) {
  if (s->count == s->capacity) {
    s->capacity = s->capacity ? s->capacity * 2 : 65536;
    s->values = realloc(s->values, s->capacity * sizeof(uint64_t));
    if (!s->values) {
      fprintf(stderr, "out of memory\n");
      exit(1);
    }
  }
  s->values[s->count++] = v;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile in milliseconds; -1 without samples. */
static double percentile_ms(const struct samples *s, double p) {
  if (s->count == 0) return -1;
  size_t rank = (size_t)(p / 100.0 * (double)s->count + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > s->count) rank = s->count;
  return (double)s->values[rank - 1] / 1e6;
}

static void print_stats(const char *name, struct samples *s) {
  qsort(s->values, s->count, sizeof(uint64_t), cmp_u64);
  printf("\"%s\":{\"count\":%zu,\"p50\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f}", name, s->count,
         percentile_ms(s, 50), percentile_ms(s, 99), percentile_ms(s, 99.9), percentile_ms(s, 100));
}

/* Shared between the threads. */
static uint64_t first_counted_seq;
static atomic_int stop_threads;
static atomic_uint_fast64_t delivered, delivery_errors, consumed, consumed_counted;
static struct samples ack_samples, e2e_samples; /* each written by one thread only */
/* How late the sending thread was for each record's slot: the machine's scheduling noise, which the
 * client's and the broker's threads alike suffer (a broker cannot answer sooner than it runs). */
static struct samples late_samples;
static char last_error[256];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    atomic_fetch_add(&delivery_errors, 1);
    snprintf(last_error, sizeof last_error, "%s", rd_kafka_err2str(m->err));
    return;
  }
  atomic_fetch_add(&delivered, 1);
  if (m->len >= 16) {
    uint64_t seq, sent;
    memcpy(&seq, m->payload, 8);
    memcpy(&sent, (const char *)m->payload + 8, 8);
    if (seq >= first_counted_seq) samples_add(&ack_samples, now_ns() - sent);
  }
}

static void *poll_producer(void *arg) {
  rd_kafka_t *rk = arg;
  while (!atomic_load(&stop_threads)) rd_kafka_poll(rk, 50);
  rd_kafka_poll(rk, 0);
  return NULL;
}

struct consumer_args {
  rd_kafka_topic_t *topic;
};

static void *consume(void *arg) {
  struct consumer_args *c = arg;
  while (!atomic_load(&stop_threads)) {
    /* One at a time: rd_kafka_consume_batch() waits for a full batch or its timeout. */
    rd_kafka_message_t *m = rd_kafka_consume(c->topic, 0, 50);
    if (!m) continue;
    uint64_t now = now_ns();
    if (!m->err && m->len >= 16) {
      uint64_t seq, sent;
      memcpy(&seq, m->payload, 8);
      memcpy(&sent, (const char *)m->payload + 8, 8);
      atomic_fetch_add(&consumed, 1);
      if (seq >= first_counted_seq) {
        samples_add(&e2e_samples, now - sent);
        atomic_fetch_add(&consumed_counted, 1);
      }
    }
    rd_kafka_message_destroy(m);
  }
  return NULL;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char err[256];
  if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config %s=%s: %s\n", name, value, err);
    exit(2);
  }
}

static void sleep_until(uint64_t t) {
  struct timespec ts = {(time_t)(t / 1000000000ull), (long)(t % 1000000000ull)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: %s BOOTSTRAP TOPIC ACKS RATE SECONDS WARMUP_SECONDS SIZE LINGER_MS\n", argv[0]);
    return 2;
  }
  const char *bootstrap = argv[1], *topic_name = argv[2], *acks = argv[3];
  double rate = atof(argv[4]), seconds = atof(argv[5]), warmup = atof(argv[6]);
  size_t size = (size_t)atoi(argv[7]);
  const char *linger = argv[8];
  if (size < 16) size = 16;
  char err[512];

  rd_kafka_conf_t *pconf = rd_kafka_conf_new();
  set(pconf, "bootstrap.servers", bootstrap);
  set(pconf, "acks", acks);
  set(pconf, "linger.ms", linger);
  set(pconf, "queue.buffering.max.messages", "2000000");
  set(pconf, "queue.buffering.max.kbytes", "2000000");
  set(pconf, "compression.codec", "none");
  rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
  rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
  if (!producer) {
    fprintf(stderr, "producer: %s\n", err);
    return 1;
  }
  rd_kafka_topic_t *ptopic = rd_kafka_topic_new(producer, topic_name, NULL);

  rd_kafka_t *consumer = NULL;
  rd_kafka_topic_t *ctopic = NULL;
  pthread_t consumer_thread, poll_thread;
  int consuming = rate > 0;
  if (consuming) {
    rd_kafka_conf_t *cconf = rd_kafka_conf_new();
    set(cconf, "bootstrap.servers", bootstrap);
    consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof err);
    if (!consumer) {
      fprintf(stderr, "consumer: %s\n", err);
      return 1;
    }
    ctopic = rd_kafka_topic_new(consumer, topic_name, NULL);
    /* From the current log end, looked up now: RD_KAFKA_OFFSET_END would be resolved later, maybe
     * after the first records were sent. */
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t werr = rd_kafka_query_watermark_offsets(consumer, topic_name, 0, &low, &high, 10000);
    if (werr) {
      fprintf(stderr, "watermarks: %s\n", rd_kafka_err2str(werr));
      return 1;
    }
    if (rd_kafka_consume_start(ctopic, 0, high) == -1) {
      fprintf(stderr, "consume_start: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
      return 1;
    }
  }

  /* Metadata and connections first, so the first records do not pay for them. */
  const struct rd_kafka_metadata *md;
  if (rd_kafka_metadata(producer, 0, ptopic, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "metadata: failed\n");
    return 1;
  }
  rd_kafka_metadata_destroy(md);

  char *payload = calloc(1, size);
  for (size_t i = 16; i < size; i++) payload[i] = (char)('a' + i % 26);

  first_counted_seq = rate > 0 ? (uint64_t)(rate * warmup) : 0;
  uint64_t total = rate > 0 ? (uint64_t)(rate * (warmup + seconds)) : (uint64_t)seconds; /* rate 0: SECONDS is a count */
  struct consumer_args cargs = {ctopic};
  if (consuming) pthread_create(&consumer_thread, NULL, consume, &cargs);
  pthread_create(&poll_thread, NULL, poll_producer, producer);
  /* Let the consumer's first fetch reach the broker before the first record. */
  if (consuming) sleep_until(now_ns() + 500000000ull);

  uint64_t start = now_ns(), counted_start = 0, queue_full = 0, max_behind = 0;
  double interval = rate > 0 ? 1e9 / rate : 0;
  for (uint64_t seq = 0; seq < total; seq++) {
    if (rate > 0) {
      uint64_t due = start + (uint64_t)(interval * (double)seq);
      uint64_t t = now_ns();
      if (t < due) {
        sleep_until(due);
        t = now_ns();
      }
      if (seq >= first_counted_seq) {
        if (t - due > max_behind) max_behind = t - due;
        samples_add(&late_samples, t - due);
      }
    }
    if (seq == first_counted_seq) counted_start = now_ns();
    uint64_t sent = now_ns();
    memcpy(payload, &seq, 8);
    memcpy(payload + 8, &sent, 8);
    while (rd_kafka_produce(ptopic, 0, RD_KAFKA_MSG_F_COPY, payload, size, NULL, 0, NULL) == -1) {
      queue_full++;
      rd_kafka_poll(producer, 1);
    }
  }
  uint64_t sent_end = now_ns();
  rd_kafka_flush(producer, 60000);
  uint64_t flushed = now_ns();
  if (consuming) {
    uint64_t deadline = now_ns() + 10000000000ull;
    while (atomic_load(&consumed) < total && now_ns() < deadline) sleep_until(now_ns() + 10000000ull);
  }
  atomic_store(&stop_threads, 1);
  if (consuming) pthread_join(consumer_thread, NULL);
  pthread_join(poll_thread, NULL);

  uint64_t counted = total - first_counted_seq;
  printf("{\"acks\":\"%s\",\"rate\":%.0f,\"records\":%" PRIu64 ",\"counted\":%" PRIu64 ",", acks, rate, total, counted);
  printf("\"send_seconds\":%.4f,\"flush_seconds\":%.4f,", (double)(sent_end - counted_start) / 1e9, (double)(flushed - counted_start) / 1e9);
  printf("\"max_behind_ms\":%.3f,\"queue_full\":%" PRIu64 ",", (double)max_behind / 1e6, queue_full);
  printf("\"delivered\":%" PRIu64 ",\"delivery_errors\":%" PRIu64 ",\"last_error\":\"%s\",\"consumed\":%" PRIu64 ",",
         (uint64_t)atomic_load(&delivered), (uint64_t)atomic_load(&delivery_errors), last_error, (uint64_t)atomic_load(&consumed));
  print_stats("ack", &ack_samples);
  printf(",");
  print_stats("e2e", &e2e_samples);
  printf(",");
  print_stats("late", &late_samples);
  printf("}\n");

  if (consuming) {
    rd_kafka_consume_stop(ctopic, 0);
    rd_kafka_topic_destroy(ctopic);
    rd_kafka_destroy(consumer);
  }
  rd_kafka_topic_destroy(ptopic);
  rd_kafka_destroy(producer);
  free(payload);
  return 0;
}
